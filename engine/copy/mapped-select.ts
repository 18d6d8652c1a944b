// The one place a class's mapping becomes SQL over the source row: copy, replay, parity and the
// mirror all read the source through this, so they can never disagree about what a row maps to.
// `timestamp` → `timestamptz` columns are read through the class's source_timezone, with the
// declared daylight-saving policies.
import { gapPredicate, overlapPredicate } from '../checks/preflight/dst.js';
import type { ExpressionType } from '../checks/expressions.js';
import { quoteIdent, quoteLiteral, tableFromItem } from '../db/sql-identifiers.js';
import type { CatalogTable } from '../introspect/catalog.js';
import type { RecordClass } from '../plan/types.js';

export interface MappedColumn {
  /** destination column */
  column: string;
  /** SQL over the source row giving the value for it */
  sql: string;
}

/** A local time on the source (`timestamp`) as an instant, read in the class's source_timezone with
 * its daylight-saving policies. Rows far from a transition (the zone's offset the same three hours
 * either side) take the plain conversion; only the few near one pay for the gap and overlap tests. */
export function localToInstant(t: string, cls: RecordClass): string {
  const tz = cls.timestamps!.source_timezone;
  const z = quoteLiteral(tz);
  const u = `((${t}) AT TIME ZONE ${z})`; // PostgreSQL: the later instant in an overlap, forward in a gap
  const refuse = (what: string) => `(${quoteLiteral(`cutover: local time `)} || (${t})::text || ${quoteLiteral(` ${what} in ${tz}`)})::timestamptz`;
  const overlap = overlapPredicate(t, tz);
  const ambiguous = cls.timestamps?.ambiguous ?? 'error';
  const nonexistent = cls.timestamps?.nonexistent ?? 'error';
  // the earlier of two instants showing t: the offset in force a few hours before the later one
  const earlier = `(((${t}) - ((${u} - interval '3 hours') AT TIME ZONE ${z} - (${u} - interval '3 hours') AT TIME ZONE 'UTC')) AT TIME ZONE 'UTC')`;
  const whenAmbiguous = ambiguous === 'later' ? u : ambiguous === 'earlier' ? `LEAST(${u}, ${earlier})` : refuse('is ambiguous (daylight-saving overlap)');
  const whenGap = nonexistent === 'forward' ? u : refuse('does not exist (daylight-saving gap)');
  const offset = (x: string) => `((${x}) AT TIME ZONE ${z} - (${x}) AT TIME ZONE 'UTC')`;
  const steady = `${offset(`${u} - interval '3 hours'`)} = ${offset(`${u} + interval '3 hours'`)}`;
  return `(CASE WHEN (${t}) IS NULL THEN NULL::timestamptz WHEN ${steady} THEN ${u} WHEN ${gapPredicate(t, tz)} THEN ${whenGap} WHEN ${overlap} THEN ${whenAmbiguous} ELSE ${u} END)`;
}

function needsZone(type: ExpressionType | undefined, destinationType: string | undefined): boolean {
  return type?.baseType === 'timestamp' && destinationType === 'timestamptz';
}

export function mappedColumns(cls: RecordClass, types: ReadonlyMap<string, ExpressionType> | undefined, destination: CatalogTable | undefined): MappedColumn[] {
  return Object.entries(cls.columns).map(([column, expression]) => {
    // the newline keeps a trailing `-- comment` in the plan's SQL from swallowing the statement
    const sql = `(${expression}\n)`;
    const target = destination?.columns.find((c) => c.name === column);
    if (cls.timestamps && needsZone(types?.get(column), target?.baseType)) return { column, sql: localToInstant(sql, cls) };
    return { column, sql };
  });
}

/** `FROM [ONLY] table [WHERE …]` for reading a class's rows on the source (see `tableFromItem`),
 * narrowed by `and` when given (a key range, a key list). */
export function sourceFrom(cls: RecordClass, table: CatalogTable, and?: string): string {
  const conditions = [cls.where ? `(${cls.where}\n)` : '', and ?? ''].filter(Boolean);
  const where = conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '';
  return `FROM ${tableFromItem(table)} AS src${where}`;
}

/** `SELECT <mapped> AS "<dest col>", …` in destination column order as written in the plan. */
export function mappedSelectList(columns: readonly MappedColumn[]): string {
  return columns.map((c) => `${c.sql} AS ${quoteIdent(c.column)}`).join(', ');
}
