// The latest money, audit, attachment and custom-code check result per class, in state.
import type { QueryRunner } from '../db/query-runner.js';
import { quoteIdent } from '../db/sql-identifiers.js';
import { scrubDeep } from '../secrets.js';
import type { CheckResult } from '../diff/plan-result.js';

export async function writeCheck(db: QueryRunner, schema: string, migration: string, result: CheckResult): Promise<void> {
  await db.query(
    `INSERT INTO ${quoteIdent(schema)}.check_results (migration, class, kind, passed, checked_at, result) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (migration, class, kind) DO UPDATE SET passed = excluded.passed, checked_at = excluded.checked_at, result = excluded.result`,
    [migration, result.class, result.kind, result.passed, result.checkedAt, JSON.stringify(scrubDeep(result))]);
}

export async function readChecks(db: QueryRunner, schema: string, migration: string): Promise<CheckResult[]> {
  const { rows } = await db.query<{ result: CheckResult }>(
    `SELECT result FROM ${quoteIdent(schema)}.check_results WHERE migration = $1 ORDER BY class, kind`, [migration]);
  return rows.map((r) => r.result);
}

/** Forget the results of these classes' checks (`custom_code` for verify queries): they judged
 * rows that are gone. */
export async function forgetChecks(db: QueryRunner, schema: string, migration: string, classes: readonly string[]): Promise<void> {
  await db.query(`DELETE FROM ${quoteIdent(schema)}.check_results WHERE migration = $1 AND class = ANY($2)`, [migration, classes]);
}
