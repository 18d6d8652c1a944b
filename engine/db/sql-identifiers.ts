// Identifiers are quoted by one helper in every statement cutover builds.
import { readTableName } from '../plan/plan-names.js';

/** Always quotes: for building SQL. `order` → `"order"`, `a"b` → `"a""b"`. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A table named as a plan writes it (`schema.table`, `Sales Ops.Order Lines`, `"a.b".t`, or bare
 * `table`; see engine/plan/plan-names.ts) → `"schema"."table"`. */
export function quoteQualified(name: string): string {
  const table = readTableName(name);
  if ('error' in table) throw new Error(`not a table name (${table.error}): ${name}`);
  return table.schema === undefined ? quoteIdent(table.name) : `${quoteIdent(table.schema)}.${quoteIdent(table.name)}`;
}

/** A string literal, for the few places a value cannot be a bind parameter (DDL). */
export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
