// Reading attachment files: open a regular file without following a final symbolic link and
// without blocking on a FIFO, and stream it a chunk at a time, hashing it in passing. Nothing here
// holds more than one chunk of a file in memory.
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

export type OpenRegular =
  | { ok: true; handle: FileHandle; size: number }
  | { ok: false; kind: 'missing' | 'unreadable'; detail: string };

const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** The error's code (`ENOENT`, `EACCES`): messages carry absolute paths and are never shown. */
export function codeOf(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : 'unknown error';
}

/** Opens `absolute` for reading when it is a regular file. Errors become `missing` / `unreadable`
 * with the error code only (messages carry absolute paths). The caller closes the handle. */
export async function openRegular(absolute: string): Promise<OpenRegular> {
  let handle: FileHandle;
  try {
    handle = await open(absolute, READ_FLAGS);
  } catch (e) {
    const code = codeOf(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, kind: 'missing', detail: 'no such file' };
    if (code === 'ELOOP') return { ok: false, kind: 'unreadable', detail: 'a symbolic link, not a regular file' };
    return { ok: false, kind: 'unreadable', detail: `cannot be opened (${code})` };
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      await handle.close();
      return { ok: false, kind: stats.isDirectory() ? 'missing' : 'unreadable', detail: stats.isDirectory() ? 'a folder, not a file' : 'not a regular file' };
    }
    return { ok: true, handle, size: stats.size };
  } catch (e) {
    await handle.close().catch(() => undefined);
    return { ok: false, kind: 'unreadable', detail: `cannot be read (${codeOf(e)})` };
  }
}

// Files are read and written through one reused buffer per file in flight, a chunk at a time:
// nothing of a file outlives its chunk, and no garbage is made per chunk. (A stream pipeline
// allocates a fresh 64 kB buffer per chunk; the garbage collector lets some 30-35 MB of them pile
// up before it runs, whatever the file's size. Measured: 0.5 MB of RSS growth for a 200 MB copy
// this way, 35 MB with createReadStream → hash → createWriteStream.)
export const CHUNK_BYTES = 256 * 1024;

/** Where a copy failed: reading the source, or writing the destination. */
export class CopyError extends Error {
  constructor(readonly side: 'read' | 'write', readonly code: string) {
    super(`${side} failed (${code})`);
  }
}

/**
 * Reads an open file from its start a chunk at a time into `buffer`, hashing it (sha256) and
 * handing each chunk to `onChunk`, awaited before the next read (the chunk is only valid until
 * then). Read errors throw CopyError('read'); whatever `onChunk` throws passes through.
 */
export async function streamChunks(
  handle: FileHandle,
  onChunk?: (chunk: Buffer, offset: number) => Promise<void> | void,
  buffer: Buffer = Buffer.allocUnsafe(CHUNK_BYTES),
): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let offset = 0;
  for (;;) {
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.read(buffer, 0, buffer.length, offset));
    } catch (e) {
      throw new CopyError('read', codeOf(e));
    }
    if (bytesRead === 0) break;
    const chunk = buffer.subarray(0, bytesRead);
    hash.update(chunk);
    if (onChunk) await onChunk(chunk, offset);
    offset += bytesRead;
  }
  return { sha256: hash.digest('hex'), bytes: offset };
}

/** Writes all of `chunk` at `offset` (a write may be partial). Errors throw CopyError('write'). */
export async function writeChunk(out: FileHandle, chunk: Buffer, offset: number): Promise<void> {
  let written = 0;
  try {
    while (written < chunk.length) {
      const { bytesWritten } = await out.write(chunk, written, chunk.length - written, offset + written);
      written += bytesWritten;
    }
  } catch (e) {
    throw new CopyError('write', codeOf(e));
  }
}

/** sha256 and length of an open file, read from its start. Leaves the handle open. */
export async function hashHandle(handle: FileHandle): Promise<{ sha256: string; bytes: number }> {
  return streamChunks(handle);
}

export type FileDigest =
  | { ok: true; sha256: string; bytes: number }
  | { ok: false; kind: 'missing' | 'unreadable'; detail: string };

/** sha256 of the regular file at `absolute`, streamed. */
export async function hashFile(absolute: string): Promise<FileDigest> {
  const opened = await openRegular(absolute);
  if (!opened.ok) return opened;
  try {
    return { ok: true, ...(await hashHandle(opened.handle)) };
  } catch (e) {
    return { ok: false, kind: 'unreadable', detail: `cannot be read (${codeOf(e)})` };
  } finally {
    await opened.handle.close().catch(() => undefined);
  }
}

