// Helpers for the end-to-end tests of `cutover apply` (and the commands around it: plan, status,
// exception apply): a shop schema on a fresh source and destination database, plan files in a
// temporary folder that name the databases through `${SRC_URL}` / `${DST_URL}` (so no secret is
// ever in a file), the CLI run as a separate process, and queries that say what cutover left on
// each side.
import pg from 'pg';
import { names } from '../../engine/lock/object-names.js';
import { freshPair as freshDatabasePair, withClient, type Pair } from '../support/databases.js';
import type { GateJson } from '../support/cutover-cli.js';
import { lockSection, planHead } from '../support/plan-folder.js';

export type { Pair };
export { cutover, expectExit, expectNoSecrets, gate, parseJson, type GateJson } from '../support/cutover-cli.js';
export { PlanFolder } from '../support/plan-folder.js';
export { LiveCli } from '../support/run-cli.js';

// ---------------------------------------------------------------------------------------------
// Databases

/** The shop on the source: three related tables and a materialized view (listed in custom_code). */
export const SOURCE_SQL = `
  CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL, name text);
  CREATE TABLE orders (
    id int PRIMARY KEY,
    customer_id int NOT NULL REFERENCES customers (id),
    placed_at timestamptz NOT NULL DEFAULT now());
  CREATE TABLE order_lines (
    order_id int NOT NULL REFERENCES orders (id),
    line int NOT NULL,
    sku text NOT NULL,
    qty int NOT NULL,
    PRIMARY KEY (order_id, line));
  INSERT INTO customers VALUES (1, 'ada@example.com', 'Ada'), (2, 'bob@example.com', 'Bob');
  INSERT INTO orders VALUES (10, 1, '2026-01-05T10:00:00Z'), (11, 2, '2026-01-06T11:00:00Z');
  INSERT INTO order_lines VALUES (10, 1, 'tea', 1), (10, 2, 'cup', 2), (11, 1, 'tea', 3);
  CREATE MATERIALIZED VIEW customer_order_counts AS
    SELECT customer_id, count(*) AS orders FROM orders GROUP BY customer_id;
`;

/** The same shop in schema `shop` of the destination. */
export const DESTINATION_SQL = `
  CREATE SCHEMA shop;
  CREATE TABLE shop.customers (id int PRIMARY KEY, email text NOT NULL, name text);
  CREATE TABLE shop.orders (
    id int PRIMARY KEY,
    customer_id int NOT NULL REFERENCES shop.customers (id),
    placed_at timestamptz NOT NULL);
  CREATE TABLE shop.order_lines (
    order_id int NOT NULL REFERENCES shop.orders (id),
    line int NOT NULL,
    sku text NOT NULL,
    qty int NOT NULL,
    PRIMARY KEY (order_id, line));
`;

/** A fresh source and destination database, set up with `sourceSql` / `destinationSql` (default: the shop). */
export function freshPair(sourceSql = SOURCE_SQL, destinationSql = DESTINATION_SQL): Promise<Pair> {
  return freshDatabasePair(sourceSql, destinationSql, 'apply');
}

/**
 * The shop pair with its source on the destination server: for tests that create server-wide
 * objects (roles, replication slots) on the source, which every source fingerprint on the same
 * server would otherwise see as drift while test files run in parallel.
 */
export function isolatedPair(): Promise<Pair> {
  return freshDatabasePair(SOURCE_SQL, DESTINATION_SQL, 'apply', { source: 'destination', destination: 'destination' });
}

/** Runs `sql` on a connection to `url` and returns the message it is rejected with (fails if it succeeds). */
export async function rejection(client: pg.Client, sql: string): Promise<string> {
  try {
    await client.query(sql);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`expected the source to reject: ${sql}`);
}

/** Event triggers, non-internal triggers and the support schema cutover has on a source. */
export interface SourceObjects {
  eventTriggers: string[];
  /** `table:trigger`, sorted */
  triggers: string[];
  hasSchema: boolean;
  /** tables in cutover's schema */
  tables: string[];
}

export async function sourceObjects(url: string, schema = 'cutover'): Promise<SourceObjects> {
  return withClient(url, async (c) => {
    const events = await c.query<{ name: string }>(`SELECT evtname AS name FROM pg_event_trigger WHERE evtname LIKE 'cutover\\_%' ORDER BY 1`);
    const triggers = await c.query<{ name: string }>(
      `SELECT c.relname || ':' || t.tgname AS name FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        WHERE t.tgname LIKE 'cutover\\_%' AND NOT t.tgisinternal ORDER BY 1`);
    const ns = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = $1`, [schema]);
    const tables = await c.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY 1`, [schema]);
    return {
      eventTriggers: events.rows.map((r) => r.name),
      triggers: triggers.rows.map((r) => r.name),
      hasSchema: ns.rows[0]!.n > 0,
      tables: tables.rows.map((r) => r.name),
    };
  });
}

/** Schemas of a database other than the system's and `public`. */
export async function userSchemas(url: string): Promise<string[]> {
  return withClient(url, async (c) => (await c.query<{ s: string }>(
    `SELECT nspname AS s FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname NOT IN ('information_schema', 'public') ORDER BY 1`,
  )).rows.map((r) => r.s));
}

/** True when the role in `url` can create event triggers (superuser), which `lock.*: enforce` needs. */
export async function canEnforce(url: string): Promise<boolean> {
  return withClient(url, async (c) => (await c.query<{ ok: boolean }>('SELECT rolsuper AS ok FROM pg_roles WHERE rolname = current_user')).rows[0]?.ok === true);
}

/** The data-lock, capture and event-trigger names cutover gives a migration (engine/lock/object-names.ts). */
export function objectNames(migration: string) {
  return {
    schemaLock: names.schemaLockTrigger(migration),
    schemaDrop: names.schemaDropTrigger(migration),
    integrationLock: names.integrationLockTrigger(migration),
    dataLock: names.dataLockTrigger(migration),
    capture: names.captureTrigger(migration),
    captureTruncate: (cls: string) => names.captureTruncateTrigger(migration, cls),
    captureLog: names.captureLog(migration),
  };
}

// ---------------------------------------------------------------------------------------------
// Plan files

export interface PlanOptions {
  name: string;
  target?: string;
  clock?: 'real' | 'simulated';
  schemaLock?: 'enforce' | 'detect';
  integrationsLock?: 'enforce' | 'detect';
  /** YAML of lock.data, indented for its place (default: pause) */
  data?: string;
  /** YAML list items of lock.exceptions */
  exceptions?: string;
  /** extra `dropped` entries of class customers */
  customersDropped?: Record<string, string>;
}

/** A plan for the shop: every table a class, every column mapped, the view listed. */
export function shopPlan(o: PlanOptions): string {
  const dropped = o.customersDropped && Object.keys(o.customersDropped).length
    ? `    dropped:\n${Object.entries(o.customersDropped).map(([k, v]) => `      ${k}: ${v}`).join('\n')}\n`
    : '';
  return `${planHead({ name: o.name, target: o.target ?? 'locked', clock: o.clock })}${
    lockSection({ schema: o.schemaLock, integrations: o.integrationsLock, data: o.data })}${
    o.exceptions ? `  exceptions:\n${o.exceptions}\n` : ''}classes:
  customers:
    source: { table: customers, key: [id] }
    destination: { table: shop.customers, key: [id] }
    columns: { id: id, email: email, name: name }
${dropped}    reverse: { id: id, email: email, name: name }
  orders:
    source: { table: orders, key: [id] }
    destination: { table: shop.orders, key: [id] }
    columns: { id: id, customer_id: customer_id, placed_at: placed_at }
    reverse: { id: id, customer_id: customer_id, placed_at: placed_at }
  order_lines:
    source: { table: order_lines, key: [order_id, line] }
    destination: { table: shop.order_lines, key: [order_id, line] }
    columns: { order_id: order_id, line: line, sku: sku, qty: qty }
    reverse: { order_id: order_id, line: line, sku: sku, qty: qty }
custom_code:
  - { source: materialized view public.customer_order_counts, retired: the new shop counts orders itself }
`;
}

// ---------------------------------------------------------------------------------------------
// JSON documents (the parts these tests read)

export interface PlanJson {
  plan: { name: string; target: string; phase: string };
  resource_changes: { address: string; actions: string[] }[];
  gates: GateJson[];
  summary: { add: number; change: number; destroy: number; gates_blocked: number; data_problems: number };
}

export interface StatusJson {
  format_version: string;
  plan: { name: string; target: string; phase: string };
  phase_times: Record<string, string>;
  gates: (GateJson & { opens_at: string | null })[];
  pending_changes: { address: string }[];
  resources: { address: string; phase: string }[];
  drift: string[];
  events: { id: number; kind: string; address: string | null; outcome: string; detail: Record<string, unknown> }[];
}

/** A session on the source as an application would open it (named `shop-app` in pg_stat_activity). */
export async function application(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: 'shop-app' });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}
