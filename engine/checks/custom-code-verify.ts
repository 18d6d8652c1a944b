// Custom code `verify` queries (spec: "custom code … `verify` queries run at round-trip, rehearsal
// and every compare"): each `reimplemented` entry may carry a query returning the destination keys
// where the re-implementation disagrees with what the source's code would have done. Zero rows
// passes; any row fails the entry.
//
// Each query runs on the destination in a READ ONLY transaction of its own (or, when the caller
// holds a transaction, under a savepoint in it), so a verify query cannot write, and one that fails
// does not stop the others. The query is wrapped as a subquery so that only its first 20 rows cross
// the wire while the total is still counted (count(*) OVER ()); each sample row is an array of its
// values in column order (read through json, so duplicate column names are kept): integers that
// fit a JS number as numbers, other numbers and everything else as text, NULL as null.
import type { QueryRunner } from '../db/query-runner.js';
import type { CheckResult } from '../diff/plan-result.js';
import type { CustomCodeEntry, Plan } from '../plan/types.js';
import { plural } from '../words.js';

export interface RunVerifyInput {
  plan: Plan;
  destination: QueryRunner;
  checkedAt: Date;
  /** the caller holds the destination in a transaction: run each query under a savepoint in it */
  destinationInTransaction?: boolean;
}

const SAMPLES = 20;
const SAVEPOINT = 'cutover_verify';

/** The plan's statement as a subquery: trailing semicolons dropped, on lines of its own. */
function asSubquery(sql: string): string {
  return `(\n${sql.trim().replace(/[;\s]+$/, '')}\n)`;
}

function wrapped(sql: string): string {
  return `SELECT (count(*) OVER ())::text AS total,
       (SELECT json_agg(json_build_array(json_typeof(e.value), e.value #>> '{}') ORDER BY e.i)
          FROM json_each(row_to_json(v)) WITH ORDINALITY AS e(k, value, i)) AS vals
  FROM ${asSubquery(sql)} AS v
 LIMIT ${SAMPLES}`;
}

function value([type, text]: [string, string | null]): unknown {
  if (text === null || type === 'null') return null;
  if (type === 'number') {
    const n = Number(text);
    return /^-?\d+$/.test(text) && Number.isSafeInteger(n) ? n : text;
  }
  if (type === 'boolean') return text === 'true';
  return text;
}

async function runOne(db: QueryRunner, sql: string, inTransaction: boolean): Promise<{ ok: true; total: number; rows: unknown[][] } | { ok: false; message: string }> {
  const begin = inTransaction ? `SAVEPOINT ${SAVEPOINT}` : 'BEGIN TRANSACTION READ ONLY';
  await db.query(begin);
  try {
    const { rows } = await db.query<{ total: string; vals: [string, string | null][] | null }>(wrapped(sql));
    await db.query(inTransaction ? `RELEASE SAVEPOINT ${SAVEPOINT}` : 'ROLLBACK');
    return { ok: true, total: Number(rows[0]?.total ?? 0), rows: rows.map((r) => (r.vals ?? []).map(value)) };
  } catch (e) {
    const err = e as { message?: string; code?: string };
    // a lost connection is not the verify query's fault
    if (typeof err.code === 'string' && ['08', '57', '53', '58', 'XX'].includes(err.code.slice(0, 2))) throw e;
    await db.query(inTransaction ? `ROLLBACK TO SAVEPOINT ${SAVEPOINT}` : 'ROLLBACK').catch(() => undefined);
    if (inTransaction) await db.query(`RELEASE SAVEPOINT ${SAVEPOINT}`).catch(() => undefined);
    return { ok: false, message: err.message ?? String(e) };
  }
}

function names(entry: CustomCodeEntry): string {
  return `${entry.source} → ${entry.reimplemented}`;
}

export async function runVerifyQueries(input: RunVerifyInput): Promise<CheckResult> {
  const entries = (input.plan.custom_code ?? []).filter((e) => e.reimplemented !== undefined);
  const withVerify = entries.filter((e) => typeof e.verify === 'string' && e.verify.trim() !== '');
  const problems: CheckResult['problems'] = [];
  const outcomes: { source: string; reimplemented: string; outcome: 'passed' | 'failed' | 'error'; rows?: number; error?: string }[] = [];

  for (const entry of withVerify) {
    const outcome = await runOne(input.destination, entry.verify!, input.destinationInTransaction === true);
    if (!outcome.ok) {
      problems.push({ kind: 'verify-error', count: 1, samples: [], detail: `the verify query of ${names(entry)} failed: ${outcome.message}` });
      outcomes.push({ source: entry.source, reimplemented: entry.reimplemented!, outcome: 'error', error: outcome.message });
    } else if (outcome.total > 0) {
      problems.push({
        kind: 'verify-failed', count: outcome.total, samples: outcome.rows,
        detail: `${names(entry)}: the verify query returned ${plural(outcome.total, 'row')} where the re-implementation disagrees`,
      });
      outcomes.push({ source: entry.source, reimplemented: entry.reimplemented!, outcome: 'failed', rows: outcome.total });
    } else {
      outcomes.push({ source: entry.source, reimplemented: entry.reimplemented!, outcome: 'passed', rows: 0 });
    }
  }

  const passed = outcomes.filter((o) => o.outcome === 'passed').length;
  const failed = outcomes.filter((o) => o.outcome === 'failed').length;
  const errors = outcomes.filter((o) => o.outcome === 'error').length;
  const unverified = entries.length - withVerify.length;
  const parts = [
    plural(withVerify.length, 'verify query', 'verify queries'),
    `${passed} passed`,
    ...(failed ? [`${failed} failed`] : []),
    ...(errors ? [`${errors} could not run`] : []),
  ];
  const summary = `${parts[0]}: ${parts.slice(1).join(', ')}${unverified ? `; ${unverified} re-implemented entr${unverified === 1 ? 'y has' : 'ies have'} no verify query` : ''}`;

  return {
    class: 'custom_code',
    kind: 'custom-code',
    passed: problems.length === 0,
    checkedAt: input.checkedAt.toISOString(),
    summary,
    problems,
    details: { entries: outcomes, unverified: entries.filter((e) => !e.verify || e.verify.trim() === '').map((e) => ({ source: e.source, reimplemented: e.reimplemented })) },
  };
}
