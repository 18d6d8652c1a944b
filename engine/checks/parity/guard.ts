// Plan-supplied SQL (computed expressions, checks, relationships) runs on the destination inside
// the parity transaction; each statement gets a savepoint, so one that fails is reported as a
// failed check and the transaction carries on with the next.
import type { QueryRunner } from '../../db/query-runner.js';

export type Guarded<T> = { ok: true; value: T } | { ok: false; message: string };

const SAVEPOINT = 'cutover_parity_check';

export async function guarded<T>(db: QueryRunner, run: () => Promise<T>): Promise<Guarded<T>> {
  await db.query(`SAVEPOINT ${SAVEPOINT}`);
  try {
    const value = await run();
    await db.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
    return { ok: true, value };
  } catch (e) {
    await db.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
    await db.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
    return { ok: false, message: (e as Error).message ?? String(e) };
  }
}

/** A statement the plan wrote, ready to be a subquery: no trailing semicolon. */
export function asSubquery(sql: string): string {
  return sql.trim().replace(/;+\s*$/, '');
}
