// Where each class's copy stands, in state. The checkpoint is written in the same destination
// transaction as the batch it describes, so a kill can never separate rows from their record.
import type { QueryRunner } from '../db/query-runner.js';
import { quoteIdent } from '../db/sql-identifiers.js';

export interface CopyProgress {
  class: string;
  /** the copy snapshot (pg_current_snapshot) of the first batch: captured changes not visible in it are replayed */
  snapshot: string | null;
  /** source key values of the last row copied, in key order; null before the first batch */
  lastKey: unknown[] | null;
  rows: number;
  bytes: number;
  done: boolean;
  startedAt: string | null;
  finishedAt: string | null;
}

type Row = { class: string; snapshot: string | null; last_key: unknown[] | null; rows: string; bytes: string; done: boolean; started_at: Date | null; finished_at: Date | null };

const fromRow = (r: Row): CopyProgress => ({
  class: r.class, snapshot: r.snapshot, lastKey: r.last_key, rows: Number(r.rows), bytes: Number(r.bytes), done: r.done,
  startedAt: r.started_at?.toISOString() ?? null, finishedAt: r.finished_at?.toISOString() ?? null,
});

export async function readProgress(db: QueryRunner, schema: string, migration: string): Promise<CopyProgress[]> {
  const { rows } = await db.query<Row>(`SELECT * FROM ${quoteIdent(schema)}.copy_progress WHERE migration = $1 ORDER BY class`, [migration]);
  return rows.map(fromRow);
}

export async function startProgress(db: QueryRunner, schema: string, migration: string, cls: string, snapshot: string, at: Date): Promise<void> {
  await db.query(
    `INSERT INTO ${quoteIdent(schema)}.copy_progress (migration, class, snapshot, started_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (migration, class) DO NOTHING`, [migration, cls, snapshot, at]);
}

export async function advanceProgress(db: QueryRunner, schema: string, migration: string, cls: string, lastKey: unknown[], rows: number, bytes: number): Promise<void> {
  await db.query(
    `UPDATE ${quoteIdent(schema)}.copy_progress SET last_key = $3, rows = rows + $4, bytes = bytes + $5 WHERE migration = $1 AND class = $2`,
    [migration, cls, JSON.stringify(lastKey), rows, bytes]);
}

export async function finishProgress(db: QueryRunner, schema: string, migration: string, cls: string, at: Date): Promise<void> {
  await db.query(`UPDATE ${quoteIdent(schema)}.copy_progress SET done = true, finished_at = $3 WHERE migration = $1 AND class = $2`, [migration, cls, at]);
}

/** Forget a class's copy (its mapping changed, or an exception touched its table). */
export async function resetProgress(db: QueryRunner, schema: string, migration: string, cls: string): Promise<void> {
  await db.query(`DELETE FROM ${quoteIdent(schema)}.copy_progress WHERE migration = $1 AND class = $2`, [migration, cls]);
}
