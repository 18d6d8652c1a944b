// Data findings scan whole tables; they are cached per migration under a key made of the plan and
// source fingerprints and how far the data has moved, so a repeated `plan` is fast.
import type { QueryRunner } from '../db/query-runner.js';
import { quoteIdent } from '../db/sql-identifiers.js';
import { scrubDeep } from '../secrets.js';
import type { Finding } from '../diff/plan-result.js';

export async function readCachedFindings(db: QueryRunner, schema: string, name: string, key: string): Promise<Finding[] | undefined> {
  const { rows } = await db.query<{ findings: Finding[] }>(
    `SELECT findings FROM ${quoteIdent(schema)}.findings_cache WHERE migration = $1 AND cache_key = $2`, [name, key]);
  return rows[0]?.findings;
}

export async function writeCachedFindings(db: QueryRunner, schema: string, name: string, key: string, findings: Finding[]): Promise<void> {
  await db.query(
    `INSERT INTO ${quoteIdent(schema)}.findings_cache (migration, cache_key, computed_at, findings) VALUES ($1, $2, now(), $3)
     ON CONFLICT (migration) DO UPDATE SET cache_key = excluded.cache_key, computed_at = excluded.computed_at, findings = excluded.findings`,
    [name, key, JSON.stringify(scrubDeep(findings))]);
}
