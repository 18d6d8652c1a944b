// copyAndVerifyAttachments against the real PostgreSQL servers and real files: rows read through
// the class (where, keyset batches), destination paths through the mapping, files copied and
// re-read, orphans inventoried; and each kind of problem as the CheckResult reports it.
import { copyFileSync, existsSync, symlinkSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyAndVerifyAttachments, type AttachmentDetails, type CopyAndVerifyAttachmentsInput } from '../../engine/attachments/check-attachments.js';
import { TEMP_SUFFIX } from '../../engine/attachments/copy-files.js';
import type { CheckResult } from '../../engine/diff/plan-result.js';
import { isFailure } from '../../engine/failure.js';
import type { Catalog } from '../../engine/introspect/catalog.js';
import { introspect } from '../../engine/introspect/introspect.js';
import type { Plan, RecordClass } from '../../engine/plan/types.js';
import { dropFreshDatabases, freshDatabase, withClient } from '../support/databases.js';
import { flipByte, listing, removeWorkspaces, sha256, sha256OfFile, workspace, type Workspace } from './support.js';

let source: pg.Client;
let destination: pg.Client;
let sourceCatalog: Catalog;
let destinationCatalog: Catalog;

async function connect(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

beforeAll(async () => {
  const [src, dst] = await Promise.all([freshDatabase('source', 'att_src'), freshDatabase('destination', 'att_dst')]);
  await withClient(src, (c) => c.query(`
    CREATE TABLE attachment (id int PRIMARY KEY, storage_path text, sha256 text, kept boolean NOT NULL DEFAULT true);
    CREATE TABLE "Odd Files" ("Key" int, "Part" text, "Where" text, PRIMARY KEY ("Key", "Part"));`));
  await withClient(dst, (c) => c.query(`
    CREATE SCHEMA storefront;
    CREATE TABLE storefront.files (id int PRIMARY KEY, path text, sha256 text);
    CREATE TABLE storefront.odd (k int, part text, location text, PRIMARY KEY (k, part));`));
  source = await connect(src);
  destination = await connect(dst);
  sourceCatalog = await introspect(source, ['public']);
  destinationCatalog = await introspect(destination, ['storefront']);
});

afterAll(async () => {
  await source?.end().catch(() => undefined);
  await destination?.end().catch(() => undefined);
  removeWorkspaces();
  await dropFreshDatabases();
});

const ATTACHMENTS: RecordClass = {
  kind: 'attachments',
  source: { table: 'attachment', key: ['id'] },
  destination: { table: 'storefront.files', key: ['id'] },
  where: 'kept',
  columns: { id: 'id', path: `'stored/' || storage_path`, sha256: 'sha256' },
  files: { path: 'storage_path', destination_path: 'path', checksum: 'sha256', source_root: './legacy-files', destination_root: './storefront-files' },
};

function planWith(cls: RecordClass = ATTACHMENTS): Plan {
  return {
    version: 1, name: 'files', target: 'round_tripped',
    source: { url: 'postgres://unused', schemas: ['public'] }, destination: { url: 'postgres://unused' },
    classes: { attachments: cls },
  };
}

async function rows(values: [id: number, path: string | null, sha: string | null, kept?: boolean][]): Promise<void> {
  await source.query('TRUNCATE attachment');
  for (const [id, p, sha, kept] of values) {
    await source.query('INSERT INTO attachment (id, storage_path, sha256, kept) VALUES ($1, $2, $3, $4)', [id, p, sha, kept ?? true]);
  }
}

function run(ws: Workspace, extra: Partial<CopyAndVerifyAttachmentsInput> = {}): Promise<CheckResult> {
  return copyAndVerifyAttachments({
    plan: planWith(), className: 'attachments', source, destination, sourceCatalog, destinationCatalog,
    planDir: ws.planDir, checkedAt: new Date('2026-12-01T10:00:00Z'), batchRows: 2, ...extra,
  });
}

const details = (r: CheckResult) => r.details as AttachmentDetails;
const problem = (r: CheckResult, kind: string) => r.problems.find((p) => p.kind === kind);

describe('copyAndVerifyAttachments', () => {
  it('copies a clean set through the mapping, verifies it, and reports orphans without failing', async () => {
    const ws = workspace();
    const a = ws.put('2019/01/a.pdf', 'A');
    const b = ws.put('2019/01/b.pdf', 'BB');
    const c = ws.put('2020/c.png', Buffer.alloc(70_000, 3));
    const d = ws.put('d.txt', 'no claim');
    ws.put('excluded.txt', 'row left out by where');
    ws.put('2019/forgotten.doc', 'no row at all');
    await rows([[1, '2019/01/a.pdf', a], [2, '2019/01/b.pdf', b.toUpperCase()], [3, '2020/c.png', c], [4, 'd.txt', null],
      [5, null, null], [6, 'excluded.txt', null, false]]);
    void d;

    const result = await run(ws);
    expect(result).toMatchObject({ class: 'attachments', kind: 'attachments', passed: true, checkedAt: '2026-12-01T10:00:00.000Z' });
    expect(details(result)).toMatchObject({
      mode: 'copy', rows: 5, rowsWithoutFile: 1, files: 4, bytes: 1 + 2 + 70_000 + 8, copied: 4, skipped: 0,
      inventoried: 6, orphans: 2, orphanBytes: 'row left out by where'.length + 'no row at all'.length, sourceRoot: './legacy-files',
    });
    expect(problem(result, 'orphan')).toMatchObject({ count: 2 });
    expect(problem(result, 'orphan')?.samples.map((s) => (s as { path: string }).path).sort()).toEqual(['2019/forgotten.doc', 'excluded.txt']);
    expect(result.problems.map((p) => p.kind)).toEqual(['orphan']);
    expect(result.summary).toContain('4 files');
    expect(result.summary).toContain('2 orphan files under source_root (reported, orphans do not fail the check)');
    // the destination path came through the mapping: 'stored/' || storage_path
    expect(sha256OfFile(path.join(ws.destination, 'stored/2019/01/a.pdf'))).toBe(a);
    expect(sha256OfFile(path.join(ws.destination, 'stored/2020/c.png'))).toBe(c);
    expect(existsSync(path.join(ws.destination, 'stored/excluded.txt'))).toBe(false);
    expect(listing(ws.destination).filter((e) => e.includes(TEMP_SUFFIX))).toEqual([]);
    expect(JSON.stringify(result)).not.toContain(ws.dir);

    // the rerun copies nothing and finds everything in place
    const again = await run(ws, { batchRows: 500 });
    expect(again.passed).toBe(true);
    expect(details(again)).toMatchObject({ files: 4, copied: 0, skipped: 4 });
    expect(again.summary).toContain('0 copied, 4 already present');
  });

  it('finds a corrupted destination file (verify only), and a copy repairs it', async () => {
    const ws = workspace();
    const a = ws.put('a.bin', Buffer.alloc(10_000, 1));
    const b = ws.put('b.bin', Buffer.alloc(10_000, 2));
    await rows([[1, 'a.bin', a], [2, 'b.bin', b]]);
    expect((await run(ws)).passed).toBe(true);
    flipByte(path.join(ws.destination, 'stored/b.bin'), 5_000);

    const checked = await run(ws, { copy: false });
    expect(checked.passed).toBe(false);
    expect(problem(checked, 'corrupt')).toMatchObject({ count: 1, samples: [{ key: ['2'], path: 'stored/b.bin', side: 'destination' }] });
    expect(details(checked)).toMatchObject({ mode: 'verify', files: 1, copied: 0 });
    expect(checked.summary).toMatch(/^attachments of attachments failed: 1 corrupt;/);

    unlinkSync(path.join(ws.destination, 'stored/a.bin'));
    const gone = await run(ws, { copy: false });
    expect(problem(gone, 'missing')).toMatchObject({ count: 1, samples: [{ key: ['1'], path: 'stored/a.bin', side: 'destination' }] });

    const repaired = await run(ws);
    expect(repaired.passed).toBe(true);
    expect(details(repaired)).toMatchObject({ copied: 2, skipped: 0, files: 2 });
    expect(sha256OfFile(path.join(ws.destination, 'stored/b.bin'))).toBe(b);
  });

  it('reports a missing source file and a wrong claimed checksum (not copied)', async () => {
    const ws = workspace();
    const ok = ws.put('ok.txt', 'ok');
    ws.put('lies.txt', 'the content');
    await rows([[1, 'ok.txt', ok], [2, 'vanished.txt', null], [3, 'lies.txt', sha256('other content')]]);
    const result = await run(ws);
    expect(result.passed).toBe(false);
    expect(problem(result, 'missing')).toMatchObject({ count: 1, samples: [{ key: ['2'], path: 'vanished.txt', side: 'source' }] });
    expect(problem(result, 'checksum-mismatch')).toMatchObject({ count: 1, samples: [{ key: ['3'], path: 'lies.txt' }] });
    expect(existsSync(path.join(ws.destination, 'stored/lies.txt'))).toBe(false);
    expect(details(result)).toMatchObject({ files: 1, copied: 1, orphans: 0 }); // lies.txt is referenced, not an orphan
    expect(result.summary).toMatch(/failed: (1 missing, 1 checksum-mismatch|1 checksum-mismatch, 1 missing)/);

    // verify-only checks the claim too: a destination file equal to the source does not make a wrong claim right
    copyFileSync(path.join(ws.source, 'lies.txt'), path.join(ws.destination, 'stored/lies.txt'));
    const verified = await run(ws, { copy: false });
    expect(problem(verified, 'checksum-mismatch')).toMatchObject({ count: 1, samples: [{ key: ['3'], path: 'lies.txt' }] });
    expect(problem(verified, 'missing')).toMatchObject({ count: 1, samples: [{ key: ['2'], side: 'source' }] });
    expect(problem(verified, 'corrupt')).toBeUndefined();
  });

  it('refuses paths that escape source_root and writes nothing outside destination_root', async () => {
    const ws = workspace();
    const ok = ws.put('ok.txt', 'ok');
    symlinkSync(ws.outside, path.join(ws.source, 'elsewhere'));
    await rows([[1, 'ok.txt', ok], [2, '../../etc/passwd', null], [3, '/etc/passwd', null], [4, 'elsewhere/secret.txt', null]]);
    const before = listing(ws.dir, [ws.destination]);

    const result = await run(ws);
    expect(result.passed).toBe(false);
    expect(problem(result, 'escapes-root')).toMatchObject({ count: 1, samples: [{ key: ['2'], path: '../../etc/passwd', side: 'source' }] });
    expect(problem(result, 'absolute')).toMatchObject({ count: 1, samples: [{ key: ['3'], path: '(absolute path)', side: 'source' }] });
    expect(problem(result, 'symlink-outside')).toMatchObject({ count: 1, samples: [{ key: ['4'], path: 'elsewhere/secret.txt' }] });
    expect(details(result)).toMatchObject({ files: 1, copied: 1 });
    expect(listing(ws.dir, [ws.destination])).toEqual(before);
    expect(listing(ws.destination)).toEqual(['stored/', 'stored/ok.txt (2)']);
    const shown = JSON.stringify(result);
    expect(shown).not.toContain(ws.dir);
    expect(shown).not.toContain('"/etc/passwd"');
  });

  it('reads composite, quoted keys in keyset batches, and rows without a destination path fail', async () => {
    const ws = workspace();
    const odd: RecordClass = {
      kind: 'attachments',
      source: { table: 'Odd Files', key: ['Key', 'Part'] },
      destination: { table: 'storefront.odd', key: ['k', 'part'] },
      columns: { k: '"Key"', part: '"Part"', location: `CASE WHEN "Part" = 'x' THEN NULL ELSE 'o/' || "Where" END` },
      files: { path: 'Where', destination_path: 'location', source_root: './legacy-files', destination_root: './storefront-files' },
    };
    for (let i = 1; i <= 7; i++) ws.put(`f${i}.txt`, `file ${i}`);
    await source.query('TRUNCATE "Odd Files"');
    await source.query(`INSERT INTO "Odd Files" VALUES (1, 'a', 'f1.txt'), (1, 'b', 'f2.txt'), (2, 'a', 'f3.txt'), (2, 'b', 'f4.txt'),
      (2, 'c', 'f5.txt'), (3, 'a', 'f6.txt'), (3, 'x', 'f7.txt')`);
    const result = await copyAndVerifyAttachments({
      plan: planWith(odd), className: 'attachments', source, destination, sourceCatalog, destinationCatalog,
      planDir: ws.planDir, checkedAt: new Date(), batchRows: 3,
    });
    expect(details(result)).toMatchObject({ rows: 7, files: 6, copied: 6, orphans: 0 });
    expect(problem(result, 'no-destination-path')).toMatchObject({ count: 1, samples: [{ key: ['3', 'x'], path: 'f7.txt' }] });
    expect(result.passed).toBe(false);
    expect(sha256OfFile(path.join(ws.destination, 'o/f5.txt'))).toBe(sha256('file 5'));
  });

  it('fails clearly when the class or its roots are wrong', async () => {
    const ws = workspace();
    const missingRoot = await run(ws, { plan: planWith({ ...ATTACHMENTS, files: { ...ATTACHMENTS.files!, source_root: './nope' } }) }).catch((e) => e);
    expect(isFailure(missingRoot) && missingRoot.code).toBe('attachments.source-root-missing');
    expect(String(missingRoot.message)).not.toContain(ws.dir);
    const badColumn = await run(ws, { plan: planWith({ ...ATTACHMENTS, files: { ...ATTACHMENTS.files!, path: 'no_such_column' } }) }).catch((e) => e);
    expect(isFailure(badColumn) && badColumn.code).toBe('attachments.column-missing');
    const plain = await run(ws, { plan: planWith({ ...ATTACHMENTS, kind: 'plain', files: undefined }) }).catch((e) => e);
    expect(isFailure(plain) && plain.code).toBe('attachments.not-attachments');
  });
});
