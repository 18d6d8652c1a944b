// cutover's own objects on the source: a schema, the registry of cutover's backends, and the
// function every lock asks "is this one of cutover's own sessions?". Exemption goes by backend
// (pid and start time), never by role: applications often connect with the migration's role.
//
// The schema is no way around the locks: it and everything in it belong to the role cutover
// connects as, and no other role keeps any privilege on them — not PUBLIC, not a grant a default
// privilege (ALTER DEFAULT PRIVILEGES) added. So only cutover's role can register a backend or
// replace a function. The locks' functions are SECURITY DEFINER and fire as triggers, which needs
// no privilege of the writing session.
import type { QueryRunner } from '../db/query-runner.js';
import { quoteIdent, quoteLiteral } from '../db/sql-identifiers.js';

/** Takes every privilege on the schema and the objects in it from every role but their owner. */
export function sealStatements(schema: string): string[] {
  const s = quoteIdent(schema);
  return [`DO $seal$
    DECLARE r record;
    BEGIN
      FOR r IN
        SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END AS grantee
          FROM (SELECT nspacl AS acl, nspowner AS owner FROM pg_catalog.pg_namespace WHERE nspname = ${quoteLiteral(schema)}
                UNION ALL
                SELECT relacl, relowner FROM pg_catalog.pg_class WHERE relnamespace = ${quoteLiteral(schema)}::regnamespace
                UNION ALL
                SELECT proacl, proowner FROM pg_catalog.pg_proc WHERE pronamespace = ${quoteLiteral(schema)}::regnamespace) o
         CROSS JOIN LATERAL pg_catalog.aclexplode(o.acl) a
         WHERE a.grantee <> o.owner
        UNION SELECT 'PUBLIC'
      LOOP
        EXECUTE format('REVOKE ALL ON SCHEMA %s FROM %s', ${quoteLiteral(s)}, r.grantee);
        EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %s FROM %s', ${quoteLiteral(s)}, r.grantee);
        EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %s FROM %s', ${quoteLiteral(s)}, r.grantee);
        EXECUTE format('REVOKE ALL ON ALL FUNCTIONS IN SCHEMA %s FROM %s', ${quoteLiteral(s)}, r.grantee);
      END LOOP;
    END $seal$`];
}

export function supportStatements(schema: string): string[] {
  const s = quoteIdent(schema);
  return [
    `CREATE SCHEMA IF NOT EXISTS ${s}`,
    // a schema of that name someone else made would let them drop what cutover puts in it
    `DO $owner$
     DECLARE owner oid := (SELECT nspowner FROM pg_catalog.pg_namespace WHERE nspname = ${quoteLiteral(schema)});
     BEGIN
       IF owner <> (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)
          AND NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE oid = owner) THEN
         RAISE EXCEPTION 'cutover: schema % on the source belongs to role %, not to the role cutover connects as (%)',
             ${quoteLiteral(schema)}, owner::regrole, current_user
           USING HINT = 'drop that schema, or name another one for cutover under state.schema';
       END IF;
     END $owner$`,
    `CREATE TABLE IF NOT EXISTS ${s}.backends (
       pid integer PRIMARY KEY,
       backend_start timestamptz NOT NULL,
       migration text NOT NULL,
       purpose text NOT NULL,
       registered_at timestamptz NOT NULL DEFAULT now())`,
    // SECURITY DEFINER: the locks' functions ask it on behalf of any writing session
    `CREATE OR REPLACE FUNCTION ${s}.cutover_is_own_backend() RETURNS boolean
       LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $fn$
       SELECT EXISTS (
         SELECT 1 FROM ${s}.backends b JOIN pg_stat_activity a ON a.pid = b.pid AND a.backend_start = b.backend_start
          WHERE b.pid = pg_backend_pid())
     $fn$`,
    ...sealStatements(schema),
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
