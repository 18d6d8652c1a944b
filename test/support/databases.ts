/**
 * Helpers for tests that need the PostgreSQL servers started (or named) by
 * test/support/global-setup.ts.
 *
 *   const url = await freshDatabase('source');         // a new, empty database
 *   await withClient(url, (c) => c.query('CREATE TABLE t (id int)'));
 *   afterAll(() => dropFreshDatabases());
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import type { ServerRole } from './global-setup.js';
import { urlEnv } from './plan-folder.js';

export type { ServerRole };

/** URL of the source server's `postgres` database. */
export function sourceUrl(): string {
  return inject('sourceUrl');
}

/** URL of the destination server's `postgres` database. */
export function destinationUrl(): string {
  return inject('destinationUrl');
}

/** URL of one server's `postgres` database. */
export function serverUrl(which: ServerRole): string {
  return which === 'source' ? sourceUrl() : destinationUrl();
}

/** Superuser URL of one server (the same as serverUrl() for embedded servers). */
export function adminUrl(which: ServerRole): string {
  return which === 'source' ? inject('sourceAdminUrl') : inject('destinationAdminUrl');
}

/** True when the run started its own embedded servers (false: external servers). */
export function embeddedServers(): boolean {
  return inject('embeddedServers');
}

/**
 * The passwords in all the test servers' URLs: strings that must never appear
 * in anything cutover prints, logs or writes.
 */
export function serverSecrets(): string[] {
  const urls = [sourceUrl(), destinationUrl(), adminUrl('source'), adminUrl('destination')];
  const secrets = urls.map((url) => decodeURIComponent(new URL(url).password)).filter((s) => s.length > 0);
  return [...new Set(secrets)];
}

/** Connects a pg.Client to url, runs fn with it, and always ends the connection. */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T> | T): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  // A connection dropped by the server (e.g. DROP DATABASE ... WITH (FORCE))
  // is reported through the pending query; don't let the idle-client 'error'
  // event crash the worker.
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The same server and credentials as url, with another database. */
export function databaseUrl(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/** The database named in url. */
export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
}

const created = new Map<string, ServerRole>();

/**
 * Creates a new, empty database (from template0) on the source or destination
 * server and returns its URL, with the same credentials as serverUrl(which).
 *
 * The name is random lower-case, so test files running in parallel never
 * collide; `prefix` (lower-case letters, digits, underscores) starts it.
 * Drop it with dropDatabase(url), or all of this file's with dropFreshDatabases().
 */
export async function freshDatabase(which: ServerRole, prefix = 't'): Promise<string> {
  if (!/^[a-z][a-z0-9_]{0,39}$/.test(prefix)) {
    throw new Error(`freshDatabase: prefix must be lower-case letters, digits and underscores (at most 40), got ${JSON.stringify(prefix)}`);
  }
  const name = `${prefix}_${randomName(12)}`;
  const base = serverUrl(which);
  const user = decodeURIComponent(new URL(base).username);
  const adminUser = decodeURIComponent(new URL(adminUrl(which)).username);
  await withClient(adminUrl(which), async (client) => {
    let sql = `CREATE DATABASE ${client.escapeIdentifier(name)} TEMPLATE template0`;
    if (user && user !== adminUser) sql += ` OWNER ${client.escapeIdentifier(user)}`;
    await client.query(sql);
  });
  const url = databaseUrl(base, name);
  created.set(url, which);
  return url;
}

/**
 * Drops the database named in url (one made by freshDatabase, or any database
 * on one of the two test servers), even if clients are still connected.
 */
export async function dropDatabase(url: string): Promise<void> {
  const which = created.get(url) ?? serverOf(url);
  const name = databaseName(url);
  if (!name || name === 'postgres' || name.startsWith('template')) {
    throw new Error(`dropDatabase: refusing to drop ${JSON.stringify(name)}`);
  }
  await withClient(adminUrl(which), async (client) => {
    const { rows } = await client.query<{ v: number }>(`SELECT current_setting('server_version_num')::int AS v`);
    const force = (rows[0]?.v ?? 0) >= 130000 ? ' WITH (FORCE)' : '';
    await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)}${force}`);
  });
  created.delete(url);
}

/** A fresh source and destination database, and the environment plan files read their URLs from. */
export interface Pair {
  source: string;
  destination: string;
  /** SRC_URL and DST_URL (see urlEnv) */
  env: Record<string, string>;
}

/**
 * A fresh database on each server (named `${prefix}_src_…` and `${prefix}_dst_…`), set up with
 * `sourceSql` and `destinationSql`. `servers` puts either on the other server: a test that creates
 * server-wide objects (roles, physical slots) on its source puts that source on the destination
 * server, where no other test's source fingerprint sees them.
 */
export async function freshPair(
  sourceSql: string, destinationSql: string, prefix = 'pair',
  servers: { source: ServerRole; destination: ServerRole } = { source: 'source', destination: 'destination' },
): Promise<Pair> {
  const [source, destination] = await Promise.all([
    freshDatabase(servers.source, `${prefix}_src`), freshDatabase(servers.destination, `${prefix}_dst`),
  ]);
  await Promise.all([
    withClient(source, (c) => c.query(sourceSql)),
    withClient(destination, (c) => c.query(destinationSql)),
  ]);
  return { source, destination, env: urlEnv(source, destination) };
}

/** Drops every database this test file made with freshDatabase. */
export async function dropFreshDatabases(): Promise<void> {
  const urls = [...created.keys()];
  const results = await Promise.allSettled(urls.map((url) => dropDatabase(url)));
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length > 0) throw new AggregateError(failed.map((r) => r.reason), 'dropFreshDatabases: some drops failed');
}

/**
 * Everything in one database that a command could conceivably write: schemas, relations, triggers,
 * event triggers, functions, publications, and a hash of every table's rows. (Nothing
 * cluster-wide: other test files share the servers.)
 */
export async function databaseSnapshot(client: pg.Client): Promise<unknown> {
  const { rows } = await client.query(`
    SELECT (SELECT array_agg(nspname ORDER BY nspname) FROM pg_namespace) AS schemas,
           (SELECT array_agg(n.nspname || '.' || c.relname || ':' || c.relkind::text ORDER BY 1)
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')) AS relations,
           (SELECT array_agg(tgname ORDER BY tgname) FROM pg_trigger) AS triggers,
           (SELECT array_agg(evtname ORDER BY evtname) FROM pg_event_trigger) AS event_triggers,
           (SELECT count(*) FROM pg_proc) AS functions,
           (SELECT array_agg(pubname ORDER BY pubname) FROM pg_publication) AS publications`);
  const data: Record<string, string> = {};
  const tables = await client.query<{ t: string }>(
    `SELECT format('%I.%I', schemaname, relname) AS t FROM pg_stat_user_tables ORDER BY 1`);
  for (const { t } of tables.rows) {
    data[t] = (await client.query<{ h: string }>(`SELECT md5(coalesce(string_agg(x::text, ',' ORDER BY x::text), '')) AS h FROM ${t} x`)).rows[0]!.h;
  }
  return { catalog: rows[0], data };
}

function serverOf(url: string): ServerRole {
  const hostPort = (u: string) => {
    const parsed = new URL(u);
    return `${parsed.hostname}:${parsed.port || '5432'}`;
  };
  const target = hostPort(url);
  for (const which of ['source', 'destination'] as const) {
    if (hostPort(serverUrl(which)) === target) return which;
  }
  throw new Error('dropDatabase: the URL is on neither test server');
}

function randomName(length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(length), (byte) => alphabet[byte % alphabet.length]).join('');
}
