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

/** A class's table as a FROM item: a partitioned table whole, with its partitions (they are not
 * classes); any other table `ONLY` itself, so an inheritance parent does not also read its
 * children's rows. The one rule every read of a class's table follows, source and destination. */
export function tableFromItem(table: { kind: string; schema: string; name: string }): string {
  const name = `${quoteIdent(table.schema)}.${quoteIdent(table.name)}`;
  return table.kind === 'partitioned' ? name : `ONLY ${name}`;
}

/** A string literal, for the few places a value cannot be a bind parameter (DDL). */
export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

// PostgreSQL's reserved and column-name keywords: a column so named must be quoted in SQL (`"user"`)
const KEYWORDS = new Set(`all analyse analyze and any array as asc asymmetric authorization between bigint binary bit
  boolean both case cast char character check coalesce collate collation column concurrently constraint create cross
  current_catalog current_date current_role current_schema current_time current_timestamp current_user dec decimal
  default deferrable desc distinct do else end except exists extract false fetch float for foreign freeze from full
  grant greatest group grouping having ilike in initially inner inout int integer intersect interval into is isnull
  join json json_array json_arrayagg json_exists json_object json_objectagg json_query json_scalar json_serialize
  json_table json_value lateral leading least left like limit localtime localtimestamp merge_action national natural
  nchar none normalize not notnull null numeric offset on only or order out outer overlaps overlay placing position
  precision primary real references returning right row select session_user setof similar smallint some substring
  symmetric system_user table tablesample then time timestamp to trailing treat trim true union unique user using
  values varchar variadic verbose when where window with xmlattributes xmlconcat xmlelement xmlexists xmlforest
  xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable`.split(/\s+/));

const PLAIN = /^[a-z_][a-z0-9_$]*$/;

/** A column as SQL names it, quoted only where SQL needs it: for hints that print a mapping
 * expression (`email`, `"Order Id"`, `"user"`). */
export function sqlColumn(name: string): string {
  return PLAIN.test(name) && !KEYWORDS.has(name) ? name : quoteIdent(name);
}
