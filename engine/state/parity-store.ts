// The latest parity result of each class, kept in state so plan, apply and status show it and the
// dual_run gate reads it.
import type { QueryRunner } from '../db/query-runner.js';
import { quoteIdent } from '../db/sql-identifiers.js';
import { scrubDeep } from '../secrets.js';
import type { ParityResult } from '../diff/plan-result.js';

export async function writeParity(db: QueryRunner, schema: string, migration: string, result: ParityResult): Promise<void> {
  await db.query(
    `INSERT INTO ${quoteIdent(schema)}.parity_results (migration, class, passed, checked_at, result) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (migration, class) DO UPDATE SET passed = excluded.passed, checked_at = excluded.checked_at, result = excluded.result`,
    [migration, result.class, result.passed, result.checkedAt, JSON.stringify(scrubDeep(result))]);
}

export async function readParity(db: QueryRunner, schema: string, migration: string): Promise<ParityResult[]> {
  const { rows } = await db.query<{ result: ParityResult }>(
    `SELECT result FROM ${quoteIdent(schema)}.parity_results WHERE migration = $1 ORDER BY class`, [migration]);
  return rows.map((r) => r.result);
}

/** A class copied again: its parity judged rows that are gone, and must not be shown as a result. */
export async function forgetParity(db: QueryRunner, schema: string, migration: string, cls: string): Promise<void> {
  await db.query(`DELETE FROM ${quoteIdent(schema)}.parity_results WHERE migration = $1 AND class = $2`, [migration, cls]);
}
