// resolveUnderRoot: stored paths never name anything outside their root, and every refusal is a
// typed result, not an exception.
import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveUnderRoot } from '../../engine/attachments/safe-path.js';
import { removeWorkspaces, workspace } from './support.js';

afterAll(() => removeWorkspaces());

describe('resolveUnderRoot', () => {
  const ws = workspace();
  ws.put('a/b/file.txt', 'x');
  mkdirSync(path.join(ws.source, 'real'), { recursive: true });
  ws.put('real/inside.txt', 'y');
  symlinkSync(ws.outside, path.join(ws.source, 'escape-dir'));
  symlinkSync(path.join(ws.outside, 'secret.txt'), path.join(ws.source, 'escape-file'));
  symlinkSync('../../outside/nowhere', path.join(ws.source, 'dangling-out'));
  symlinkSync('real', path.join(ws.source, 'alias'));
  symlinkSync('real/inside.txt', path.join(ws.source, 'alias-file'));

  it('normalises a plain relative path', async () => {
    const r = await resolveUnderRoot(ws.source, './a//b/./file.txt');
    expect(r).toMatchObject({ ok: true, relative: 'a/b/file.txt', resolved: 'a/b/file.txt' });
    if (r.ok) expect(r.absolute.endsWith(path.join('a', 'b', 'file.txt'))).toBe(true);
  });

  it('allows `..` that stays inside, refuses `..` that leaves', async () => {
    expect(await resolveUnderRoot(ws.source, 'a/../a/b/file.txt')).toMatchObject({ ok: true, relative: 'a/b/file.txt' });
    expect(await resolveUnderRoot(ws.source, '../../etc/passwd')).toMatchObject({ ok: false, problem: 'escapes-root' });
    expect(await resolveUnderRoot(ws.source, 'a/../../outside/secret.txt')).toMatchObject({ ok: false, problem: 'escapes-root' });
  });

  it('refuses absolute paths, NUL bytes and the root itself', async () => {
    expect(await resolveUnderRoot(ws.source, '/etc/passwd')).toMatchObject({ ok: false, problem: 'absolute' });
    expect(await resolveUnderRoot(ws.source, path.join(ws.source, 'a/b/file.txt'))).toMatchObject({ ok: false, problem: 'absolute' });
    expect(await resolveUnderRoot(ws.source, 'a/b/file.txt\0.png')).toMatchObject({ ok: false, problem: 'invalid' });
    expect(await resolveUnderRoot(ws.source, '')).toMatchObject({ ok: false, problem: 'invalid' });
    expect(await resolveUnderRoot(ws.source, 'a/..')).toMatchObject({ ok: false, problem: 'invalid' });
  });

  it('refuses symbolic links pointing outside, in any component, dangling or not', async () => {
    expect(await resolveUnderRoot(ws.source, 'escape-dir/secret.txt')).toMatchObject({ ok: false, problem: 'symlink-outside' });
    expect(await resolveUnderRoot(ws.source, 'escape-file')).toMatchObject({ ok: false, problem: 'symlink-outside' });
    expect(await resolveUnderRoot(ws.source, 'dangling-out')).toMatchObject({ ok: false, problem: 'symlink-outside' });
    expect(await resolveUnderRoot(ws.source, 'dangling-out/x')).toMatchObject({ ok: false, problem: 'symlink-outside' });
  });

  it('follows links that stay inside the root', async () => {
    expect(await resolveUnderRoot(ws.source, 'alias/inside.txt')).toMatchObject({ ok: true, relative: 'alias/inside.txt', resolved: 'real/inside.txt' });
    expect(await resolveUnderRoot(ws.source, 'alias-file')).toMatchObject({ ok: true, resolved: 'real/inside.txt' });
  });

  it('does not follow a final link when asked not to (a destination replaced by rename)', async () => {
    expect(await resolveUnderRoot(ws.source, 'escape-file', { followFinal: false })).toMatchObject({ ok: true, resolved: 'escape-file' });
    expect(await resolveUnderRoot(ws.source, 'escape-dir/new.txt', { followFinal: false })).toMatchObject({ ok: false, problem: 'symlink-outside' });
  });

  it('accepts paths that do not exist yet', async () => {
    expect(await resolveUnderRoot(ws.source, 'new/folder/file.bin')).toMatchObject({ ok: true, relative: 'new/folder/file.bin', resolved: 'new/folder/file.bin' });
  });

  it('never reveals an absolute path in its detail', async () => {
    for (const p of ['../../etc/passwd', '/etc/passwd', 'escape-dir/secret.txt']) {
      const r = await resolveUnderRoot(ws.source, p);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.detail).not.toContain(ws.dir);
    }
  });
});
