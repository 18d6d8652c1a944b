// Identifiers are quoted by one helper in every statement cutover builds.

/** Always quotes: for building SQL. `order` → `"order"`, `a"b` → `"a""b"`. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `schema.table` (or bare `table`) → `"schema"."table"`. */
export function quoteQualified(name: string): string {
  return name.split('.').map(quoteIdent).join('.');
}

const PLAIN = /^[a-z_][a-z0-9_$]*$/;

/** Quotes only when PostgreSQL would need it: for showing names the way users write them. */
export function quoteIdentIfNeeded(name: string): string {
  return PLAIN.test(name) ? name : quoteIdent(name);
}

/** A string literal, for the few places a value cannot be a bind parameter (DDL). */
export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
