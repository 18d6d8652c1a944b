// Reading the capture log: what waits to be drained per class, and what an audit class's log
// holds as evidence. Every read and write of the log's rows lives here; the objects that fill it
// are in capture-objects.ts.
import type { QueryRunner } from '../db/query-runner.js';
import { quoteLiteral } from '../db/sql-identifiers.js';
import { captureLogTable } from './capture-objects.js';

/** A class and the snapshot its copy read: log rows that snapshot already saw are no change. */
export interface CaptureBaseline {
  cls: string;
  copySnapshot: string;
  /** the position of a drain that covered this class: log rows it saw were applied, even where a
   * crash kept the log from being cleaned after the destination committed */
  position?: string;
}

/** `JOIN … base` over (class, copy snapshot, position) rows, and the condition that a row is a
 * change the copy did not see and no drain has applied. */
function pending(baselines: readonly CaptureBaseline[]): { join: string; where: string } {
  const values = baselines.map((b) =>
    `(${quoteLiteral(b.cls)}, ${quoteLiteral(b.copySnapshot)}::pg_snapshot, ${b.position ? quoteLiteral(b.position) : 'NULL'}::pg_snapshot)`).join(', ');
  return {
    join: `JOIN (VALUES ${values}) AS base(class, snap, pos) ON base.class = l.class`,
    where: 'NOT l.applied AND NOT pg_visible_in_snapshot(l.xid, base.snap) AND (base.pos IS NULL OR NOT pg_visible_in_snapshot(l.xid, base.pos))',
  };
}

export async function logPresent(db: QueryRunner, schema: string, migration: string): Promise<boolean> {
  const { rows } = await db.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [captureLogTable(schema, migration)]);
  return rows[0]?.present === true;
}

/** Per class, the captured changes no drain has applied yet. */
export async function pendingByClass(db: QueryRunner, schema: string, migration: string, baselines: readonly CaptureBaseline[]): Promise<Map<string, number>> {
  if (baselines.length === 0 || !(await logPresent(db, schema, migration))) return new Map();
  const p = pending(baselines);
  const { rows } = await db.query<{ class: string; n: string }>(
    `SELECT l.class, count(*)::text AS n FROM ${captureLogTable(schema, migration)} AS l ${p.join} WHERE ${p.where} GROUP BY l.class`);
  return new Map(rows.map((r) => [r.class, Number(r.n)]));
}

/** The age in seconds, by the source server's real clock, of the oldest captured change no drain
 * has applied (0 when none waits): the mirror's lag. */
export async function oldestPendingAge(db: QueryRunner, schema: string, migration: string, baselines: readonly CaptureBaseline[]): Promise<number> {
  if (baselines.length === 0 || !(await logPresent(db, schema, migration))) return 0;
  const p = pending(baselines);
  const { rows } = await db.query<{ age: number | null }>(
    `SELECT extract(epoch FROM clock_timestamp() - min(l.captured_at))::float8 AS age FROM ${captureLogTable(schema, migration)} AS l ${p.join} WHERE ${p.where}`);
  return Math.max(0, rows[0]?.age ?? 0);
}

/** The classes among `baselines` whose table was truncated after their copy: no drain can mirror that. */
export async function truncatedClasses(db: QueryRunner, schema: string, migration: string, baselines: readonly CaptureBaseline[]): Promise<string[]> {
  if (baselines.length === 0) return [];
  const p = pending(baselines);
  const { rows } = await db.query<{ cls: string }>(
    `SELECT DISTINCT l.class AS cls FROM ${captureLogTable(schema, migration)} AS l ${p.join} WHERE ${p.where} AND l.op = 'T' ORDER BY 1`);
  return rows.map((r) => r.cls);
}

/**
 * One class's changed keys (new and old), as the calling session's snapshot sees the log — whole
 * transactions, since a transaction's rows become visible together — each value cast through its
 * key column's type (`keyTypes`, in key order) to text, so `2026-01-01T00:00` and
 * `2026-01-01 00:00:00` are one key. DISTINCT over the keys' text: json has no equality operator.
 */
export async function pendingKeys(db: QueryRunner, schema: string, migration: string, baseline: CaptureBaseline, keyTypes: readonly string[]): Promise<unknown[][]> {
  const p = pending([baseline]);
  const log = captureLogTable(schema, migration);
  const typed = keyTypes.map((type, i) => `(v ->> ${i})::${type}::text`).join(', ');
  const { rows } = await db.query<{ k: unknown[] }>(
    `SELECT t::json AS k FROM (SELECT DISTINCT json_build_array(${typed})::text AS t FROM (
       SELECT l.key AS v FROM ${log} AS l ${p.join} WHERE ${p.where} AND l.op <> 'T'
       UNION ALL
       SELECT l.old_key FROM ${log} AS l ${p.join} WHERE ${p.where} AND l.old_key IS NOT NULL
     ) x) d`);
  return rows.map((r) => r.k);
}

/**
 * After a drain to `snapshot` has committed on the other side: its rows are deleted, but an audit
 * class's updates and deletes, kept (marked applied) as the evidence its check reports. Rows a
 * class's copy already saw go too.
 */
export async function retireDrained(db: QueryRunner, schema: string, migration: string, snapshot: string, classes: readonly string[], auditClasses: readonly string[]): Promise<void> {
  if (classes.length === 0) return;
  const log = captureLogTable(schema, migration);
  const visible = `pg_visible_in_snapshot(xid, ${quoteLiteral(snapshot)}::pg_snapshot) AND class = ANY($1) AND NOT applied`;
  await db.query(`UPDATE ${log} SET applied = true WHERE ${visible} AND class = ANY($2) AND op IN ('U', 'D', 'T')`, [classes, auditClasses]);
  await db.query(`DELETE FROM ${log} WHERE ${visible}`, [classes]);
}

export interface LoggedRewrite {
  op: 'U' | 'D' | 'T';
  key: unknown;
  oldKey: unknown;
  at: string;
  updates: number;
  deletes: number;
  truncates: number;
}

/** An audit class's captured updates, deletes and truncates (applied or not), the first `limit`
 * in log order, each row carrying the totals; undefined where the log is not there. */
export async function loggedRewrites(db: QueryRunner, schema: string, migration: string, cls: string, limit: number): Promise<LoggedRewrite[] | undefined> {
  if (!(await logPresent(db, schema, migration))) return undefined;
  const { rows } = await db.query<{ op: LoggedRewrite['op']; key: unknown; old_key: unknown; at: string; u: string; d: string; t: string }>(
    `SELECT c.op::text AS op, c.key, c.old_key,
            replace(to_char(c.captured_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), '.000000', '') || 'Z' AS at,
            (count(*) FILTER (WHERE c.op = 'U') OVER ())::text AS u,
            (count(*) FILTER (WHERE c.op = 'D') OVER ())::text AS d,
            (count(*) FILTER (WHERE c.op = 'T') OVER ())::text AS t
       FROM ${captureLogTable(schema, migration)} AS c WHERE c.class = $1 AND c.op IN ('U', 'D', 'T') ORDER BY c.id LIMIT ${limit}`, [cls]);
  return rows.map((r) => ({ op: r.op, key: r.key, oldKey: r.old_key, at: r.at, updates: Number(r.u), deletes: Number(r.d), truncates: Number(r.t) }));
}
