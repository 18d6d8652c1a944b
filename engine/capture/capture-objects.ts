// Change capture on one side (the source; later, for rollback, the destination): a row trigger on
// each class's table (and so on each of its partitions) appends the key of every changed row, with
// the class and the writing transaction's id, to the migration's one capture log in cutover's
// schema. One log for every class, so a drain can take whole transactions across classes up to a
// snapshot. The log stores keys only, never row data: a drain re-reads each key through `columns`.
import { quoteIdent, quoteLiteral, quoteQualified } from '../db/sql-identifiers.js';
import type { QueryRunner } from '../db/query-runner.js';
import { runDdl } from '../db/run-ddl.js';
import { fn, names } from '../lock/object-names.js';
import { partitionsOf, tablesWithTrigger } from '../lock/partitions.js';
import { writeTableName } from '../plan/plan-names.js';
import { sealStatements } from '../lock/source-support.js';

export function captureLogTable(schema: string, migration: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(names.captureLog(migration))}`;
}

/** `applied` marks an audit class's update or delete that was mirrored and is kept as evidence
 * (the audit check reports it); every other applied row is deleted. */
function logTableStatements(schema: string, migration: string): string[] {
  const log = captureLogTable(schema, migration);
  return [
    `CREATE TABLE IF NOT EXISTS ${log} (
       id bigserial PRIMARY KEY,
       xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
       class text NOT NULL,
       op "char" NOT NULL,
       key jsonb NOT NULL,
       old_key jsonb,
       applied boolean NOT NULL DEFAULT false,
       captured_at timestamptz NOT NULL DEFAULT clock_timestamp())`,
    `CREATE INDEX IF NOT EXISTS ${quoteIdent(names.captureLogOpenIndex(migration))} ON ${log} (class, id) WHERE NOT applied`,
  ];
}

export function captureFunction(schema: string, migration: string): string {
  // TG_ARGV[0]: the class; TG_ARGV[1..]: its key columns in key order
  return `CREATE OR REPLACE FUNCTION ${fn(schema, names.captureTrigger(migration))}() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $fn$
    DECLARE
      keys text[] := TG_ARGV[1:];
      new_key jsonb;
      old_key jsonb;
    BEGIN
      -- refused, not captured: a log of keys cannot say which rows a TRUNCATE removed, and
      -- mirrored as "delete the class" it would empty the destination outside the order of the
      -- other transactions; a DELETE is mirrored row by row
      IF TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION 'cutover: TRUNCATE on %.% is refused: migration ${migration.replace(/'/g, "''")} mirrors class % row by row, and a TRUNCATE cannot be mirrored',
            TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[0]
          USING ERRCODE = 'object_not_in_prerequisite_state',
                HINT = 'delete the rows with DELETE, which is mirrored, or roll the migration back first';
      END IF;
      IF TG_OP <> 'DELETE' THEN
        SELECT jsonb_agg(to_jsonb(NEW) -> k ORDER BY i) INTO new_key FROM unnest(keys) WITH ORDINALITY AS u(k, i);
      END IF;
      IF TG_OP <> 'INSERT' THEN
        SELECT jsonb_agg(to_jsonb(OLD) -> k ORDER BY i) INTO old_key FROM unnest(keys) WITH ORDINALITY AS u(k, i);
      END IF;
      INSERT INTO ${captureLogTable(schema, migration)} (class, op, key, old_key)
        VALUES (TG_ARGV[0], left(TG_OP, 1), coalesce(new_key, old_key), CASE WHEN old_key IS DISTINCT FROM new_key THEN old_key END);
      RETURN NULL;
    END $fn$`;
}

/** The log (if not there yet), the row trigger (PostgreSQL clones it onto every partition, present
 * and future) and the trigger refusing TRUNCATE on the class's own table. ENABLE ALWAYS: capture also sees writes made under
 * `session_replication_role = replica`. */
export function captureStatements(schema: string, migration: string, cls: string, table: string, key: string[]): string[] {
  const trigger = quoteIdent(names.captureTrigger(migration));
  const args = [cls, ...key].map(quoteLiteral).join(', ');
  return [
    ...logTableStatements(schema, migration),
    `DROP TRIGGER IF EXISTS ${trigger} ON ${quoteQualified(table)}`,
    `CREATE TRIGGER ${trigger} AFTER INSERT OR UPDATE OR DELETE ON ${quoteQualified(table)}
       FOR EACH ROW EXECUTE FUNCTION ${fn(schema, names.captureTrigger(migration))}(${args})`,
    `ALTER TABLE ${quoteQualified(table)} ENABLE ALWAYS TRIGGER ${trigger}`,
    ...truncateCaptureStatements(schema, migration, cls, table),
  ];
}

/** Statement triggers are not cloned: the TRUNCATE refusal goes on each partition too. */
function truncateCaptureStatements(schema: string, migration: string, cls: string, table: string): string[] {
  const trigger = quoteIdent(names.captureTruncateTrigger(migration, cls));
  return [
    `DROP TRIGGER IF EXISTS ${trigger} ON ${quoteQualified(table)}`,
    `CREATE TRIGGER ${trigger} AFTER TRUNCATE ON ${quoteQualified(table)}
       FOR EACH STATEMENT EXECUTE FUNCTION ${fn(schema, names.captureTrigger(migration))}(${quoteLiteral(cls)})`,
    `ALTER TABLE ${quoteQualified(table)} ENABLE ALWAYS TRIGGER ${trigger}`,
  ];
}

/** Installs capture for one class: the log (once per migration), then the triggers on its table and
 * on each partition, one table at a time. A clone of the row trigger that PostgreSQL did not enable
 * ALWAYS with its parent is enabled here. An earlier version's per-class capture table goes. */
export async function installCapture(db: QueryRunner, schema: string, migration: string, cls: string, table: string, key: string[]): Promise<void> {
  await runDdl(db, [captureFunction(schema, migration)]);
  await runDdl(db, [
    ...captureStatements(schema, migration, cls, table, key),
    `DROP TABLE IF EXISTS ${quoteIdent(schema)}.${quoteIdent(names.legacyCaptureTable(migration, cls))}`,
    ...sealStatements(schema),
  ]);
  const partitions = (await partitionsOf(db, [table])).get(table) ?? [];
  for (const p of partitions) await runDdl(db, truncateCaptureStatements(schema, migration, cls, p));
  // the partitions' own triggers, judged by oid so any name matches, and written the plan's way
  const { rows } = await db.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name FROM pg_catalog.pg_trigger t
       JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE t.tgname = $1 AND t.tgparentid <> 0 AND t.tgenabled <> 'A'
        AND c.oid = ANY (SELECT pg_catalog.to_regclass(q) FROM unnest($2::text[]) AS q)`,
    [names.captureTrigger(migration), partitions.map(quoteQualified)]);
  for (const r of rows) {
    await runDdl(db, [`ALTER TABLE ${quoteQualified(writeTableName(r.schema, r.name))} ENABLE ALWAYS TRIGGER ${quoteIdent(names.captureTrigger(migration))}`]);
  }
}

/** Removes one class's capture: the row trigger (its clones go with it), the TRUNCATE trigger
 * wherever it is (partitions detached since included), and the class's rows in the log; the log
 * itself goes with the last class captured into it. */
export async function removeCapture(db: QueryRunner, schema: string, migration: string, cls: string, table: string): Promise<void> {
  const truncate = names.captureTruncateTrigger(migration, cls);
  for (const t of await tablesWithTrigger(db, truncate)) await runDdl(db, [`DROP TRIGGER IF EXISTS ${quoteIdent(truncate)} ON ${quoteQualified(t)}`]);
  const log = captureLogTable(schema, migration);
  await runDdl(db, [
    `DROP TRIGGER IF EXISTS ${quoteIdent(names.captureTrigger(migration))} ON ${quoteQualified(table)}`,
    `DROP TABLE IF EXISTS ${quoteIdent(schema)}.${quoteIdent(names.legacyCaptureTable(migration, cls))}`,
  ]);
  const { rows } = await db.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [log]);
  if (!rows[0]?.present) return;
  await db.query(`DELETE FROM ${log} WHERE class = $1`, [cls]);
  if ((await tablesWithTrigger(db, names.captureTrigger(migration))).length === 0) await runDdl(db, [`DROP TABLE IF EXISTS ${log}`]);
}
