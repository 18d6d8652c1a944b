// Rehearsals (`cutover rehearse`), kept by the fingerprint of the plan they rehearsed: the
// reads_switched gate asks for a passed rollback rehearsal of this very plan, so a changed plan
// must be rehearsed again.
import type { QueryRunner } from '../db/query-runner.js';
import { quoteIdent } from '../db/sql-identifiers.js';
import { scrubDeep } from '../secrets.js';

export type RehearsalKind = 'rollback' | 'switch_reads' | 'switch_writes';

export interface Rehearsal {
  planFingerprint: string;
  kind: RehearsalKind;
  startedAt: string;
  finishedAt: string;
  passed: boolean;
  /** what it found: per direction, lossy columns, verify queries, hook exits */
  detail: Record<string, unknown>;
}

export async function recordRehearsal(db: QueryRunner, schema: string, migration: string, r: Rehearsal): Promise<void> {
  await db.query(
    `INSERT INTO ${quoteIdent(schema)}.rehearsals (migration, plan_fingerprint, kind, started_at, finished_at, passed, detail)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [migration, r.planFingerprint, r.kind, r.startedAt, r.finishedAt, r.passed, JSON.stringify(scrubDeep(r.detail))]);
}

/** The latest rehearsal of `kind` for the plan with this fingerprint, passed or not; null when it
 * was never rehearsed. */
export async function rehearsalFor(
  db: QueryRunner, schema: string, migration: string, planFingerprint: string, kind: RehearsalKind = 'rollback',
): Promise<Rehearsal | null> {
  const { rows } = await db.query<{ started_at: Date; finished_at: Date; passed: boolean; detail: Record<string, unknown> }>(
    `SELECT started_at, finished_at, passed, detail FROM ${quoteIdent(schema)}.rehearsals
      WHERE migration = $1 AND plan_fingerprint = $2 AND kind = $3 ORDER BY id DESC LIMIT 1`, [migration, planFingerprint, kind]);
  const r = rows[0];
  return r ? { planFingerprint, kind, startedAt: r.started_at.toISOString(), finishedAt: r.finished_at.toISOString(), passed: r.passed, detail: r.detail } : null;
}
