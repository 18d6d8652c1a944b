// Verifies attachment files by re-reading them at the destination: each destination file's sha256
// must equal the source's, taken from the copy (the bytes read from the source as they were
// written) or, when not given, recomputed from the source file. Streams only, like the copy.
//
// Problems: `missing` (no file at the destination path; or, when the source's sha256 must be
// recomputed, none at the source path), `corrupt` (the destination's bytes differ: its length when
// the source's is known, else its sha256), `unreadable` (including a link or FIFO where the file
// should be), and the path kinds of safe-path.ts.
import type { AttachmentRoots } from './copy-files.js';
import { forEachConcurrently } from './copy-files.js';
import { shownPath, type FileProblem, type FileProblemKind } from './file-problem.js';
import { codeOf, hashFile, hashHandle, openRegular } from './read-file.js';
import { resolveUnderRoot } from './safe-path.js';

export interface VerifyItem {
  key: unknown[];
  /** the stored source path (needed only when sha256 is not given) */
  sourcePath: string;
  /** the stored destination path */
  destinationPath: string;
  /** the source's sha256 when known (from the copy); null: recompute it from the source file */
  sha256?: string | null;
  /** the source's length when known: a destination of another length is corrupt without hashing */
  bytes?: number | null;
}

export interface VerifyAttachmentsOptions<T extends VerifyItem = VerifyItem> {
  /** files read at once (default 4) */
  concurrency?: number;
  collect?: boolean;
  /** normalised source paths the items reference (when the source is read): for orphans */
  onReference?: (relative: string) => void;
  onProblem?: (problem: FileProblem) => void;
  /** an item whose destination matched, with the sha256 and length found */
  onVerified?: (item: T, found: { sha256: string; bytes: number }) => void;
}

export interface VerifyAttachmentsResult {
  /** destination files whose sha256 matched the source's */
  verified: number;
  /** bytes re-read at the destination */
  bytes: number;
  problems: FileProblem[];
}

type Check = { ok: true; sha256: string; bytes: number } | { ok: false; problem: FileProblem };

function fail(kind: FileProblemKind, item: VerifyItem, side: 'source' | 'destination', detail: string): Check {
  return { ok: false, problem: { kind, key: item.key, path: shownPath(side === 'source' ? item.sourcePath : item.destinationPath), side, detail } };
}

async function sourceDigest(item: VerifyItem, roots: AttachmentRoots, options: Pick<VerifyAttachmentsOptions, 'onReference'>): Promise<Check> {
  const src = await resolveUnderRoot(roots.source, item.sourcePath);
  if (!src.ok) return fail(src.problem, item, 'source', `source: ${src.detail}`);
  options.onReference?.(src.relative);
  if (src.resolved !== src.relative) options.onReference?.(src.resolved);
  const digest = await hashFile(src.absolute);
  if (!digest.ok) return fail(digest.kind, item, 'source', `source: ${digest.detail}; nothing to compare the destination with`);
  return { ok: true, sha256: digest.sha256, bytes: digest.bytes };
}

async function verifyOne(item: VerifyItem, roots: AttachmentRoots, options: Pick<VerifyAttachmentsOptions, 'onReference'>): Promise<Check> {
  let expected: { sha256: string; bytes: number | null };
  if (item.sha256) {
    expected = { sha256: item.sha256.toLowerCase(), bytes: item.bytes ?? null };
  } else {
    const source = await sourceDigest(item, roots, options);
    if (!source.ok) return source;
    expected = source;
  }
  if (item.destinationPath === null || item.destinationPath === undefined) {
    return fail('no-destination-path', item, 'source', 'the row maps to no destination path');
  }
  const dst = await resolveUnderRoot(roots.destination, item.destinationPath, { followFinal: false });
  if (!dst.ok) return fail(dst.problem, item, 'destination', `destination: ${dst.detail}`);
  const opened = await openRegular(dst.absolute);
  if (!opened.ok) return fail(opened.kind, item, 'destination', `destination: ${opened.detail}`);
  try {
    if (expected.bytes !== null && opened.size !== expected.bytes) {
      return fail('corrupt', item, 'destination', `destination: ${opened.size} bytes, the source has ${expected.bytes}`);
    }
    let actual;
    try {
      actual = await hashHandle(opened.handle);
    } catch (e) {
      return fail('unreadable', item, 'destination', `destination: cannot be read (${codeOf(e)})`);
    }
    if (actual.sha256 !== expected.sha256) return fail('corrupt', item, 'destination', 'destination: sha256 differs from the source\'s');
    return { ok: true, sha256: actual.sha256, bytes: actual.bytes };
  } finally {
    await opened.handle.close().catch(() => undefined);
  }
}

export async function verifyAttachments<T extends VerifyItem>(
  items: AsyncIterable<T> | Iterable<T>,
  roots: AttachmentRoots,
  options: VerifyAttachmentsOptions<T> = {},
): Promise<VerifyAttachmentsResult> {
  const collect = options.collect ?? true;
  const result: VerifyAttachmentsResult = { verified: 0, bytes: 0, problems: [] };
  await forEachConcurrently(items, options.concurrency ?? 4, async (item) => {
    const check = await verifyOne(item, roots, options);
    if (check.ok) {
      result.verified++;
      result.bytes += check.bytes;
      options.onVerified?.(item, { sha256: check.sha256, bytes: check.bytes });
    } else {
      if (collect) result.problems.push(check.problem);
      options.onProblem?.(check.problem);
    }
  });
  return result;
}
