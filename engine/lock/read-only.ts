// The source's read-only guard, from the write switch on: a statement-level trigger on every class's
// table and on each of its partitions that rejects every write but cutover's own registered
// backends' (a rollback drains the destination's writes back through them). ENABLE ALWAYS, so a
// session under session_replication_role = replica is refused too. Installing it waits (in short
// lock_timeout steps) for every transaction writing the table to end: once it is on every table,
// no write of the source is in flight, and the write switch's fence comes after them all.
import { quoteIdent, quoteQualified } from '../db/sql-identifiers.js';
import type { QueryRunner } from '../db/query-runner.js';
import { runDdl } from '../db/run-ddl.js';
import { fn, names } from './object-names.js';
import { partitionsOf, tablesWithTrigger } from './partitions.js';
import { sealStatements } from './source-support.js';

export function readOnlyFunction(schema: string, migration: string): string {
  return `CREATE OR REPLACE FUNCTION ${fn(schema, names.readOnlyTrigger(migration))}() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $fn$
    BEGIN
      IF ${quoteIdent(schema)}.cutover_is_own_backend() THEN RETURN NULL; END IF;
      RAISE EXCEPTION 'cutover: % on %.% is rejected: the source is read-only since migration ${migration.replace(/'/g, "''")} switched its writes to the destination',
          TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = 'read_only_sql_transaction',
              HINT = 'write to the destination; the source stays read-only for the retention period';
    END $fn$`;
}

function triggerStatements(schema: string, migration: string, table: string): string[] {
  const trigger = quoteIdent(names.readOnlyTrigger(migration));
  return [
    `DROP TRIGGER IF EXISTS ${trigger} ON ${quoteQualified(table)}`,
    `CREATE TRIGGER ${trigger} BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${quoteQualified(table)}
       FOR EACH STATEMENT EXECUTE FUNCTION ${fn(schema, names.readOnlyTrigger(migration))}()`,
    `ALTER TABLE ${quoteQualified(table)} ENABLE ALWAYS TRIGGER ${trigger}`,
  ];
}

/** The guard on `tables` (qualified) and their partitions, one table at a time. */
export async function installReadOnly(db: QueryRunner, schema: string, migration: string, tables: readonly string[]): Promise<void> {
  await runDdl(db, [readOnlyFunction(schema, migration), ...sealStatements(schema)]);
  const partitions = await partitionsOf(db, tables);
  for (const t of tables.flatMap((t) => [t, ...(partitions.get(t) ?? [])])) await runDdl(db, triggerStatements(schema, migration, t));
}

export async function removeReadOnly(db: QueryRunner, schema: string, migration: string): Promise<void> {
  for (const table of await tablesWithTrigger(db, names.readOnlyTrigger(migration))) {
    await runDdl(db, [`DROP TRIGGER IF EXISTS ${quoteIdent(names.readOnlyTrigger(migration))} ON ${quoteQualified(table)}`]);
  }
  await runDdl(db, [`DROP FUNCTION IF EXISTS ${fn(schema, names.readOnlyTrigger(migration))}()`]);
}
