// Reading attachment files: open a regular file without following a final symbolic link and
// without blocking on a FIFO, and hash a stream of it in passing. Nothing here holds more than a
// stream's chunk of a file in memory.
import { createHash, type Hash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';

export type OpenRegular =
  | { ok: true; handle: FileHandle; size: number }
  | { ok: false; kind: 'missing' | 'unreadable'; detail: string };

const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

function codeOf(e: unknown): string {
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

/** A pass-through stream computing sha256 and counting bytes of what flows through it. */
export class HashTee extends Transform {
  private readonly hash: Hash = createHash('sha256');
  bytes = 0;

  constructor(private readonly onBytes?: (bytes: number) => void) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.onBytes?.(this.bytes);
    callback(null, chunk);
  }

  /** hex sha256; call once, after the stream ended */
  digest(): string {
    return this.hash.digest('hex');
  }
}

/** sha256 and length of an open file, read from the start as a stream. Leaves the handle open. */
export async function hashHandle(handle: FileHandle): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of handle.createReadStream({ start: 0, autoClose: false }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
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

export { codeOf };
