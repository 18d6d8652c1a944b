// cutover's own objects on the source: a schema, the registry of cutover's backends, and the
// function every lock asks "is this one of cutover's own sessions?". Exemption goes by backend
// (pid and start time), never by role: applications often connect with the migration's role.
import type { QueryRunner } from '../db/query-runner.js';
import { quoteIdent } from '../db/sql-identifiers.js';

export function supportStatements(schema: string): string[] {
  const s = quoteIdent(schema);
  return [
    `CREATE SCHEMA IF NOT EXISTS ${s}`,
    `GRANT USAGE ON SCHEMA ${s} TO PUBLIC`,
    `CREATE TABLE IF NOT EXISTS ${s}.backends (
       pid integer PRIMARY KEY,
       backend_start timestamptz NOT NULL,
       migration text NOT NULL,
       purpose text NOT NULL,
       registered_at timestamptz NOT NULL DEFAULT now())`,
    // SECURITY DEFINER: the application's role may call it without reading the registry
    `CREATE OR REPLACE FUNCTION ${s}.cutover_is_own_backend() RETURNS boolean
       LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $fn$
       SELECT EXISTS (
         SELECT 1 FROM ${s}.backends b JOIN pg_stat_activity a ON a.pid = b.pid AND a.backend_start = b.backend_start
          WHERE b.pid = pg_backend_pid())
     $fn$`,
  ];
}

export function dropSupportStatements(schema: string): string[] {
  return [`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`];
}

export async function supportInstalled(db: QueryRunner, schema: string): Promise<boolean> {
  const { rows } = await db.query<{ ok: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS ok`, [`${quoteIdent(schema)}.backends`]);
  return rows[0]?.ok === true;
}

/** Registers the session as one of cutover's own, for as long as it lives. */
export async function registerBackend(db: QueryRunner, schema: string, migration: string, purpose: string): Promise<void> {
  await db.query(
    `INSERT INTO ${quoteIdent(schema)}.backends (pid, backend_start, migration, purpose)
     SELECT pid, backend_start, $1, $2 FROM pg_stat_activity WHERE pid = pg_backend_pid()
     ON CONFLICT (pid) DO UPDATE SET backend_start = excluded.backend_start, migration = excluded.migration,
       purpose = excluded.purpose, registered_at = now()`, [migration, purpose]);
}

export async function unregisterBackend(db: QueryRunner, schema: string): Promise<void> {
  await db.query(`DELETE FROM ${quoteIdent(schema)}.backends WHERE pid = pg_backend_pid()`);
}
