// How a row becomes comparable text on both sides. The mapped source row and the destination row
// are both normalised to the DESTINATION column types, then rendered to text by type family, so
// that two values are equal exactly when the copy would have written the one onto the other:
//
// - built-in destination types: the source expression is cast to the destination column's type
//   (`(expr)::numeric(10,2)`), which applies the same rounding the copy's assignment applies. Length
//   limits are the exception: an explicit cast to varchar(n)/char(n)/bit(n) silently truncates where
//   the copy fails, so those are cast to their unbounded type and a too-long value stays different.
// - domains over built-in types: cast to the domain's base type (the domain itself need not exist
//   on the source), then rendered like the base type.
// - enums and other user types (which need not exist on the source): compared as text.
// - rendering: numerics by value (`trim_scale`, so 1.5 = 1.50 whatever the scale), money through
//   numeric, timestamptz as the UTC wall time of the instant (independent of the session zone),
//   everything else through its output function under the pinned session (DateStyle=ISO,
//   IntervalStyle=postgres, extra_float_digits=3, bytea_output=hex).
// - a row is `ROW(v1, …, vn)::text` of those texts: record output leaves a NULL empty and quotes
//   an empty string (`""`), so NULL and '' differ, and no two rows of values print the same.
// - a key is `json_build_array(k1, …)::text` of the normalised destination key columns, the same
//   text on both sides; on the source, those are the mapped expressions of the destination key.
import { quoteIdent, quoteQualified } from '../../db/sql-identifiers.js';
import { Failure } from '../../failure.js';
import type { CatalogColumn, CatalogTable } from '../../introspect/catalog.js';
import type { RecordClass } from '../../plan/types.js';
import type { ExpressionType } from '../expressions.js';
import { mappedColumns, sourceFrom } from '../../copy/mapped-select.js';

/** One side's SQL: a FROM clause and the normalised text of each compared column and key column. */
export interface SideSql {
  /** `FROM … AS src [WHERE …]` or `FROM … AS dst` */
  from: string;
  /** normalised text per compared column, in `ParityShape.columns` order */
  values: string[];
  /** normalised text per key column, in `ParityShape.keyColumns` order */
  key: string[];
}

export type KeyKind = 'number' | 'string';

export interface ParityShape {
  /** destination columns compared (the class's `columns`, in plan order) */
  columns: string[];
  /** the destination key */
  keyColumns: string[];
  /** how each key value is shown in sample keys: int2/int4 as numbers, everything else as strings */
  keyKinds: KeyKind[];
  source: SideSql;
  destination: SideSql;
}

/** pg_type.typname of the built-in scalar types cutover casts to and renders by family */
const BUILTIN_TYPNAMES = new Set([
  'bool', 'int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'money', 'text', 'varchar', 'bpchar', 'char', 'name',
  'date', 'time', 'timetz', 'timestamp', 'timestamptz', 'interval', 'uuid', 'json', 'jsonb', 'bytea', 'bit', 'varbit',
  'inet', 'cidr', 'macaddr', 'macaddr8', 'xml', 'oid', 'tsvector', 'tsquery', 'pg_lsn',
  'point', 'line', 'lseg', 'box', 'path', 'polygon', 'circle',
]);

/** format_type() spellings of those types, typmods and array brackets removed */
const BUILTIN_FORMATS = new Set([
  'boolean', 'smallint', 'integer', 'bigint', 'real', 'double precision', 'numeric', 'money', 'text', 'character varying',
  'character', 'bpchar', '"char"', 'name', 'date', 'time without time zone', 'time with time zone', 'timestamp without time zone',
  'timestamp with time zone', 'interval', 'uuid', 'json', 'jsonb', 'bytea', 'bit', 'bit varying', 'inet', 'cidr', 'macaddr',
  'macaddr8', 'xml', 'oid', 'tsvector', 'tsquery', 'pg_lsn', 'point', 'line', 'lseg', 'box', 'path', 'polygon', 'circle',
]);

/** types whose typmod is a length: an explicit cast truncates or pads where assignment fails */
const LENGTH_TYPES: Record<string, string> = { varchar: 'character varying', bpchar: 'bpchar', bit: 'bit varying', varbit: 'bit varying' };

type Family =
  | { kind: 'builtin'; base: string; cast: string }
  | { kind: 'domain'; base: string; cast: string }
  | { kind: 'text' };

function bareFormat(type: string): string {
  const s = type.replace(/\[\]/g, '').replace(/\(\s*-?\d+(\s*,\s*-?\d+)?\s*\)/g, '').replace(/\s+/g, ' ').trim();
  return s.startsWith('interval') ? 'interval' : s;
}

/** A column's family: how the source value is typed and how both sides render it. */
export function familyOf(column: CatalogColumn): Family {
  if (column.category === 'E') return { kind: 'text' };
  const isArray = column.category === 'A' && column.baseType.startsWith('_');
  const element = isArray ? column.baseType.slice(1) : column.baseType;
  if (!BUILTIN_TYPNAMES.has(element)) return { kind: 'text' };
  const brackets = isArray ? '[]' : '';
  if (BUILTIN_FORMATS.has(bareFormat(column.type)) && (!isArray || column.type.endsWith('[]'))) {
    const unbounded = LENGTH_TYPES[element];
    return { kind: 'builtin', base: isArray ? 'array' : element, cast: unbounded ? `${unbounded}${brackets}` : column.type };
  }
  // a domain (or an array of one) over a built-in type: its base type, with the scale kept
  let cast: string;
  if (LENGTH_TYPES[element]) cast = `${LENGTH_TYPES[element]}${brackets}`;
  else if (element === 'numeric' && column.precision !== null && column.scale !== null) cast = `numeric(${column.precision},${column.scale})${brackets}`;
  else cast = `pg_catalog.${quoteIdent(column.baseType)}`;
  return { kind: 'domain', base: isArray ? 'array' : element, cast };
}

/** Text of a value already typed as `base`. */
function render(base: string, value: string): string {
  switch (base) {
    case 'numeric': return `pg_catalog.trim_scale(${value})::text`;
    case 'money': return `pg_catalog.trim_scale((${value})::numeric)::text`;
    case 'timestamptz': return `((${value}) AT TIME ZONE 'UTC')::text`;
    default: return `(${value})::text`;
  }
}

/** The source side of one column: the mapped expression normalised to the destination column. */
export function sourceValue(column: CatalogColumn, mapped: string, type: ExpressionType | undefined): string {
  const family = familyOf(column);
  if (family.kind === 'text') return `(${mapped})::text`;
  // no cast when the expression already has exactly the destination type
  const typed = family.kind === 'builtin' && type?.typeName === family.cast ? mapped : `(${mapped})::${family.cast}`;
  return render(family.base, typed);
}

/** The destination side of one column: the column itself, rendered. */
export function destinationValue(column: CatalogColumn, reference: string): string {
  const family = familyOf(column);
  if (family.kind === 'text') return `(${reference})::text`;
  return render(family.base, family.kind === 'domain' ? `(${reference})::${family.cast}` : reference);
}

/** `FROM [ONLY] table AS dst`: a partitioned table whole, an inheritance parent without its children. */
export function destinationFrom(table: CatalogTable): string {
  return `FROM ${table.kind === 'partitioned' ? '' : 'ONLY '}${quoteQualified(table.qualified)} AS dst`;
}

export function keyKindOf(column: CatalogColumn): KeyKind {
  return column.baseType === 'int2' || column.baseType === 'int4' ? 'number' : 'string';
}

function destinationColumn(table: CatalogTable, name: string, what: string): CatalogColumn {
  const column = table.columns.find((c) => c.name === name);
  if (!column) throw new Failure('parity.column-missing', `${table.qualified} has no column \`${name}\` (${what})`, 'run `cutover plan` to see what the plan refers to');
  return column;
}

/** Both sides' SQL for one class. */
export function parityShape(
  cls: RecordClass, sourceTable: CatalogTable, destinationTable: CatalogTable, types: ReadonlyMap<string, ExpressionType> | undefined,
): ParityShape {
  const mapped = new Map(mappedColumns(cls, types, destinationTable).map((m) => [m.column, m.sql]));
  const columns = [...mapped.keys()];
  const keyColumns = [...cls.destination.key];
  const sourceOf = (name: string) => {
    const sql = mapped.get(name);
    if (sql === undefined) throw new Failure('parity.key-unmapped', `destination key column \`${name}\` of ${destinationTable.qualified} is not mapped in \`columns\``);
    return sourceValue(destinationColumn(destinationTable, name, 'destination key'), sql, types?.get(name));
  };
  const destinationOf = (name: string) => destinationValue(destinationColumn(destinationTable, name, 'mapped column'), `dst.${quoteIdent(name)}`);
  return {
    columns,
    keyColumns,
    keyKinds: keyColumns.map((k) => keyKindOf(destinationColumn(destinationTable, k, 'destination key'))),
    source: { from: sourceFrom(cls, sourceTable), values: columns.map(sourceOf), key: keyColumns.map(sourceOf) },
    destination: { from: destinationFrom(destinationTable), values: columns.map(destinationOf), key: keyColumns.map(destinationOf) },
  };
}

/** The key's text, identical on both sides for the same key: `["1", "x"]`. */
export function keyText(side: SideSql): string {
  return `json_build_array(${side.key.join(', ')})::text`;
}

/** The row's text: NULL and '' differ, and column boundaries cannot shift. */
export function rowText(side: SideSql): string {
  return `ROW(${side.values.join(', ')})::text`;
}

/** The row's normalised values, for naming the columns that differ. */
export function rowValues(side: SideSql): string {
  return `ARRAY[${side.values.join(', ')}]::text[]`;
}

/** A key text (from `keyText`) as a sample key: int2/int4 as numbers, others as strings. */
export function sampleKey(text: string, kinds: readonly KeyKind[]): unknown[] {
  const values = JSON.parse(text) as (string | null)[];
  return values.map((v, i) => (v !== null && kinds[i] === 'number' ? Number(v) : v));
}
