// The append-only guard on an audit class's destination table: UPDATE, DELETE and TRUNCATE are
// rejected with a message naming the table and the migration. cutover's own copy only INSERTs.
//
// - UPDATE and DELETE are rejected by a ROW-level BEFORE trigger, not a statement-level one: an
//   `INSERT … ON CONFLICT DO UPDATE` fires statement-level UPDATE triggers even when no row
//   conflicts, so a statement-level guard would reject replay's upserts of brand-new rows; the row
//   trigger fires only for a row that is really changed or removed.
// - TRUNCATE has statement-level triggers only: a second trigger, `<name>_truncate`.
// - The triggers are ordinary (ENABLE ORIGIN): they fire for every application session. Sessions
//   in `session_replication_role = replica` (cutover's copy and mirror where permitted) skip them,
//   as they skip every ordinary trigger; a rewrite arriving that way is what the audit check's
//   `audit-rewritten` (captured update/delete on the source) reports.
// - The trigger function lives in the state schema on the destination, one per migration, shared
//   by the migration's audit tables; dropping the last guard drops it.
import { quoteIdent, quoteLiteral, quoteQualified } from '../../db/sql-identifiers.js';
import { derivedName } from '../../lock/object-names.js';

/** `cutover_append_only_<migration>_<hash>`: the trigger (and its function); another for TRUNCATE. */
export function appendOnlyName(migration: string): string {
  return derivedName('append_only', migration);
}

function truncateName(migration: string): string {
  return derivedName('append_only_truncate', migration);
}

function fnName(schema: string, migration: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(appendOnlyName(migration))}`;
}

export function auditGuardStatements(schema: string, migration: string, destinationTable: string): string[] {
  const name = appendOnlyName(migration);
  const table = quoteQualified(destinationTable);
  return [
    `CREATE OR REPLACE FUNCTION ${fnName(schema, migration)}() RETURNS trigger
       LANGUAGE plpgsql SET search_path = pg_catalog AS $fn$
     BEGIN
       RAISE EXCEPTION USING
         MESSAGE = format('%s on %I.%I is not allowed: it is an append-only audit table (cutover migration %s)',
                          TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME, ${quoteLiteral(migration)}),
         HINT = 'audit history only grows: record a correcting event instead of changing or removing one',
         ERRCODE = 'insufficient_privilege';
     END $fn$`,
    `DROP TRIGGER IF EXISTS ${quoteIdent(name)} ON ${table}`,
    `CREATE TRIGGER ${quoteIdent(name)} BEFORE UPDATE OR DELETE ON ${table}
       FOR EACH ROW EXECUTE FUNCTION ${fnName(schema, migration)}()`,
    `DROP TRIGGER IF EXISTS ${quoteIdent(truncateName(migration))} ON ${table}`,
    `CREATE TRIGGER ${quoteIdent(truncateName(migration))} BEFORE TRUNCATE ON ${table}
       FOR EACH STATEMENT EXECUTE FUNCTION ${fnName(schema, migration)}()`,
  ];
}

export function dropAuditGuardStatements(schema: string, migration: string, destinationTable: string): string[] {
  const name = appendOnlyName(migration);
  const table = quoteQualified(destinationTable);
  const signature = quoteLiteral(`${fnName(schema, migration)}()`);
  return [
    `DROP TRIGGER IF EXISTS ${quoteIdent(name)} ON ${table}`,
    `DROP TRIGGER IF EXISTS ${quoteIdent(truncateName(migration))} ON ${table}`,
    // the function goes with the migration's last guard
    `DO $do$ BEGIN
       IF pg_catalog.to_regprocedure(${signature}) IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgfoid = pg_catalog.to_regprocedure(${signature})) THEN
         DROP FUNCTION ${fnName(schema, migration)}();
       END IF;
     END $do$`,
  ];
}
