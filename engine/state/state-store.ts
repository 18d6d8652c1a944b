// Reads and writes cutover's state in the destination. Every write also bumps the migration's
// serial, so a saved plan can tell that state moved since it was made.
import type { QueryRunner } from '../db/query-runner.js';
import { quoteIdent } from '../db/sql-identifiers.js';
import { Failure } from '../failure.js';
import { scrubDeep } from '../secrets.js';
import type { Phase } from '../plan/types.js';
import { STATE_MIGRATIONS, STATE_VERSION } from './migrations.js';

export type StatePhase = Phase | 'rolled_back' | 'none';

export interface MigrationState {
  name: string;
  phase: StatePhase;
  clockKind: 'real' | 'simulated';
  planFingerprint: string | null;
  sourceFingerprint: string | null;
  sourceFingerprintParts: unknown;
  /** (role, application, client) seen on the source when it was locked */
  sourceConnections: string[] | null;
  serial: number;
  /** when each phase was reached, ISO, by the migration's clock */
  phaseTimes: Record<string, string>;
}

export interface AppliedResource {
  address: string;
  phase: string;
  attributes: Record<string, unknown>;
  appliedAt: string;
}

export interface StateSnapshot {
  /** the state schema exists and is at a version this cutover reads */
  exists: boolean;
  version: number;
  migration: MigrationState | null;
  resources: AppliedResource[];
}

export const EMPTY_STATE: StateSnapshot = { exists: false, version: 0, migration: null, resources: [] };

function sql(schema: string, text: string): string {
  return text.replace(/\{schema\}/g, quoteIdent(schema));
}

async function stateVersion(db: QueryRunner, schema: string): Promise<number> {
  const { rows } = await db.query<{ present: boolean }>(
    `SELECT to_regclass($1) IS NOT NULL AS present`, [`${quoteIdent(schema)}.state_version`]);
  if (!rows[0]?.present) return 0;
  const v = await db.query<{ version: number }>(sql(schema, 'SELECT max(version)::int AS version FROM {schema}.state_version'));
  return v.rows[0]?.version ?? 0;
}

/** Read-only: what state says about migration `name`; empty when nothing was ever applied. */
export async function readState(db: QueryRunner, schema: string, name: string): Promise<StateSnapshot> {
  const version = await stateVersion(db, schema);
  if (version === 0) return EMPTY_STATE;
  const m = await db.query<{
    name: string; phase: StatePhase; clock_kind: 'real' | 'simulated'; plan_fingerprint: string | null;
    source_fingerprint: string | null; source_fingerprint_parts: unknown; source_connections: string[] | null; serial: string; phase_times: Record<string, string>;
  }>(sql(schema, 'SELECT * FROM {schema}.migrations WHERE name = $1'), [name]);
  const row = m.rows[0];
  const resources = row
    ? (await db.query<{ address: string; phase: string; attributes: Record<string, unknown>; applied_at: Date }>(
        sql(schema, 'SELECT address, phase, attributes, applied_at FROM {schema}.resources WHERE migration = $1 ORDER BY address'), [name],
      )).rows.map((r) => ({ address: r.address, phase: r.phase, attributes: r.attributes, appliedAt: r.applied_at.toISOString() }))
    : [];
  return {
    exists: true,
    version,
    migration: row ? {
      name: row.name, phase: row.phase, clockKind: row.clock_kind, planFingerprint: row.plan_fingerprint,
      sourceFingerprint: row.source_fingerprint, sourceFingerprintParts: row.source_fingerprint_parts, serial: Number(row.serial),
      phaseTimes: row.phase_times, sourceConnections: row.source_connections,
    } : null,
    resources,
  };
}

/** Creates or upgrades the state schema. Callers hold the state lock; the upgrade itself is
 * serialised by a transaction-level advisory lock so two migrations sharing a schema cannot race. */
export async function ensureStateSchema(db: QueryRunner, schema: string): Promise<void> {
  await db.query('BEGIN');
  try {
    await db.query(`SELECT pg_advisory_xact_lock(hashtext('cutover state schema'), hashtext($1))`, [schema]);
    await db.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    await db.query(sql(schema, 'CREATE TABLE IF NOT EXISTS {schema}.state_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())'));
    const current = await stateVersion(db, schema);
    if (current > STATE_VERSION) {
      // an older cutover must not write state whose meaning it does not know
      throw new Failure('state.newer', `state schema ${schema} is at version ${current}, newer than this cutover understands (${STATE_VERSION})`,
        'run the cutover release that last wrote this state, or a newer one');
    }
    for (const m of STATE_MIGRATIONS.filter((x) => x.version > current)) {
      for (const statement of m.statements) await db.query(sql(schema, statement));
      await db.query(sql(schema, 'INSERT INTO {schema}.state_version (version) VALUES ($1)'), [m.version]);
    }
    await db.query('COMMIT');
  } catch (e) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

export async function ensureMigration(db: QueryRunner, schema: string, name: string, clockKind: 'real' | 'simulated'): Promise<void> {
  await db.query(sql(schema, `INSERT INTO {schema}.migrations (name, clock_kind) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`), [name, clockKind]);
}

export async function setPhase(db: QueryRunner, schema: string, name: string, phase: StatePhase, at: Date): Promise<void> {
  await db.query(sql(schema, `UPDATE {schema}.migrations SET phase = $2, serial = serial + 1, updated_at = $3,
      phase_times = phase_times || jsonb_build_object($2::text, $3::timestamptz) WHERE name = $1`), [name, phase, at]);
}

export async function setFingerprints(
  db: QueryRunner, schema: string, name: string, f: { plan?: string; source?: string; sourceParts?: unknown; connections?: string[] },
): Promise<void> {
  await db.query(sql(schema, `UPDATE {schema}.migrations SET
      plan_fingerprint = coalesce($2, plan_fingerprint),
      source_fingerprint = coalesce($3, source_fingerprint),
      source_fingerprint_parts = coalesce($4::jsonb, source_fingerprint_parts),
      source_connections = coalesce($5::jsonb, source_connections),
      serial = serial + 1 WHERE name = $1`),
  [name, f.plan ?? null, f.source ?? null, f.sourceParts === undefined ? null : JSON.stringify(f.sourceParts),
    f.connections === undefined ? null : JSON.stringify(f.connections)]);
}

export async function recordResource(
  db: QueryRunner, schema: string, name: string, r: { address: string; phase: string; attributes: Record<string, unknown> }, at: Date,
): Promise<void> {
  await db.query(sql(schema, `INSERT INTO {schema}.resources (migration, address, phase, attributes, applied_at)
      VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (migration, address) DO UPDATE SET phase = excluded.phase, attributes = excluded.attributes, applied_at = excluded.applied_at`),
  [name, r.address, r.phase, JSON.stringify(scrubDeep(r.attributes)), at]);
  await db.query(sql(schema, 'UPDATE {schema}.migrations SET serial = serial + 1 WHERE name = $1'), [name]);
}

export async function removeResource(db: QueryRunner, schema: string, name: string, address: string): Promise<void> {
  await db.query(sql(schema, 'DELETE FROM {schema}.resources WHERE migration = $1 AND address = $2'), [name, address]);
  await db.query(sql(schema, 'UPDATE {schema}.migrations SET serial = serial + 1 WHERE name = $1'), [name]);
}

export interface EventRecord {
  kind: string;
  address?: string;
  outcome: 'ok' | 'failed' | 'stopped' | 'started' | 'interrupted';
  detail?: Record<string, unknown>;
}

/** The one way into the event log. Callers pass what failed in its own words (an error's message,
 * a hook's output): the detail is scrubbed here, once, so no caller can store a secret it quotes. */
export async function appendEvent(
  db: QueryRunner, schema: string, name: string, e: EventRecord, ctx: { at: Date; actor: string; planFingerprint: string },
): Promise<void> {
  await db.query(sql(schema, `INSERT INTO {schema}.events (migration, at, actor, plan_fingerprint, kind, address, outcome, detail)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`),
  [name, ctx.at, ctx.actor, ctx.planFingerprint, e.kind, e.address ?? null, e.outcome, JSON.stringify(scrubDeep(e.detail ?? {}))]);
}

/** The latest event of `kind` with `outcome`, or undefined. */
export async function latestEvent(db: QueryRunner, schema: string, name: string, kind: string, outcome: EventRecord['outcome']): Promise<EventRow | undefined> {
  const { rows } = await db.query<{ id: string; at: Date; actor: string; kind: string; address: string | null; outcome: string; detail: Record<string, unknown> }>(
    sql(schema, 'SELECT id, at, actor, kind, address, outcome, detail FROM {schema}.events WHERE migration = $1 AND kind = $2 AND outcome = $3 ORDER BY id DESC LIMIT 1'),
    [name, kind, outcome]);
  const r = rows[0];
  return r ? { ...r, id: Number(r.id), at: r.at.toISOString() } : undefined;
}

/** Whether the event log records `kind` at `address` as done: records that are history, not resources. */
export async function hasSucceeded(db: QueryRunner, schema: string, name: string, kind: string, address: string): Promise<boolean> {
  const { rows } = await db.query<{ ok: boolean }>(
    sql(schema, `SELECT EXISTS (SELECT 1 FROM {schema}.events WHERE migration = $1 AND kind = $2 AND address = $3 AND outcome = 'ok') AS ok`),
    [name, kind, address]);
  return rows[0]?.ok === true;
}

export interface EventRow {
  id: number;
  at: string;
  actor: string;
  kind: string;
  address: string | null;
  outcome: string;
  detail: Record<string, unknown>;
}

export async function eventTail(db: QueryRunner, schema: string, name: string, limit: number): Promise<EventRow[]> {
  if ((await stateVersion(db, schema)) === 0) return [];
  const { rows } = await db.query<{ id: string; at: Date; actor: string; kind: string; address: string | null; outcome: string; detail: Record<string, unknown> }>(
    sql(schema, 'SELECT id, at, actor, kind, address, outcome, detail FROM {schema}.events WHERE migration = $1 ORDER BY id DESC LIMIT $2'), [name, limit]);
  return rows.reverse().map((r) => ({ ...r, id: Number(r.id), at: r.at.toISOString() }));
}
