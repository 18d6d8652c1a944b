// What can be wrong with one attachment file, and the tally of such problems that becomes a
// CheckResult's `problems`: per kind a count and at most 20 samples naming the row's key and the
// stored (relative) path, never an absolute path of the machine.
import type { CheckResult } from '../diff/plan-result.js';
import type { PathProblemKind } from './safe-path.js';

export type FileProblemKind =
  | PathProblemKind
  /** no file at the source path (copy), or at the destination path (verify) */
  | 'missing'
  /** the source column's claimed sha256 differs from the file's: not copied */
  | 'checksum-mismatch'
  /** the file exists but cannot be read */
  | 'unreadable'
  /** the destination file cannot be written */
  | 'unwritable'
  /** the destination file's sha256 differs from the source's */
  | 'corrupt'
  /** the row names a source file but maps to no destination path */
  | 'no-destination-path'
  /** a file under source_root that no row of the class references (reported, never failing) */
  | 'orphan';

export interface FileProblem {
  kind: FileProblemKind;
  /** the row's key (empty for orphans, which have no row) */
  key: unknown[];
  /** the path as stored (relative; an absolute stored path is not repeated) */
  path: string;
  side: 'source' | 'destination';
  detail: string;
}

/** Kinds that do not fail the check. */
export const NOT_FAILING: ReadonlySet<FileProblemKind> = new Set(['orphan']);

const DESCRIPTION: Record<FileProblemKind, string> = {
  invalid: 'stored paths that are empty, contain a NUL byte or name the root folder',
  absolute: 'stored paths that are absolute (paths are relative to their root); not copied',
  'escapes-root': 'stored paths that climb out of their root with `..`; not copied',
  'symlink-outside': 'stored paths through a symbolic link that points outside the root; not copied',
  missing: 'files not found: at the source path (nothing to copy) or at the destination path after the copy',
  'checksum-mismatch': 'files whose claimed sha256 (the checksum column) differs from their content; not copied',
  unreadable: 'files that exist but cannot be read',
  unwritable: 'destination files that could not be written',
  corrupt: 'destination files whose sha256 differs from the source file',
  'no-destination-path': 'rows with a source file but no destination path',
  orphan: 'files under source_root that no row of the class references (reported, not failing)',
};

/** Shown in place of a stored path that is absolute: a path of the machine is never repeated. */
export function shownPath(stored: string | null | undefined): string {
  if (stored === null || stored === undefined) return '';
  if (stored.startsWith('/') || /^[A-Za-z]:[\\/]/.test(stored)) return '(absolute path)';
  return stored.replace(/\0/g, '\\0');
}

export const SAMPLE_LIMIT = 20;

export class ProblemTally {
  private readonly byKind = new Map<FileProblemKind, { count: number; samples: { key: unknown[]; path: string; side: string; detail: string }[] }>();

  add(p: FileProblem): void {
    let entry = this.byKind.get(p.kind);
    if (!entry) this.byKind.set(p.kind, (entry = { count: 0, samples: [] }));
    entry.count++;
    if (entry.samples.length < SAMPLE_LIMIT) entry.samples.push({ key: p.key, path: shownPath(p.path), side: p.side, detail: p.detail });
  }

  addAll(problems: Iterable<FileProblem>): void {
    for (const p of problems) this.add(p);
  }

  count(kind: FileProblemKind): number {
    return this.byKind.get(kind)?.count ?? 0;
  }

  /** problems that fail the check */
  failing(): number {
    let n = 0;
    for (const [kind, e] of this.byKind) if (!NOT_FAILING.has(kind)) n += e.count;
    return n;
  }

  counts(): Partial<Record<FileProblemKind, number>> {
    return Object.fromEntries([...this.byKind].map(([k, e]) => [k, e.count]));
  }

  toProblems(): CheckResult['problems'] {
    return [...this.byKind].map(([kind, e]) => ({ kind, count: e.count, samples: e.samples, detail: DESCRIPTION[kind] }));
  }
}
