// A path stored in a row, resolved under its root so that it can never name anything outside it.
// Stored paths are user data: a problem with one is a result, never an exception.
//
//   1. refused outright: a NUL byte, an empty path or one naming the root itself (`invalid`), an
//      absolute path (`absolute`);
//   2. normalised lexically (`a//./b` → `a/b`); a `..` that would climb above the root is refused
//      (`escapes-root`), one that stays inside is resolved (`a/../b` → `b`). Only the normalised
//      path is ever handed to the file system, so the OS never sees the stored string's `..`;
//   3. walked component by component with lstat: a symbolic link is resolved (realpath, or one
//      readlink hop when it dangles) and must land inside the root's real path
//      (`symlink-outside`). Components that do not exist yet end the walk (a destination file, or
//      the folders a copy will create).
//
// What remains is a check-then-use race against someone swapping a folder for a link in between;
// the copy narrows it by opening source files with O_NOFOLLOW at their resolved path, writing
// destination files under an O_EXCL temporary name and renaming (which replaces a link rather than
// following it), and re-checking a destination folder after creating it.
import { lstat, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';

export type PathProblemKind = 'invalid' | 'absolute' | 'escapes-root' | 'symlink-outside';

export interface SafePathOk {
  ok: true;
  /** the stored path normalised: relative to the root, `/`-separated, no `.`/`..`/empty segments */
  relative: string;
  /** the same after resolving symbolic links inside the root (equal to `relative` when none) */
  resolved: string;
  /** absolute path of `resolved` under the root's real path: what to open */
  absolute: string;
  /** the root's real path */
  root: string;
}

export interface SafePathProblem {
  ok: false;
  problem: PathProblemKind;
  /** what is wrong, without any absolute path of the machine */
  detail: string;
}

export type SafePath = SafePathOk | SafePathProblem;

export interface ResolveOptions {
  /** resolve a link in the last component too (reading a file: yes; a destination that will be
   * replaced by rename: no, the link itself is replaced). Default true. */
  followFinal?: boolean;
}

const problem = (kind: PathProblemKind, detail: string): SafePathProblem => ({ ok: false, problem: kind, detail });

/** True when `candidate` is `root` or below it (both absolute, already real where it matters). */
export function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** The lexical part of the checks: the normalised segments, or the problem. No file system. */
export function normaliseStored(stored: string): { ok: true; segments: string[] } | SafePathProblem {
  if (typeof stored !== 'string' || stored.length === 0) return problem('invalid', 'the stored path is empty');
  if (stored.includes('\0')) return problem('invalid', 'the stored path contains a NUL byte');
  if (path.posix.isAbsolute(stored) || path.isAbsolute(stored)) return problem('absolute', 'the stored path is absolute; paths are relative to their root');
  const segments: string[] = [];
  for (const segment of stored.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (segments.length === 0) return problem('escapes-root', 'the stored path climbs above its root with `..`');
      segments.pop();
      continue;
    }
    segments.push(segment);
  }
  if (segments.length === 0) return problem('invalid', 'the stored path names the root folder itself, not a file');
  return { ok: true, segments };
}

async function realRoot(root: string): Promise<string> {
  try {
    return await realpath(root);
  } catch {
    return path.resolve(root);
  }
}

/** Where a symbolic link points: its real path, or (dangling) its first hop resolved lexically. */
async function linkTarget(link: string): Promise<string> {
  try {
    return await realpath(link);
  } catch {
    return path.resolve(path.dirname(link), await readlink(link));
  }
}

const toPosix = (p: string) => p.split(path.sep).join('/');

export async function resolveUnderRoot(root: string, stored: string, options: ResolveOptions = {}): Promise<SafePath> {
  const lexical = normaliseStored(stored);
  if (!lexical.ok) return lexical;
  const followFinal = options.followFinal ?? true;
  const base = await realRoot(root);
  const { segments } = lexical;
  let current = base;
  for (let i = 0; i < segments.length; i++) {
    const next = path.join(current, segments[i]);
    let stats;
    try {
      stats = await lstat(next);
    } catch {
      // not there (yet), or not a folder, or not ours to look into: the rest cannot hold a link
      current = path.join(next, ...segments.slice(i + 1));
      break;
    }
    const last = i === segments.length - 1;
    if (stats.isSymbolicLink() && (!last || followFinal)) {
      let target: string;
      try {
        target = await linkTarget(next);
      } catch {
        return problem('symlink-outside', 'a symbolic link on the stored path cannot be read');
      }
      if (!isInside(base, target)) {
        return problem('symlink-outside', `a symbolic link on the stored path (at \`${segments.slice(0, i + 1).join('/')}\`) points outside its root`);
      }
      current = target;
    } else {
      current = next;
    }
  }
  if (!isInside(base, current) || current === base) return problem('escapes-root', 'the stored path resolves outside its root');
  return { ok: true, relative: segments.join('/'), resolved: toPosix(path.relative(base, current)), absolute: current, root: base };
}
