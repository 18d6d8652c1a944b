// Changes the destination refused while mirroring. The mirror parks a refused change and carries
// on; a parked change stays open until a retry applies it or someone resolves it, and the
// reads_switched gate opens only when none is open.
import type { QueryRunner } from '../db/query-runner.js';
import { quoteIdent } from '../db/sql-identifiers.js';
import { scrubText } from '../secrets.js';

export type ParkedOp = 'insert' | 'update' | 'delete';
/** `retried`: a retry by cutover applied it; `applied`: applied outside cutover; `superseded`: a
 * later change to the same row made it moot */
export type ParkedResolution = 'retried' | 'applied' | 'superseded';

export interface ParkedChangeInput {
  class: string;
  key: unknown[];
  op: ParkedOp;
  sourceXid: string;
  /** the destination's SQLSTATE, when it gave one */
  sqlstate: string | null;
  /** the destination's error, already scrubbed of secrets by the caller */
  message: string;
  /** the mapped source row the destination refused (null for a delete) */
  sourceRow: Record<string, unknown> | null;
}

export interface ParkedChange extends ParkedChangeInput {
  id: number;
  firstSeen: string;
  attempts: number;
  lastAttempt: string;
  resolvedAt: string | null;
  resolution: ParkedResolution | null;
}

interface ParkedRow {
  id: string; class: string; key: unknown[]; op: ParkedOp; source_xid: string; sqlstate: string | null; message: string; source_row: Record<string, unknown> | null;
  first_seen: Date; attempts: number; last_attempt: Date; resolved_at: Date | null; resolution: ParkedResolution | null;
}

function fromRow(r: ParkedRow): ParkedChange {
  return {
    id: Number(r.id), class: r.class, key: r.key, op: r.op, sourceXid: r.source_xid, sqlstate: r.sqlstate, message: r.message, sourceRow: r.source_row,
    firstSeen: r.first_seen.toISOString(), attempts: r.attempts, lastAttempt: r.last_attempt.toISOString(),
    resolvedAt: r.resolved_at?.toISOString() ?? null, resolution: r.resolution,
  };
}

/** Parks a refused change; the same change refused again counts one more attempt (and is open
 * again, with the latest error). Returns its id. */
export async function parkChange(db: QueryRunner, schema: string, migration: string, c: ParkedChangeInput, at: Date): Promise<number> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO ${quoteIdent(schema)}.parked_changes AS p (migration, class, key, op, source_xid, sqlstate, message, first_seen, last_attempt, source_row)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)
     ON CONFLICT (migration, class, key, op, source_xid) DO UPDATE SET attempts = p.attempts + 1, last_attempt = excluded.last_attempt,
       sqlstate = excluded.sqlstate, message = excluded.message, source_row = excluded.source_row, resolved_at = NULL, resolution = NULL
     RETURNING id`,
    // scrubbed once more: state must never hold a secret, whoever forgot
    [migration, c.class, JSON.stringify(c.key), c.op, c.sourceXid, c.sqlstate, scrubText(c.message), at, c.sourceRow === null ? null : JSON.stringify(c.sourceRow)]);
  return Number(rows[0]!.id);
}

/** Parked changes in the order they were first parked: the open ones, or all of them. */
export async function listParked(db: QueryRunner, schema: string, migration: string, which: 'open' | 'all' = 'open'): Promise<ParkedChange[]> {
  const { rows } = await db.query<ParkedRow>(
    `SELECT * FROM ${quoteIdent(schema)}.parked_changes WHERE migration = $1 ${which === 'open' ? 'AND resolved_at IS NULL' : ''} ORDER BY id`,
    [migration]);
  return rows.map(fromRow);
}

export async function countOpenParked(db: QueryRunner, schema: string, migration: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${quoteIdent(schema)}.parked_changes WHERE migration = $1 AND resolved_at IS NULL`, [migration]);
  return rows[0]?.n ?? 0;
}

/** A retry of an open parked change: applied, it is resolved as `retried`; refused again, it stays
 * open with one more attempt and the new error (scrubbed by the caller). */
export async function markRetried(
  db: QueryRunner, schema: string, migration: string, id: number, at: Date,
  outcome: { applied: true } | { applied: false; sqlstate: string | null; message: string },
): Promise<void> {
  const s = quoteIdent(schema);
  if (outcome.applied) {
    await db.query(
      `UPDATE ${s}.parked_changes SET attempts = attempts + 1, last_attempt = $3, resolved_at = $3, resolution = 'retried'
       WHERE migration = $1 AND id = $2 AND resolved_at IS NULL`, [migration, id, at]);
    return;
  }
  await db.query(
    `UPDATE ${s}.parked_changes SET attempts = attempts + 1, last_attempt = $3, sqlstate = $4, message = $5
     WHERE migration = $1 AND id = $2 AND resolved_at IS NULL`,
    [migration, id, at, outcome.sqlstate, scrubText(outcome.message)]);
}

/** Closes an open parked change. False when there is no such open change. */
export async function resolveParked(
  db: QueryRunner, schema: string, migration: string, id: number, resolution: ParkedResolution, at: Date,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE ${quoteIdent(schema)}.parked_changes SET resolved_at = $3, resolution = $4 WHERE migration = $1 AND id = $2 AND resolved_at IS NULL`,
    [migration, id, at, resolution]);
  return (rowCount ?? 0) > 0;
}
