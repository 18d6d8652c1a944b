// The read-only guard: a statement-level trigger on every class's table and on each of its
// partitions that rejects every write. On the source from the write switch on, but cutover's own
// registered backends' (a rollback drains the destination's writes back through them); on the
// destination while a rollback after the switch drains it, and after. ENABLE ALWAYS, so a
// session under session_replication_role = replica is refused too. Installing it waits (in short
// lock_timeout steps) for every transaction writing the table to end: once it is on every table,
// no write of the source is in flight, and the write switch's fence comes after them all.
import { quoteIdent, quoteQualified } from '../db/sql-identifiers.js';
import type { QueryRunner } from '../db/query-runner.js';
import { runDdl } from '../db/run-ddl.js';
import { fn, names } from './object-names.js';
import { partitionsOf, tablesWithTrigger } from './partitions.js';
import { sealStatements } from './source-support.js';

/** Which side is guarded: the source from the write switch on (cutover's own backends exempt, a
 * rollback drains through them), or the destination while a rollback drains it (no exemption:
 * nothing of cutover writes there then). */
export type GuardedSide = 'source' | 'destination';

function refusal(side: GuardedSide, migration: string): { message: string; hint: string } {
  const name = migration.replace(/'/g, "''");
  return side === 'source'
    ? { message: `the source is read-only since migration ${name} switched its writes to the destination`, hint: 'write to the destination; the source stays read-only for the retention period' }
    : { message: `the destination is read-only: migration ${name} was rolled back to the source`, hint: 'write to the source, which has every write the destination took' };
}

export function readOnlyFunction(schema: string, migration: string, side: GuardedSide = 'source'): string {
  const { message, hint } = refusal(side, migration);
  const exempt = side === 'source' ? `IF ${quoteIdent(schema)}.cutover_is_own_backend() THEN RETURN NULL; END IF;` : '';
  return `CREATE OR REPLACE FUNCTION ${fn(schema, names.readOnlyTrigger(migration))}() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $fn$
    BEGIN
      ${exempt}
      RAISE EXCEPTION 'cutover: % on %.% is rejected: ${message}', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = 'read_only_sql_transaction', HINT = '${hint}';
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
export async function installReadOnly(db: QueryRunner, schema: string, migration: string, tables: readonly string[], side: GuardedSide = 'source'): Promise<void> {
  await runDdl(db, [readOnlyFunction(schema, migration, side), ...sealStatements(schema)]);
  const partitions = await partitionsOf(db, tables);
  for (const t of tables.flatMap((t) => [t, ...(partitions.get(t) ?? [])])) await runDdl(db, triggerStatements(schema, migration, t));
}

export async function removeReadOnly(db: QueryRunner, schema: string, migration: string): Promise<void> {
  for (const table of await tablesWithTrigger(db, names.readOnlyTrigger(migration))) {
    await runDdl(db, [`DROP TRIGGER IF EXISTS ${quoteIdent(names.readOnlyTrigger(migration))} ON ${quoteQualified(table)}`]);
  }
  await runDdl(db, [`DROP FUNCTION IF EXISTS ${fn(schema, names.readOnlyTrigger(migration))}()`]);
}
