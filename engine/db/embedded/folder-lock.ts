// The folder lock: one process at a time initialises, starts or stops the embedded server, and a lock left by a lost process is broken safely.
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Failure } from '../../failure.js';
import { type Files, shown } from './files.js';
import { isAlive, sleep } from './processes.js';

const LOCK_WAIT_MS = 120_000;
const LOCK_POLL_MS = 100;
/** No initialisation or start takes this long: a lock this old was left by a lost process. */
const LOCK_STALE_MS = 10 * 60_000;
/** An empty lock file is one being written, unless it stays empty this long. */
const LOCK_EMPTY_STALE_MS = 5_000;

interface LockContent {
  pid: number;
  host: string;
  token: string;
}

export async function withLock<T>(files: Files, log: (line: string) => void, fn: () => Promise<T>): Promise<T> {
  // The home folder with the usual mode (when root, the server's user must traverse it), the
  // embedded folder private to us (prepareFolder opens it to the server's group when root).
  await mkdir(path.dirname(files.dir), { recursive: true });
  await mkdir(files.dir, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  const token = await acquireLock(files, log);
  try {
    return await fn();
  } finally {
    await releaseLock(files.lock, token);
  }
}

async function acquireLock(files: Files, log: (line: string) => void): Promise<string> {
  const mine: LockContent = { pid: process.pid, host: os.hostname(), token: randomBytes(12).toString('hex') };
  const deadline = Date.now() + LOCK_WAIT_MS;
  let told = false;
  for (;;) {
    try {
      const handle = await open(files.lock, 'wx', 0o644);
      try {
        await handle.writeFile(JSON.stringify(mine));
      } finally {
        await handle.close();
      }
      return mine.token;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readLock(files.lock);
    if (holder === 'gone') continue;
    if (isStaleLock(holder)) {
      await breakLock(files.lock, holder.content);
      continue;
    }
    const holderPid = holder.content?.pid;
    if (Date.now() > deadline) {
      throw new Failure(
        'db.embedded-lock',
        `another cutover process${holderPid ? ` (pid ${holderPid})` : ''} has been starting the embedded PostgreSQL server under ${shown(files.dir)} for more than ${LOCK_WAIT_MS / 1000} s`,
        `if no cutover process is running, remove ${shown(files.lock)}`,
      );
    }
    if (!told && holderPid !== process.pid) {
      told = true;
      log(`waiting for another cutover process${holderPid ? ` (pid ${holderPid})` : ''} that is starting the embedded PostgreSQL server …`);
    }
    await sleep(LOCK_POLL_MS);
  }
}

interface LockHolder {
  /** undefined while the holder is still writing it (or it is unreadable) */
  content?: LockContent;
  mtimeMs: number;
}

async function readLock(lockPath: string): Promise<LockHolder | 'gone'> {
  try {
    const [text, info] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath)]);
    let content: LockContent | undefined;
    try {
      const parsed = JSON.parse(text) as Partial<LockContent>;
      if (Number.isInteger(parsed.pid) && typeof parsed.token === 'string') content = parsed as LockContent;
    } catch {
      content = undefined;
    }
    return { content, mtimeMs: info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
}

function isStaleLock(holder: LockHolder): boolean {
  const age = Date.now() - holder.mtimeMs;
  if (age > LOCK_STALE_MS) return true;
  if (holder.mtimeMs < (Date.now() / 1000 - os.uptime()) * 1000 - 60_000) return true; // before boot
  if (!holder.content) return age > LOCK_EMPTY_STALE_MS;
  return holder.content.host === os.hostname() && !isAlive(holder.content.pid);
}

/**
 * Removes a stale lock without removing a live one: renaming is atomic, so only one process moves
 * the file aside; if what it moved is not the stale lock it judged (another process broke that one
 * and took the lock meanwhile), it puts it back.
 */
async function breakLock(lockPath: string, stale: LockContent | undefined): Promise<void> {
  const aside = `${lockPath}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    await rename(lockPath, aside);
  } catch {
    return; // someone else moved it
  }
  const moved = await readLock(aside).catch(() => 'gone' as const);
  const same = moved !== 'gone' && moved.content?.token === stale?.token;
  if (!same) await link(aside, lockPath).catch(() => undefined);
  await rm(aside, { force: true });
}

async function releaseLock(lockPath: string, token: string): Promise<void> {
  const holder = await readLock(lockPath).catch(() => 'gone' as const);
  if (holder !== 'gone' && holder.content?.token === token) await rm(lockPath, { force: true });
}
