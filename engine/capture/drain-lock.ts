// Drains of one migration run one at a time: the mirror's batches, a compare, apply's drain into
// dual-run and the write switch's fence. Each takes the drain lock on its destination session
// before it opens its source snapshot and keeps it until the log is cleaned (a compare: until both
// sides are hashed). So every drain's snapshot is taken after the one before it committed: the
// position only moves forward, and a compare hashes a destination no one is writing to.
import type { QueryRunner } from '../db/query-runner.js';
import { checkpoint } from '../interrupted.js';
import { acquireLock, releaseLock } from '../state/state-lock.js';

export interface DrainLockRequest {
  schema: string;
  migration: string;
  /** what holds it, as `status` and a waiting command show */
  command: string;
  /** the destination session's backend pid */
  backendPid: number;
  /** a stop request, checked while waiting */
  signal?: AbortSignal;
}

/** a compare of a large class can hold the lock for minutes: the others wait for it */
const WAIT_MS = 6 * 60 * 60 * 1000;

export async function withDrainLock<T>(db: QueryRunner, req: DrainLockRequest, fn: () => Promise<T>): Promise<T> {
  const sleep = async (ms: number) => {
    checkpoint(req.signal);
    await new Promise((r) => setTimeout(r, Math.min(ms, 100)));
    checkpoint(req.signal);
  };
  await acquireLock(db, { schema: req.schema, migration: req.migration, kind: 'drain', command: req.command, timeoutMs: WAIT_MS, sleep }, req.backendPid);
  try {
    return await fn();
  } finally {
    await releaseLock(db, 'drain', req.migration).catch(() => undefined);
  }
}
