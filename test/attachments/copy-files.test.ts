// copyAttachments and verifyAttachments on real files in temporary folders: clean copies verify,
// a flipped byte is `corrupt`, missing sources and wrong claims are reported (and not copied),
// paths that escape are refused with nothing written outside destination_root, a rerun skips what
// is already there, and a 50 MB file is copied with flat memory.
import { existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyAttachments, TEMP_SUFFIX, type AttachmentRow } from '../../engine/attachments/copy-files.js';
import { inventoryFiles, orphanFiles, ReferenceSet } from '../../engine/attachments/inventory.js';
import { verifyAttachments } from '../../engine/attachments/verify-files.js';
import { bigFile, flipByte, listing, removeWorkspaces, sha256OfFile, workspace } from './support.js';

afterAll(() => removeWorkspaces());

const row = (id: number, sourcePath: string, destinationPath = `copied/${sourcePath}`, claimed: string | null = null): AttachmentRow =>
  ({ key: [id], sourcePath, destinationPath, claimed });

async function* stream<T>(items: T[]): AsyncGenerator<T> {
  for (const i of items) yield i;
}

describe('copyAttachments', () => {
  it('copies a clean set as streams, and the copies verify', async () => {
    const ws = workspace();
    const roots = { source: ws.source, destination: ws.destination };
    const a = ws.put('2019/01/invoice-1.pdf', 'invoice one');
    const b = ws.put('2019/02/photo.jpg', Buffer.alloc(300_000, 7));
    const c = ws.put('empty.txt', '');
    const result = await copyAttachments(stream([row(1, '2019/01/invoice-1.pdf', 'docs/1.pdf', a), row(2, '2019/02/photo.jpg'), row(3, 'empty.txt')]), roots);
    expect(result.problems).toEqual([]);
    expect(result).toMatchObject({ rows: 3, copied: 3, skipped: 0, bytes: 11 + 300_000 });
    expect(sha256OfFile(path.join(ws.destination, 'docs/1.pdf'))).toBe(a);
    expect(sha256OfFile(path.join(ws.destination, 'copied/2019/02/photo.jpg'))).toBe(b);
    expect(sha256OfFile(path.join(ws.destination, 'copied/empty.txt'))).toBe(c);
    expect(result.files.find((f) => f.key[0] === 2)).toMatchObject({ sourcePath: '2019/02/photo.jpg', path: 'copied/2019/02/photo.jpg', sha256: b, bytes: 300_000, action: 'copied' });
    expect(listing(ws.destination).filter((e) => e.includes(TEMP_SUFFIX))).toEqual([]);

    const verified = await verifyAttachments(result.files.map((f) => ({ key: f.key, sourcePath: f.sourcePath, destinationPath: f.path, sha256: f.sha256, bytes: f.bytes })), roots);
    expect(verified).toMatchObject({ verified: 3, problems: [] });

    // a rerun finds every file already there
    const again = await copyAttachments([row(1, '2019/01/invoice-1.pdf', 'docs/1.pdf', a), row(2, '2019/02/photo.jpg'), row(3, 'empty.txt')], roots);
    expect(again).toMatchObject({ copied: 0, skipped: 3, problems: [] });
  });

  it('a flipped byte at the destination is corrupt; a missing destination is missing', async () => {
    const ws = workspace();
    const roots = { source: ws.source, destination: ws.destination };
    ws.put('a.bin', Buffer.alloc(4096, 1));
    ws.put('b.bin', Buffer.alloc(4096, 2));
    const result = await copyAttachments([row(1, 'a.bin'), row(2, 'b.bin')], roots);
    expect(result.copied).toBe(2);
    flipByte(path.join(ws.destination, 'copied/a.bin'), 1000);
    writeFileSync(path.join(ws.destination, 'copied/b.bin'), 'short'); // another length

    // with the sha256 from the copy
    const items = result.files.map((f) => ({ key: f.key, sourcePath: f.sourcePath, destinationPath: f.path, sha256: f.sha256, bytes: f.bytes }));
    const checked = await verifyAttachments(items, roots);
    expect(checked.verified).toBe(0);
    expect(checked.problems.map((p) => [p.kind, p.key[0], p.side]).sort()).toEqual([['corrupt', 1, 'destination'], ['corrupt', 2, 'destination']]);

    // recomputing the source's sha256 (none given)
    const recomputed = await verifyAttachments(items.map((i) => ({ ...i, sha256: null, bytes: null })), roots);
    expect(recomputed.problems.map((p) => p.kind).sort()).toEqual(['corrupt', 'corrupt']);

    const missing = await verifyAttachments([{ key: [3], sourcePath: 'a.bin', destinationPath: 'nowhere/a.bin', sha256: null }], roots);
    expect(missing.problems).toMatchObject([{ kind: 'missing', key: [3], path: 'nowhere/a.bin', side: 'destination' }]);

    // copying again repairs both (same size but other bytes, and another size)
    const repaired = await copyAttachments([row(1, 'a.bin'), row(2, 'b.bin')], roots);
    expect(repaired).toMatchObject({ copied: 2, skipped: 0 });
    expect((await verifyAttachments(items, roots)).verified).toBe(2);
  });

  it('reports a missing source and a wrong claimed checksum, and copies neither', async () => {
    const ws = workspace();
    const roots = { source: ws.source, destination: ws.destination };
    const good = ws.put('good.txt', 'good');
    ws.put('claimed.txt', 'the real content');
    const result = await copyAttachments([
      row(1, 'good.txt', 'out/good.txt', good.toUpperCase()), // hex case does not matter
      row(2, 'gone.txt', 'out/gone.txt'),
      row(3, 'claimed.txt', 'out/claimed.txt', 'ab'.repeat(32)),
      row(4, 'claimed.txt', 'out/claimed-2.txt', 'not a checksum'),
    ], roots);
    expect(result.copied).toBe(1);
    expect(result.problems.map((p) => [p.kind, p.key[0]]).sort()).toEqual([['checksum-mismatch', 3], ['checksum-mismatch', 4], ['missing', 2]]);
    expect(existsSync(path.join(ws.destination, 'out/claimed.txt'))).toBe(false);
    expect(existsSync(path.join(ws.destination, 'out/claimed-2.txt'))).toBe(false);
    expect(listing(ws.destination)).toEqual(['out/', 'out/good.txt (4)']); // no temporary file left either
  });

  it('refuses paths that escape either root and writes nothing outside destination_root', async () => {
    const ws = workspace();
    const roots = { source: ws.source, destination: ws.destination };
    ws.put('ok.txt', 'fine');
    symlinkSync(ws.outside, path.join(ws.source, 'escape-dir'));
    symlinkSync(path.join(ws.outside, 'secret.txt'), path.join(ws.source, 'secret-link'));
    await copyAttachments([row(0, 'ok.txt', 'ok.txt')], roots); // the destination root exists
    symlinkSync(ws.outside, path.join(ws.destination, 'out-link'));
    const before = listing(ws.dir, [ws.destination]);
    const beside = () => readdirSync(path.dirname(ws.dir)).filter((e) => /escaped|absolute|through-link|passwd/.test(e));
    const besideBefore = beside();

    const result = await copyAttachments([
      row(1, '../../etc/passwd'),
      row(2, '/etc/passwd'),
      row(3, 'escape-dir/secret.txt'),
      row(4, 'secret-link'),
      row(5, 'ok.txt', '../../escaped.txt'),
      row(6, 'ok.txt', path.join(ws.outside, 'absolute.txt')),
      row(7, 'ok.txt', 'out-link/through-link.txt'),
      row(8, 'ok.txt', '../outside/secret.txt'),
    ], roots);
    expect(result.copied).toBe(0);
    expect(result.problems.map((p) => [p.key[0], p.kind, p.side]).sort((x, y) => Number(x[0]) - Number(y[0]))).toEqual([
      [1, 'escapes-root', 'source'],
      [2, 'absolute', 'source'],
      [3, 'symlink-outside', 'source'],
      [4, 'symlink-outside', 'source'],
      [5, 'escapes-root', 'destination'],
      [6, 'absolute', 'destination'],
      [7, 'symlink-outside', 'destination'],
      [8, 'escapes-root', 'destination'],
    ]);
    // nothing new anywhere outside the destination root, nor beside the workspace
    expect(listing(ws.dir, [ws.destination])).toEqual(before);
    expect(beside()).toEqual(besideBefore);
    expect(readdirSync(ws.outside)).toEqual(['secret.txt']);
    expect(readFileSync(path.join(ws.outside, 'secret.txt'), 'utf8')).toBe('not for copying\n');
    // no absolute path of the machine in any problem
    const shown = JSON.stringify(result.problems);
    expect(shown).not.toContain(ws.dir);
    expect(result.problems.find((p) => p.key[0] === 2)?.path).toBe('(absolute path)');
  });

  it('rows sharing a destination path are copied one after the other; verification names the loser', async () => {
    const ws = workspace();
    const roots = { source: ws.source, destination: ws.destination };
    ws.put('one.txt', Buffer.alloc(200_000, 1));
    const two = ws.put('two.txt', Buffer.alloc(200_000, 2));
    const result = await copyAttachments([row(1, 'one.txt', 'same.txt'), row(2, 'two.txt', './same.txt')], roots, { concurrency: 4 });
    expect(result).toMatchObject({ copied: 2, problems: [] });
    expect(sha256OfFile(path.join(ws.destination, 'same.txt'))).toBe(two);
    const verified = await verifyAttachments(result.files.map((f) => ({ key: f.key, sourcePath: f.sourcePath, destinationPath: f.path, sha256: f.sha256 })), roots);
    expect(verified.problems.map((p) => [p.kind, p.key[0]])).toEqual([['corrupt', 1]]);
  });

  it('copies a 50 MB file with flat memory', async () => {
    const ws = workspace();
    const roots = { source: ws.source, destination: ws.destination };
    const expected = await bigFile(path.join(ws.source, 'big/video.mp4'), 50);
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
    let progressCalls = 0;
    const result = await copyAttachments([row(1, 'big/video.mp4')], roots, { onProgress: () => { progressCalls++; } });
    const verified = await verifyAttachments(result.files.map((f) => ({ key: f.key, sourcePath: f.sourcePath, destinationPath: f.path, sha256: f.sha256, bytes: f.bytes })), roots);
    clearInterval(sampler);
    const after = process.memoryUsage().rss;
    peak = Math.max(peak, after);
    const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
    console.log(`50 MB copy + verify: rss before ${mb(before)} MB, after ${mb(after)} MB, peak ${mb(peak)} MB (growth ${mb(peak - before)} MB), ${progressCalls} chunks`);
    expect(result).toMatchObject({ copied: 1, problems: [] });
    expect(result.files[0]).toMatchObject({ sha256: expected, bytes: 50 * 1024 * 1024 });
    expect(verified).toMatchObject({ verified: 1, problems: [] });
    expect(progressCalls).toBeGreaterThan(50); // it went through in chunks, not at once
    expect(peak - before).toBeLessThan(30 * 1024 * 1024);
  });
});

describe('inventory', () => {
  it('lists regular files without following links, and finds the orphans', async () => {
    const ws = workspace();
    ws.put('a/1.txt', '1');
    ws.put('a/b/2.txt', '22');
    ws.put('3.txt', '333');
    ws.put('a/b/c/orphan.txt', 'nobody');
    symlinkSync(ws.outside, path.join(ws.source, 'link-dir'));
    symlinkSync(path.join(ws.source, '3.txt'), path.join(ws.source, 'link-file'));
    const all: string[] = [];
    for await (const f of inventoryFiles(ws.source)) all.push(f);
    expect(all.sort()).toEqual(['3.txt', 'a/1.txt', 'a/b/2.txt', 'a/b/c/orphan.txt']);

    const refs = new ReferenceSet();
    for (const p of ['a/1.txt', 'a/b/2.txt', '3.txt', 'not/there.txt']) refs.add(p);
    const orphans = [];
    for await (const o of orphanFiles(ws.source, refs)) orphans.push(o);
    expect(orphans).toEqual([{ path: 'a/b/c/orphan.txt', bytes: 6 }]);
  });

  it('ReferenceSet holds many paths compactly', () => {
    const refs = new ReferenceSet();
    for (let i = 0; i < 100_000; i++) refs.add(`folder/${i}.bin`);
    refs.seal();
    expect(refs.size).toBe(100_000);
    expect(refs.has('folder/99999.bin')).toBe(true);
    expect(refs.has('folder/0.bin')).toBe(true);
    expect(refs.has('folder/100000.bin')).toBe(false);
  });
});
