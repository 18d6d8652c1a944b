// Change capture on the source: a row trigger on a class's table (and so on each of its
// partitions) records the key of every changed row, with the writing transaction's id, in a
// capture table in cutover's schema. Replay re-reads each captured key through `columns`, so
// capture stores keys only, never row data.
import { quoteIdent, quoteLiteral, quoteQualified } from '../db/sql-identifiers.js';
import type { QueryRunner } from '../db/query-runner.js';
import { runDdl } from '../db/run-ddl.js';
import { fn, names } from '../lock/object-names.js';
import { partitionsOf, tablesWithTrigger } from '../lock/partitions.js';
import { writeTableName } from '../plan/plan-names.js';
import { sealStatements } from '../lock/source-support.js';

export function captureFunction(schema: string, migration: string): string {
  // TG_ARGV[0]: capture table; TG_ARGV[1..]: key columns in key order
  return `CREATE OR REPLACE FUNCTION ${fn(schema, names.captureTrigger(migration))}() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $fn$
    DECLARE
      keys text[] := TG_ARGV[1:];
      new_key jsonb;
      old_key jsonb;
    BEGIN
      IF TG_OP = 'TRUNCATE' THEN
        EXECUTE format('INSERT INTO ${quoteIdent(schema)}.%I (op, key) VALUES (''T'', ''[]'')', TG_ARGV[0]);
        RETURN NULL;
      END IF;
      IF TG_OP <> 'DELETE' THEN
        SELECT jsonb_agg(to_jsonb(NEW) -> k ORDER BY i) INTO new_key FROM unnest(keys) WITH ORDINALITY AS u(k, i);
      END IF;
      IF TG_OP <> 'INSERT' THEN
        SELECT jsonb_agg(to_jsonb(OLD) -> k ORDER BY i) INTO old_key FROM unnest(keys) WITH ORDINALITY AS u(k, i);
      END IF;
      EXECUTE format('INSERT INTO ${quoteIdent(schema)}.%I (op, key, old_key) VALUES ($1, $2, $3)', TG_ARGV[0])
        USING left(TG_OP, 1), coalesce(new_key, old_key), CASE WHEN old_key IS DISTINCT FROM new_key THEN old_key END;
      RETURN NULL;
    END $fn$`;
}

/** The capture table, the row trigger (PostgreSQL clones it onto every partition, present and
 * future) and the TRUNCATE trigger on the class's own table. ENABLE ALWAYS: capture also sees
 * writes made under `session_replication_role = replica`. */
export function captureStatements(schema: string, migration: string, cls: string, table: string, key: string[]): string[] {
  const captureTable = names.captureTable(migration, cls);
  const trigger = quoteIdent(names.captureTrigger(migration));
  const args = [captureTable, ...key].map(quoteLiteral).join(', ');
  return [
    `CREATE TABLE IF NOT EXISTS ${quoteIdent(schema)}.${quoteIdent(captureTable)} (
       id bigserial PRIMARY KEY,
       xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
       op "char" NOT NULL,
       key jsonb NOT NULL,
       old_key jsonb,
       captured_at timestamptz NOT NULL DEFAULT clock_timestamp())`,
    `DROP TRIGGER IF EXISTS ${trigger} ON ${quoteQualified(table)}`,
    `CREATE TRIGGER ${trigger} AFTER INSERT OR UPDATE OR DELETE ON ${quoteQualified(table)}
       FOR EACH ROW EXECUTE FUNCTION ${fn(schema, names.captureTrigger(migration))}(${args})`,
    `ALTER TABLE ${quoteQualified(table)} ENABLE ALWAYS TRIGGER ${trigger}`,
    ...truncateCaptureStatements(schema, migration, cls, table, key),
  ];
}

/** Statement triggers are not cloned: the TRUNCATE capture goes on each partition too. */
function truncateCaptureStatements(schema: string, migration: string, cls: string, table: string, key: string[]): string[] {
  const trigger = quoteIdent(names.captureTruncateTrigger(migration, cls));
  const args = [names.captureTable(migration, cls), ...key].map(quoteLiteral).join(', ');
  return [
    `DROP TRIGGER IF EXISTS ${trigger} ON ${quoteQualified(table)}`,
    `CREATE TRIGGER ${trigger} AFTER TRUNCATE ON ${quoteQualified(table)}
       FOR EACH STATEMENT EXECUTE FUNCTION ${fn(schema, names.captureTrigger(migration))}(${args})`,
    `ALTER TABLE ${quoteQualified(table)} ENABLE ALWAYS TRIGGER ${trigger}`,
  ];
}

/** Installs capture for one class: on its table, then on each partition, one table at a time. A
 * clone of the row trigger that PostgreSQL did not enable ALWAYS with its parent is enabled here. */
export async function installCapture(db: QueryRunner, schema: string, migration: string, cls: string, table: string, key: string[]): Promise<void> {
  await runDdl(db, [captureFunction(schema, migration)]);
  await runDdl(db, [...captureStatements(schema, migration, cls, table, key), ...sealStatements(schema)]);
  const partitions = (await partitionsOf(db, [table])).get(table) ?? [];
  for (const p of partitions) await runDdl(db, truncateCaptureStatements(schema, migration, cls, p, key));
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
 * wherever it is (partitions detached since included), and the capture table. */
export async function removeCapture(db: QueryRunner, schema: string, migration: string, cls: string, table: string): Promise<void> {
  const truncate = names.captureTruncateTrigger(migration, cls);
  for (const t of await tablesWithTrigger(db, truncate)) await runDdl(db, [`DROP TRIGGER IF EXISTS ${quoteIdent(truncate)} ON ${quoteQualified(t)}`]);
  await runDdl(db, [
    `DROP TRIGGER IF EXISTS ${quoteIdent(names.captureTrigger(migration))} ON ${quoteQualified(table)}`,
    `DROP TABLE IF EXISTS ${quoteIdent(schema)}.${quoteIdent(names.captureTable(migration, cls))}`,
  ]);
}
