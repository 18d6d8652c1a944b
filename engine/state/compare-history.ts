// Every compare of dual-run and the tail window, named by the time it ran. A failed compare is
// kept for good (the table refuses to change or drop one): `dual_run.resolutions` names it by that
// time, and the reads_switched gate asks for every failed compare in the window to be resolved.
import type { QueryRunner } from '../db/query-runner.js';
import { quoteIdent } from '../db/sql-identifiers.js';
import { Failure } from '../failure.js';
import { scrubDeep } from '../secrets.js';

export type CompareMode = 'count' | 'hash' | 'exact';

/** the differing keys kept per class: enough to investigate, not a copy of the table */
export const COMPARE_SAMPLE_LIMIT = 20;

export interface CompareRun {
  /** when it ran, ISO: its name */
  at: string;
  mode: CompareMode;
  snapshot: string | null;
  clean: boolean;
  /** per class: what the compare found, e.g. counts on both sides */
  summary: Record<string, unknown>;
  durationMs: number;
}

export interface CompareSample {
  class: string;
  /** how many keys differed */
  differing: number;
  /** the first of them, at most COMPARE_SAMPLE_LIMIT */
  keys: unknown[][];
}

interface RunRow { at: Date; mode: CompareMode; snapshot: string | null; clean: boolean; summary: Record<string, unknown>; duration_ms: number }

const RUN_COLUMNS = 'at, mode, snapshot, clean, summary, duration_ms';

function fromRow(r: RunRow): CompareRun {
  return { at: r.at.toISOString(), mode: r.mode, snapshot: r.snapshot, clean: r.clean, summary: r.summary, durationMs: r.duration_ms };
}

const UNIQUE_VIOLATION = '23505';

/** Records a compare and the keys that differed. A compare already recorded at that time is never
 * replaced: recording one again is a `state.compare_exists` failure. */
export async function recordCompare(
  db: QueryRunner, schema: string, migration: string, run: CompareRun, samples: readonly CompareSample[],
): Promise<void> {
  const s = quoteIdent(schema);
  const kept = samples.map((x) => ({ class: x.class, differing: x.differing, keys: x.keys.slice(0, COMPARE_SAMPLE_LIMIT) }));
  try {
    // one statement: a compare is never recorded without its samples
    await db.query(
      `WITH run AS (INSERT INTO ${s}.compare_runs (migration, ${RUN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING migration, at)
       INSERT INTO ${s}.compare_samples (migration, at, class, differing, keys)
       SELECT run.migration, run.at, x.class, x.differing, x.keys FROM run, jsonb_to_recordset($8::jsonb) AS x(class text, differing bigint, keys jsonb)`,
      [migration, run.at, run.mode, run.snapshot, run.clean, JSON.stringify(scrubDeep(run.summary)), Math.round(run.durationMs),
        JSON.stringify(scrubDeep(kept))]);
  } catch (e) {
    const error = e as { code?: string; constraint?: string };
    if (error.code !== UNIQUE_VIOLATION || error.constraint !== 'compare_runs_pkey') throw e;
    throw new Failure('state.compare_exists', `a compare at ${run.at} is already recorded for migration ${migration}`,
      'a recorded compare is never replaced; record the new one at the time it ran');
  }
}

/** The latest compares, newest first. */
export async function compareHistory(db: QueryRunner, schema: string, migration: string, limit: number): Promise<CompareRun[]> {
  const { rows } = await db.query<RunRow>(
    `SELECT ${RUN_COLUMNS} FROM ${quoteIdent(schema)}.compare_runs WHERE migration = $1 ORDER BY at DESC LIMIT $2`, [migration, limit]);
  return rows.map(fromRow);
}

/** The latest clean compare, if any. */
export async function lastCleanCompare(db: QueryRunner, schema: string, migration: string): Promise<CompareRun | null> {
  const { rows } = await db.query<RunRow>(
    `SELECT ${RUN_COLUMNS} FROM ${quoteIdent(schema)}.compare_runs WHERE migration = $1 AND clean ORDER BY at DESC LIMIT 1`, [migration]);
  return rows[0] ? fromRow(rows[0]) : null;
}

/** The failed compares at or after `since`, oldest first: those a gate asks to be resolved. */
export async function failedComparesSince(db: QueryRunner, schema: string, migration: string, since: Date): Promise<CompareRun[]> {
  const { rows } = await db.query<RunRow>(
    `SELECT ${RUN_COLUMNS} FROM ${quoteIdent(schema)}.compare_runs WHERE migration = $1 AND NOT clean AND at >= $2 ORDER BY at`,
    [migration, since]);
  return rows.map(fromRow);
}

/** The compare a resolution names, with its samples. A resolution written to the second
 * (`2026-12-03T14:00:00Z`) names the one compare within that second; null when there is none, or
 * more than one. */
export async function compareAt(
  db: QueryRunner, schema: string, migration: string, at: Date,
): Promise<{ run: CompareRun; samples: CompareSample[] } | null> {
  const s = quoteIdent(schema);
  const { rows } = await db.query<RunRow>(
    `SELECT ${RUN_COLUMNS} FROM ${s}.compare_runs WHERE migration = $1
       AND (at = $2 OR ($2 = date_trunc('second', $2::timestamptz) AND date_trunc('second', at) = $2))
     ORDER BY at = $2 DESC, at LIMIT 2`, [migration, at]);
  const exact = rows[0] && rows[0].at.getTime() === at.getTime();
  if (rows.length === 0 || (!exact && rows.length > 1)) return null;
  const run = rows[0]!;
  const samples = await db.query<{ class: string; differing: string; keys: unknown[][] }>(
    `SELECT class, differing, keys FROM ${s}.compare_samples WHERE migration = $1 AND at = $2 ORDER BY class`, [migration, run.at]);
  return { run: fromRow(run), samples: samples.rows.map((r) => ({ class: r.class, differing: Number(r.differing), keys: r.keys })) };
}

/** A compare as the reads_switched gate weighs it: when it ran, whether it was clean, and how many
 * keys differed in each class that differed. */
export interface CompareOutcome {
  at: string;
  clean: boolean;
  differing: { class: string; count: number }[];
}

/** Every compare at or after `since`, oldest first, each with the classes whose keys differed: the
 * cadence is judged on all of them, so only what that needs is read. */
export async function compareOutcomesSince(db: QueryRunner, schema: string, migration: string, since: Date): Promise<CompareOutcome[]> {
  const s = quoteIdent(schema);
  const { rows } = await db.query<{ at: Date; clean: boolean; differing: { class: string; count: number }[] }>(
    `SELECT r.at, r.clean, coalesce(
         (SELECT json_agg(json_build_object('class', x.class, 'count', x.differing) ORDER BY x.class)
          FROM ${s}.compare_samples x WHERE x.migration = r.migration AND x.at = r.at AND x.differing > 0), '[]') AS differing
     FROM ${s}.compare_runs r WHERE r.migration = $1 AND r.at >= $2 ORDER BY r.at`, [migration, since]);
  return rows.map((r) => ({ at: r.at.toISOString(), clean: r.clean, differing: r.differing.map((d) => ({ class: d.class, count: Number(d.count) })) }));
}
