// Each run of a hook (switch_reads, switch_writes, rollback, and their rehearsal twins): what ran,
// for which plan, how it ended and the tail of what it printed, so a go-live can be audited.
import type { QueryRunner } from '../db/query-runner.js';
import { quoteIdent } from '../db/sql-identifiers.js';
import { scrubText } from '../secrets.js';

/** the tail of a hook's output kept in state */
export const HOOK_OUTPUT_LIMIT = 8000;

export interface HookRun {
  hook: string;
  /** the phase the hook ran for */
  phase: string;
  planFingerprint: string;
  startedAt: string;
  /** null while it runs, or when cutover was killed before it ended */
  finishedAt: string | null;
  /** null when it ended by a signal, or has not ended */
  exitCode: number | null;
  /** the tail of its output, scrubbed of secrets by the caller */
  output: string;
}

/** The last `limit` characters of `output`, the end being what says why a hook failed. */
export function outputTail(output: string, limit = HOOK_OUTPUT_LIMIT): string {
  return output.length <= limit ? output : output.slice(output.length - limit);
}

export async function recordHookRun(db: QueryRunner, schema: string, migration: string, run: HookRun): Promise<void> {
  await db.query(
    `INSERT INTO ${quoteIdent(schema)}.hook_runs (migration, hook, phase, plan_fingerprint, started_at, finished_at, exit_code, output)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    // scrubbed once more: state must never hold a secret, whoever forgot
    [migration, run.hook, run.phase, run.planFingerprint, run.startedAt, run.finishedAt, run.exitCode, outputTail(scrubText(run.output))]);
}

/** The migration's hook runs, oldest first. */
export async function hookRuns(db: QueryRunner, schema: string, migration: string): Promise<HookRun[]> {
  const { rows } = await db.query<{
    hook: string; phase: string; plan_fingerprint: string; started_at: Date; finished_at: Date | null; exit_code: number | null; output: string;
  }>(`SELECT hook, phase, plan_fingerprint, started_at, finished_at, exit_code, output FROM ${quoteIdent(schema)}.hook_runs
      WHERE migration = $1 ORDER BY id`, [migration]);
  return rows.map((r) => ({
    hook: r.hook, phase: r.phase, planFingerprint: r.plan_fingerprint, startedAt: r.started_at.toISOString(),
    finishedAt: r.finished_at?.toISOString() ?? null, exitCode: r.exit_code, output: r.output,
  }));
}
