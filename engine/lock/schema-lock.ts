// The schema lock: event triggers (enabled ALWAYS, so they hold under session_replication_role =
// replica too) that reject DDL on objects in source.schemas, triggers, rules and policies on their
// tables included, except temporary objects, materialized-view refreshes and cutover's own backends.
// The message names the migration and the exception process, because the person who hits it is
// usually not the one migrating.
import { quoteIdent, quoteLiteral } from '../db/sql-identifiers.js';
import { fn, names } from './object-names.js';
import { sealStatements } from './source-support.js';

function schemaArray(schemas: string[]): string {
  return `ARRAY[${schemas.map(quoteLiteral).join(', ')}]::text[]`;
}

/** The schema of the table a trigger, rule or policy is on: PostgreSQL reports none for them (they
 * have no schema of their own), yet CREATE TRIGGER on a locked table is a change to it. */
const TABLE_SCHEMA = `(SELECT n.nspname::text FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
   WHERE c.oid = CASE r.classid
     WHEN 'pg_catalog.pg_trigger'::regclass THEN (SELECT tgrelid FROM pg_catalog.pg_trigger WHERE oid = r.objid)
     WHEN 'pg_catalog.pg_rewrite'::regclass THEN (SELECT ev_class FROM pg_catalog.pg_rewrite WHERE oid = r.objid)
     WHEN 'pg_catalog.pg_policy'::regclass THEN (SELECT polrelid FROM pg_catalog.pg_policy WHERE oid = r.objid) END)`;

const HINT = 'changes to a locked source go through the exception process: add it under lock.exceptions in the plan, have it reviewed, then run cutover exception apply';

export function schemaLockStatements(schema: string, migration: string, schemas: string[]): string[] {
  const own = `${quoteIdent(schema)}.cutover_is_own_backend()`;
  const endFn = fn(schema, names.schemaLockTrigger(migration));
  const dropFn = fn(schema, names.schemaDropTrigger(migration));
  const message = `'cutover: % on % is rejected: schema % is locked by migration ${migration.replace(/'/g, "''")}'`;
  return [
    `CREATE OR REPLACE FUNCTION ${endFn}() RETURNS event_trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $fn$
     DECLARE r record;
     BEGIN
       IF ${own} OR tg_tag = 'REFRESH MATERIALIZED VIEW' THEN RETURN; END IF;
       FOR r IN SELECT * FROM pg_event_trigger_ddl_commands() LOOP
         IF coalesce(r.schema_name, ${TABLE_SCHEMA}) = ANY (${schemaArray(schemas)}) AND NOT r.in_extension THEN
           RAISE EXCEPTION ${message}, tg_tag, r.object_identity, coalesce(r.schema_name, ${TABLE_SCHEMA})
             USING ERRCODE = 'insufficient_privilege', HINT = ${quoteLiteral(HINT)};
         END IF;
       END LOOP;
     END $fn$`,
    `CREATE OR REPLACE FUNCTION ${dropFn}() RETURNS event_trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $fn$
     DECLARE r record;
     BEGIN
       IF ${own} THEN RETURN; END IF;
       FOR r IN SELECT * FROM pg_event_trigger_dropped_objects() LOOP
         IF r.schema_name = ANY (${schemaArray(schemas)}) AND NOT r.is_temporary AND r.original THEN
           RAISE EXCEPTION ${message}, tg_tag, r.object_identity, r.schema_name
             USING ERRCODE = 'insufficient_privilege', HINT = ${quoteLiteral(HINT)};
         END IF;
       END LOOP;
     END $fn$`,
    `DROP EVENT TRIGGER IF EXISTS ${quoteIdent(names.schemaLockTrigger(migration))}`,
    `CREATE EVENT TRIGGER ${quoteIdent(names.schemaLockTrigger(migration))} ON ddl_command_end EXECUTE FUNCTION ${endFn}()`,
    `ALTER EVENT TRIGGER ${quoteIdent(names.schemaLockTrigger(migration))} ENABLE ALWAYS`,
    `DROP EVENT TRIGGER IF EXISTS ${quoteIdent(names.schemaDropTrigger(migration))}`,
    `CREATE EVENT TRIGGER ${quoteIdent(names.schemaDropTrigger(migration))} ON sql_drop EXECUTE FUNCTION ${dropFn}()`,
    `ALTER EVENT TRIGGER ${quoteIdent(names.schemaDropTrigger(migration))} ENABLE ALWAYS`,
    ...sealStatements(schema),
  ];
}

export function dropSchemaLockStatements(schema: string, migration: string): string[] {
  return [
    `DROP EVENT TRIGGER IF EXISTS ${quoteIdent(names.schemaLockTrigger(migration))}`,
    `DROP EVENT TRIGGER IF EXISTS ${quoteIdent(names.schemaDropTrigger(migration))}`,
    `DROP FUNCTION IF EXISTS ${fn(schema, names.schemaLockTrigger(migration))}()`,
    `DROP FUNCTION IF EXISTS ${fn(schema, names.schemaDropTrigger(migration))}()`,
  ];
}

/** Statements that add integrations, or new readers of the data (privileges); rejected before
 * they start, since some act remotely. Roles and replication slots are no DDL of this database
 * (server-wide objects, a function call): no event trigger sees them, the fingerprint does. */
const INTEGRATION_TAGS = [
  'CREATE PUBLICATION', 'ALTER PUBLICATION', 'CREATE SUBSCRIPTION', 'ALTER SUBSCRIPTION', 'CREATE EXTENSION',
  'ALTER EXTENSION', 'CREATE SERVER', 'ALTER SERVER', 'CREATE FOREIGN DATA WRAPPER', 'ALTER FOREIGN DATA WRAPPER',
  'CREATE USER MAPPING', 'ALTER USER MAPPING', 'GRANT', 'REVOKE', 'ALTER DEFAULT PRIVILEGES',
];

export function integrationLockStatements(schema: string, migration: string): string[] {
  const f = fn(schema, names.integrationLockTrigger(migration));
  const trigger = quoteIdent(names.integrationLockTrigger(migration));
  return [
    `CREATE OR REPLACE FUNCTION ${f}() RETURNS event_trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $fn$
     BEGIN
       IF ${quoteIdent(schema)}.cutover_is_own_backend() THEN RETURN; END IF;
       RAISE EXCEPTION 'cutover: % is rejected: integrations of this database are locked by migration ${migration.replace(/'/g, "''")}', tg_tag
         USING ERRCODE = 'insufficient_privilege', HINT = ${quoteLiteral(HINT)};
     END $fn$`,
    `DROP EVENT TRIGGER IF EXISTS ${trigger}`,
    `CREATE EVENT TRIGGER ${trigger} ON ddl_command_start WHEN TAG IN (${INTEGRATION_TAGS.map(quoteLiteral).join(', ')}) EXECUTE FUNCTION ${f}()`,
    `ALTER EVENT TRIGGER ${trigger} ENABLE ALWAYS`,
    ...sealStatements(schema),
  ];
}

export function dropIntegrationLockStatements(schema: string, migration: string): string[] {
  return [
    `DROP EVENT TRIGGER IF EXISTS ${quoteIdent(names.integrationLockTrigger(migration))}`,
    `DROP FUNCTION IF EXISTS ${fn(schema, names.integrationLockTrigger(migration))}()`,
  ];
}
