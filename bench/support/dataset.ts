// The benchmark's class: `public.items` on the source, N rows x 10 columns (int key, text, varchar,
// numeric, timestamp, boolean, bigint, date, jsonb, uuid), and its mapped destination table (bigint
// key, cents, timestamptz, uuid as text…), filled through 10 mapping expressions: casts, lower()
// and upper(), arithmetic, a jsonb operator, and timestamp → timestamptz through source_timezone.
//
// Databases: the source server holds `bench` (public.items only, so the plan accounts for every
// table of `public`). The destination server holds one database per method, so no method sees
// another's tables: `raw` (items with the source's own types, for the raw pipe), `engine`
// (mapped items plus cutover's state schema, for copyClass and parity), `cli` (mapped items, for
// `cutover apply`), `restore` (for pg_restore).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { lockSection, planHead } from '../../test/support/plan-folder.js';
import type { Servers } from './servers.js';

export const SOURCE_DB = 'bench';
export const RAW_DB = 'raw';
export const ENGINE_DB = 'engine';
export const CLI_DB = 'cli';
export const RESTORE_DB = 'restore';
export const CLASS = 'items';
export const MIGRATION = 'bench-copy';
export const STATE_SCHEMA = 'cutover';

const SOURCE_COLUMNS = `
  id integer PRIMARY KEY,
  name text NOT NULL,
  code varchar(16) NOT NULL,
  amount numeric(12,2) NOT NULL,
  created_at timestamp NOT NULL,
  active boolean,
  hits bigint NOT NULL,
  day date NOT NULL,
  attrs jsonb,
  ref uuid NOT NULL`;

const DESTINATION_COLUMNS = `
  id bigint PRIMARY KEY,
  name text NOT NULL,
  code varchar(16) NOT NULL,
  amount_cents bigint NOT NULL,
  created_at timestamptz NOT NULL,
  active boolean NOT NULL,
  hits bigint NOT NULL,
  day date NOT NULL,
  attrs jsonb,
  ref text NOT NULL`;

/** destination column → mapping expression over the source row (as in the plan) */
export const MAPPING: Record<string, string> = {
  id: 'id::bigint',
  name: 'lower(name)',
  code: 'upper(code)',
  amount_cents: 'round(amount * 100)::bigint',
  created_at: 'created_at',
  active: 'coalesce(active, false)',
  hits: 'hits + 1',
  // quoted: cutover's column reader takes a bare `day` for the SQL keyword (as in `interval '1' day`)
  // and would report source column `day` as unmapped
  day: '"day" + 1',
  attrs: `attrs || '{"migrated": true}'::jsonb`,
  ref: 'ref::text',
};

/** Timestamps every 97 s from 2015 (1M rows span three years, crossing six DST transitions). */
function fillSql(rows: number): string {
  return `INSERT INTO public.items
SELECT i,
  'Customer ' || i || ' ' || substr(md5(i::text), 1, 12),
  'c-' || substr(md5((i * 7)::text), 1, 10),
  round((i % 100000) * 1.37 + 0.01, 2),
  timestamp '2015-01-01' + i * interval '97 seconds',
  CASE WHEN i % 50 = 0 THEN NULL ELSE i % 3 <> 0 END,
  i::bigint * 1000003,
  date '2000-01-01' + (i % 9000),
  CASE WHEN i % 10 = 0 THEN NULL ELSE jsonb_build_object('n', i, 'tag', 't' || (i % 97), 'even', i % 2 = 0) END,
  md5(i::text)::uuid
FROM generate_series(1, ${Math.trunc(rows)}) AS i`;
}

export async function withClient<T>(url: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Creates the databases and tables and fills the source; returns the source table's size. */
export async function createDataset(servers: Servers, rows: number): Promise<{ tableBytes: number; totalBytes: number }> {
  const { source, destination } = servers;
  await withClient(source.url('postgres'), (c) => c.query(`CREATE DATABASE ${SOURCE_DB}`));
  await withClient(destination.url('postgres'), async (c) => {
    for (const db of [RAW_DB, ENGINE_DB, CLI_DB, RESTORE_DB]) await c.query(`CREATE DATABASE ${db}`);
  });
  const size = await withClient(source.url(SOURCE_DB), async (c) => {
    await c.query(`CREATE TABLE public.items (${SOURCE_COLUMNS})`);
    await c.query(fillSql(rows));
    await c.query('VACUUM (FREEZE, ANALYZE) public.items');
    const { rows: r } = await c.query<{ t: string; a: string }>(
      `SELECT pg_table_size('public.items')::text AS t, pg_total_relation_size('public.items')::text AS a`);
    return { tableBytes: Number(r[0]!.t), totalBytes: Number(r[0]!.a) };
  });
  await withClient(destination.url(RAW_DB), (c) => c.query(`CREATE TABLE public.items (${SOURCE_COLUMNS})`));
  for (const db of [ENGINE_DB, CLI_DB]) {
    await withClient(destination.url(db), (c) => c.query(`CREATE TABLE public.items (${DESTINATION_COLUMNS})`));
  }
  await withClient(destination.url(RESTORE_DB), (c) => c.query('SELECT 1'));
  return size;
}

/** The plan every method's mapping comes from (the CLI reads it; the workers load it the same way). */
export function planYaml(target: 'round_tripped' = 'round_tripped'): string {
  const columns = Object.entries(MAPPING).map(([column, sql]) => `      ${column}: ${JSON.stringify(sql)}`).join('\n');
  return `${planHead({ name: MIGRATION, target })}${lockSection()}classes:
  ${CLASS}:
    source: { table: public.items, key: [id] }
    destination: { table: public.items, key: [id] }
    columns:
${columns}
    timestamps: { source_timezone: America/New_York, ambiguous: earlier, nonexistent: forward }
`;
}

export function writePlan(dir: string): string {
  const file = path.join(dir, 'bench-plan.yaml');
  writeFileSync(file, planYaml());
  return file;
}

/** CHECKPOINT on both servers, so no method pays for another's dirty buffers. */
export async function checkpoint(servers: Servers): Promise<void> {
  await Promise.all([
    withClient(servers.source.url(SOURCE_DB), (c) => c.query('CHECKPOINT')),
    withClient(servers.destination.url('postgres'), (c) => c.query('CHECKPOINT')),
  ]);
}

/** Empties a destination table (and, in `engine`, cutover's checkpoints) before a run. */
export async function emptyDestination(servers: Servers, database: string): Promise<void> {
  await withClient(servers.destination.url(database), async (c) => {
    await c.query('TRUNCATE public.items');
    const { rows } = await c.query<{ present: boolean }>(`SELECT to_regclass('${STATE_SCHEMA}.copy_progress') IS NOT NULL AS present`);
    if (rows[0]?.present) await c.query(`DELETE FROM ${STATE_SCHEMA}.copy_progress`);
  });
}

/**
 * Undoes a `cutover apply` to round_tripped: its support schema, locks (event triggers and the
 * data-lock trigger, all depending on functions in that schema) on the source, and its state and
 * rows on the destination. Event triggers are off for the session (replica role), so the schema
 * lock does not refuse its own removal. Fails when anything of cutover's is left on the source.
 */
export async function resetCli(servers: Servers): Promise<void> {
  await withClient(servers.source.url(SOURCE_DB), async (c) => {
    await c.query('SET session_replication_role = replica');
    await c.query(`DROP SCHEMA IF EXISTS ${STATE_SCHEMA} CASCADE`);
    const left = await c.query<{ n: string }>(`SELECT ((SELECT count(*) FROM pg_event_trigger)
      + (SELECT count(*) FROM pg_trigger WHERE tgrelid = 'public.items'::regclass AND NOT tgisinternal))::text AS n`);
    if (Number(left.rows[0]!.n) !== 0) throw new Error('cutover objects are left on the source after the reset');
  });
  await withClient(servers.destination.url(CLI_DB), async (c) => {
    await c.query(`DROP SCHEMA IF EXISTS ${STATE_SCHEMA} CASCADE`);
    await c.query('TRUNCATE public.items');
  });
}
