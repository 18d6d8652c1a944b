// Where draining the capture log stands: one snapshot per migration and direction, written in the
// destination transaction that applied the changes up to it, so a crash leaves the position and
// the data agreeing.
import type { QueryRunner } from '../db/query-runner.js';
import { quoteIdent } from '../db/sql-identifiers.js';

export type CaptureDirection = 'forward' | 'reverse';

export interface CapturePosition {
  snapshot: string;
  applied: number;
  updatedAt: Date;
}

export async function readCapturePosition(db: QueryRunner, schema: string, migration: string, direction: CaptureDirection = 'forward'): Promise<CapturePosition | undefined> {
  const { rows } = await db.query<{ snapshot: string; applied: string; updated_at: Date }>(
    `SELECT snapshot, applied::text, updated_at FROM ${quoteIdent(schema)}.capture_log_positions WHERE migration = $1 AND direction = $2`,
    [migration, direction]);
  const r = rows[0];
  return r ? { snapshot: r.snapshot, applied: Number(r.applied), updatedAt: r.updated_at } : undefined;
}

/** Call inside the transaction that applied `applied` changes up to `snapshot`. */
export async function advanceCapturePosition(
  db: QueryRunner, schema: string, migration: string, snapshot: string, applied: number, direction: CaptureDirection = 'forward',
): Promise<void> {
  await db.query(
    `INSERT INTO ${quoteIdent(schema)}.capture_log_positions (migration, direction, snapshot, applied, updated_at) VALUES ($1, $2, $3, $4, now())
     ON CONFLICT (migration, direction) DO UPDATE SET snapshot = excluded.snapshot,
       applied = capture_log_positions.applied + excluded.applied, updated_at = now()`,
    [migration, direction, snapshot, applied]);
}
