// Reading one consistent snapshot of a side: a read-only REPEATABLE READ transaction, ended with
// ROLLBACK so a check can never write. A caller that already holds the snapshot passes
// managed = false and ends it itself.
import type { QueryRunner } from './query-runner.js';

export const SNAPSHOT = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';

export async function inTransaction<T>(db: QueryRunner, managed: boolean, work: () => Promise<T>): Promise<T> {
  if (!managed) return work();
  await db.query(SNAPSHOT);
  try {
    return await work();
  } finally {
    await db.query('ROLLBACK').catch(() => undefined);
  }
}

/** Promise.all that waits for every side to finish (so no session is still busy when this returns
 * or throws), then throws the first failure. */
export async function settleAll<T extends readonly unknown[]>(work: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(work as readonly Promise<unknown>[]);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
