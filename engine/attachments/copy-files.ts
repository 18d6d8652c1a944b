// Copies the files named by attachment rows from source_root to destination_root, streamed a
// chunk at a time through one reused buffer (read-file.ts says why not a stream pipeline):
//
//   source (O_NOFOLLOW) ─▶ chunk ─▶ sha256 on the fly ─▶ temporary file beside the destination (O_EXCL)
//                                                     ─▶ fsync ─▶ rename ─▶ fsync the folder
//
// - a kill mid-stream leaves at most the temporary file (a fixed name per destination file, so the
//   rerun removes and rewrites it), never a half file under the final name;
// - a destination that already holds the same bytes (size, then sha256) is skipped: a rerun after a
//   kill continues where the last one stopped;
// - a claimed checksum (the class's `files.checksum` column) is verified, never trusted: when it
//   disagrees with the content the file is not copied (the temporary file is removed) and the row
//   is reported `checksum-mismatch`;
// - paths go through resolveUnderRoot on both sides: nothing is read outside source_root, nothing
//   written outside destination_root;
// - memory is flat: a file is never held whole, one 256 kB buffer per file in flight.
//
// Problems are per row (see file-problem.ts); only bugs throw.
import { createHash } from 'node:crypto';
import { lstat, mkdir, open, realpath, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { settleAll } from '../db/snapshot.js';
import { shownPath, type FileProblem, type FileProblemKind } from './file-problem.js';
import { codeOf, CopyError, hashFile, hashHandle, openRegular, streamChunks, writeChunk } from './read-file.js';
import { isInside, normaliseStored, resolveUnderRoot, type SafePathOk } from './safe-path.js';

export interface AttachmentRow {
  /** the row's key, to name it in problems */
  key: unknown[];
  /** the source column `files.path`: the file's path under source_root */
  sourcePath: string;
  /** the destination column `files.destination_path`: the path under destination_root */
  destinationPath: string;
  /** the source column `files.checksum`: a claimed sha256 in hex, or null */
  claimed: string | null;
}

/** Absolute roots (the plan's are relative to the plan file's folder; the caller resolves them). */
export interface AttachmentRoots {
  source: string;
  destination: string;
}

export interface CopiedFile {
  key: unknown[];
  /** normalised source path, relative to source_root */
  sourcePath: string;
  /** normalised destination path, relative to destination_root */
  path: string;
  /** sha256 (hex) of the bytes read from the source, which are the bytes written */
  sha256: string;
  bytes: number;
  /** `skipped`: the destination already held these bytes */
  action: 'copied' | 'skipped';
}

export interface CopyAttachmentsOptions {
  /** files copied at once (default 4); each holds one 256 kB buffer */
  concurrency?: number;
  /** keep files and problems in the result (default true); false: only the callbacks see them */
  collect?: boolean;
  /** every normalised source path a row references (and its link-resolved form): for orphans */
  onReference?: (relative: string) => void;
  onFile?: (file: CopiedFile) => void;
  onProblem?: (problem: FileProblem) => void;
  /** bytes of one file copied so far, as they flow */
  onProgress?: (progress: { key: unknown[]; path: string; bytes: number; size: number }) => void;
}

export interface CopyAttachmentsResult {
  rows: number;
  files: CopiedFile[];
  problems: FileProblem[];
  copied: number;
  skipped: number;
  /** bytes of the files copied or found already present */
  bytes: number;
}

/** The temporary file a destination file is written to before its rename: beside it (same folder,
 * so the rename is atomic), with a fixed, short name derived from the final one. */
export const TEMP_SUFFIX = '.cutover-tmp';
export function temporaryPathFor(destination: string): string {
  const name = createHash('sha256').update(path.basename(destination)).digest('hex').slice(0, 16);
  return path.join(path.dirname(destination), `.${name}${TEMP_SUFFIX}`);
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

type Outcome = { ok: true; file: CopiedFile } | { ok: false; problem: FileProblem };

function fail(kind: FileProblemKind, row: AttachmentRow, side: 'source' | 'destination', detail: string): Outcome {
  return { ok: false, problem: { kind, key: row.key, path: shownPath(side === 'source' ? row.sourcePath : row.destinationPath), side, detail } };
}

async function fsyncFolder(folder: string): Promise<void> {
  try {
    const handle = await open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // not every file system lets a folder be synced; the file itself was
  }
}

/** Creates the destination's folder and checks it is still inside the root once created. */
async function prepareFolder(dst: SafePathOk): Promise<string | null> {
  const folder = path.dirname(dst.absolute);
  await mkdir(folder, { recursive: true });
  const real = await realpath(folder);
  return isInside(dst.root, real) ? real : null;
}

async function copyOne(row: AttachmentRow, roots: AttachmentRoots, options: CopyAttachmentsOptions): Promise<Outcome> {
  const src = await resolveUnderRoot(roots.source, row.sourcePath);
  if (!src.ok) return fail(src.problem, row, 'source', `source: ${src.detail}`);
  options.onReference?.(src.relative);
  if (src.resolved !== src.relative) options.onReference?.(src.resolved);

  if (row.destinationPath === null || row.destinationPath === undefined) {
    return fail('no-destination-path', row, 'source', 'the row maps to no destination path');
  }
  const dst = await resolveUnderRoot(roots.destination, row.destinationPath, { followFinal: false });
  if (!dst.ok) return fail(dst.problem, row, 'destination', `destination: ${dst.detail}`);

  let claimed: string | null = null;
  if (row.claimed !== null && row.claimed !== undefined) {
    claimed = row.claimed.trim().toLowerCase();
    if (!SHA256_HEX.test(claimed)) return fail('checksum-mismatch', row, 'source', 'the claimed checksum is not a sha256 (64 hex digits); not copied');
  }

  const opened = await openRegular(src.absolute);
  if (!opened.ok) return fail(opened.kind, row, 'source', `source: ${opened.detail}`);
  const { handle, size } = opened;
  try {
    // already there? (a rerun after a kill, or a second pass)
    const existing = await lstat(dst.absolute).catch(() => null);
    if (existing?.isFile() && existing.size === size) {
      let source;
      try {
        source = await hashHandle(handle);
      } catch (e) {
        return fail('unreadable', row, 'source', `source: cannot be read (${codeOf(e)})`);
      }
      if (claimed !== null && claimed !== source.sha256) {
        return fail('checksum-mismatch', row, 'source', 'the claimed sha256 differs from the file\'s content; not copied');
      }
      const present = await hashFile(dst.absolute);
      if (present.ok && present.sha256 === source.sha256) {
        return { ok: true, file: { key: row.key, sourcePath: src.relative, path: dst.relative, sha256: source.sha256, bytes: source.bytes, action: 'skipped' } };
      }
    }

    let folder: string | null;
    try {
      folder = await prepareFolder(dst);
    } catch (e) {
      return fail('unwritable', row, 'destination', `destination folder cannot be created (${codeOf(e)})`);
    }
    if (!folder) return fail('symlink-outside', row, 'destination', 'destination: a folder on the path resolves outside destination_root');
    const final = path.join(folder, path.basename(dst.absolute));
    const temporary = temporaryPathFor(final);

    try {
      await rm(temporary, { force: true }); // a previous run's leftover (or a link: removed, not followed)
    } catch (e) {
      return fail('unwritable', row, 'destination', `destination: the temporary file cannot be replaced (${codeOf(e)})`);
    }
    let out;
    try {
      out = await open(temporary, 'wx'); // O_CREAT|O_EXCL: never through a link
    } catch (e) {
      return fail('unwritable', row, 'destination', `destination: cannot be created (${codeOf(e)})`);
    }
    let copied: { sha256: string; bytes: number };
    let synced = false;
    try {
      const progress = options.onProgress;
      copied = await streamChunks(handle, async (chunk, offset) => {
        await writeChunk(out, chunk, offset);
        progress?.({ key: row.key, path: dst.relative, bytes: offset + chunk.length, size });
      });
      await out.sync().catch((e) => { throw new CopyError('write', codeOf(e)); });
      synced = true;
    } catch (e) {
      if (!(e instanceof CopyError)) throw e;
      return e.side === 'read'
        ? fail('unreadable', row, 'source', `source: cannot be read (${e.code})`)
        : fail('unwritable', row, 'destination', `destination: cannot be written (${e.code})`);
    } finally {
      await out.close().catch(() => undefined);
      if (!synced) await rm(temporary, { force: true }).catch(() => undefined);
    }

    const { sha256 } = copied;
    if (claimed !== null && claimed !== sha256) {
      await rm(temporary, { force: true }).catch(() => undefined);
      return fail('checksum-mismatch', row, 'source', 'the claimed sha256 differs from the file\'s content; not copied');
    }
    try {
      await rename(temporary, final);
    } catch (e) {
      await rm(temporary, { force: true }).catch(() => undefined);
      return fail('unwritable', row, 'destination', `destination: cannot be put in place (${codeOf(e)})`);
    }
    await fsyncFolder(folder);
    return { ok: true, file: { key: row.key, sourcePath: src.relative, path: dst.relative, sha256, bytes: copied.bytes, action: 'copied' } };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Runs `work` over `items` with at most `concurrency` at once; pulls from the iterator one at a
 * time (an AsyncIterable need not support concurrent next()). */
export async function forEachConcurrently<T>(items: AsyncIterable<T> | Iterable<T>, concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  const iterator: AsyncIterator<T> = Symbol.asyncIterator in items
    ? (items as AsyncIterable<T>)[Symbol.asyncIterator]()
    : (async function* () { yield* items as Iterable<T>; })();
  let pulling: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const next = (): Promise<IteratorResult<T>> => {
    const result = pulling.then(() => iterator.next());
    pulling = result.catch(() => undefined);
    return result;
  };
  const worker = async () => {
    while (!stopped) {
      const n = await next();
      if (n.done) return;
      await work(n.value);
    }
  };
  try {
    await settleAll(Array.from({ length: Math.max(1, concurrency) }, () => worker().catch((e) => { stopped = true; throw e; })));
  } catch (e) {
    await iterator.return?.().catch(() => undefined);
    throw e;
  }
}

/** Rows naming the same destination path are copied one after the other, never at once (they
 * would share the temporary file); the last one wins, and verification reports the others. */
function oneAtATimePerPath(): <T>(destinationPath: string, work: () => Promise<T>) => Promise<T> {
  const tails = new Map<string, Promise<unknown>>();
  return async (destinationPath, work) => {
    const normalised = typeof destinationPath === 'string' ? normaliseStored(destinationPath) : null;
    if (!normalised?.ok) return work();
    const key = normalised.segments.join('/');
    const current = (tails.get(key) ?? Promise.resolve()).then(work, work);
    const tail = current.catch(() => undefined);
    tails.set(key, tail);
    try {
      return await current;
    } finally {
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}

export async function copyAttachments(
  rows: AsyncIterable<AttachmentRow> | Iterable<AttachmentRow>,
  roots: AttachmentRoots,
  options: CopyAttachmentsOptions = {},
): Promise<CopyAttachmentsResult> {
  const collect = options.collect ?? true;
  const result: CopyAttachmentsResult = { rows: 0, files: [], problems: [], copied: 0, skipped: 0, bytes: 0 };
  await mkdir(roots.destination, { recursive: true });
  const serialise = oneAtATimePerPath();
  await forEachConcurrently(rows, options.concurrency ?? 4, async (row) => {
    result.rows++;
    const outcome = await serialise(row.destinationPath, () => copyOne(row, roots, options));
    if (outcome.ok) {
      const f = outcome.file;
      if (f.action === 'copied') result.copied++;
      else result.skipped++;
      result.bytes += f.bytes;
      if (collect) result.files.push(f);
      options.onFile?.(f);
    } else {
      if (collect) result.problems.push(outcome.problem);
      options.onProblem?.(outcome.problem);
    }
  });
  return result;
}
