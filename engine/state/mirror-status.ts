// The running mirror's heartbeat, one row per migration: who runs it, when it last beat, what it
// has applied, its rate and lag. status, plan and the console read it; a beat older than a few
// intervals means the mirror is not running, whatever the row says.
import type { QueryRunner } from '../db/query-runner.js';
import { quoteIdent } from '../db/sql-identifiers.js';

export interface MirrorStatus {
  pid: number;
  host: string;
  startedAt: string;
  /** the last beat, in the destination server's real time (liveness is never simulated) */
  beatAt: string;
  /** set when the mirror stopped cleanly */
  stoppedAt: string | null;
  /** changes applied since it started */
  applied: number;
  /** changes per second over the last interval */
  rate: number;
  /** age of the oldest change not yet applied at the last beat, in seconds */
  lagSeconds: number;
  /** changes waiting at the last beat */
  pending: number;
  /** seconds since the last beat, by the destination's clock now */
  ageSeconds: number;
}

export interface MirrorBeat {
  pid: number;
  host: string;
  applied: number;
  rate: number;
  lagSeconds: number;
  pending: number;
}

/** Starts the heartbeat: a mirror starting again replaces the row of the one before. */
export async function startMirrorStatus(db: QueryRunner, schema: string, migration: string, b: MirrorBeat): Promise<void> {
  await db.query(
    `INSERT INTO ${quoteIdent(schema)}.mirror_status AS m (migration, pid, host, started_at, beat_at, applied, rate, lag_seconds, pending)
     VALUES ($1, $2, $3, now(), now(), $4, $5, $6, $7)
     ON CONFLICT (migration) DO UPDATE SET pid = excluded.pid, host = excluded.host, started_at = now(), beat_at = now(),
       stopped_at = NULL, applied = excluded.applied, rate = excluded.rate, lag_seconds = excluded.lag_seconds, pending = excluded.pending`,
    [migration, b.pid, b.host, b.applied, b.rate, b.lagSeconds, b.pending]);
}

export async function beatMirrorStatus(db: QueryRunner, schema: string, migration: string, b: MirrorBeat): Promise<void> {
  await db.query(
    `UPDATE ${quoteIdent(schema)}.mirror_status SET beat_at = now(), applied = $3, rate = $4, lag_seconds = $5, pending = $6
     WHERE migration = $1 AND pid = $2`, [migration, b.pid, b.applied, b.rate, b.lagSeconds, b.pending]);
}

export async function stopMirrorStatus(db: QueryRunner, schema: string, migration: string, pid: number): Promise<void> {
  await db.query(`UPDATE ${quoteIdent(schema)}.mirror_status SET stopped_at = now(), rate = 0 WHERE migration = $1 AND pid = $2`, [migration, pid]);
}

interface Row {
  pid: number; host: string; started_at: Date; beat_at: Date; stopped_at: Date | null;
  applied: string; rate: number; lag_seconds: number; pending: string; age: number;
}

export async function readMirrorStatus(db: QueryRunner, schema: string, migration: string): Promise<MirrorStatus | undefined> {
  const { rows } = await db.query<Row>(
    `SELECT *, extract(epoch FROM now() - beat_at)::float8 AS age FROM ${quoteIdent(schema)}.mirror_status WHERE migration = $1`, [migration]);
  const r = rows[0];
  if (!r) return undefined;
  return {
    pid: r.pid, host: r.host, startedAt: r.started_at.toISOString(), beatAt: r.beat_at.toISOString(),
    stoppedAt: r.stopped_at?.toISOString() ?? null, applied: Number(r.applied), rate: r.rate, lagSeconds: r.lag_seconds,
    pending: Number(r.pending), ageSeconds: Math.max(0, r.age),
  };
}
