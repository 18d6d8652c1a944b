// Change capture on the source: a row trigger on a class's table records the key of every changed
// row, with the writing transaction's id, in a capture table in cutover's schema. Replay re-reads
// each captured key through `columns`, so capture stores keys only, never row data.
import { quoteIdent, quoteLiteral, quoteQualified } from '../db/sql-identifiers.js';
import { fn, names } from '../lock/object-names.js';

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
    `DROP TRIGGER IF EXISTS ${quoteIdent(`${names.captureTrigger(migration)}_truncate`)} ON ${quoteQualified(table)}`,
    `CREATE TRIGGER ${quoteIdent(`${names.captureTrigger(migration)}_truncate`)} AFTER TRUNCATE ON ${quoteQualified(table)}
       FOR EACH STATEMENT EXECUTE FUNCTION ${fn(schema, names.captureTrigger(migration))}(${args})`,
  ];
}

export function dropCaptureStatements(schema: string, migration: string, cls: string, table: string): string[] {
  return [
    `DROP TRIGGER IF EXISTS ${quoteIdent(names.captureTrigger(migration))} ON ${quoteQualified(table)}`,
    `DROP TRIGGER IF EXISTS ${quoteIdent(`${names.captureTrigger(migration)}_truncate`)} ON ${quoteQualified(table)}`,
    `DROP TABLE IF EXISTS ${quoteIdent(schema)}.${quoteIdent(names.captureTable(migration, cls))}`,
  ];
}
