// How a row becomes comparable text on both sides. The mapped source row and the destination row
// are both normalised to the DESTINATION column types, then rendered to text by type family, so
// that two values give the same text exactly when the copy would have written the one as the other:
//
// - built-in destination types: the source expression is cast to the destination column's type
//   (`(expr)::numeric(10,2)`), which rounds as the copy's assignment does. Length limits are the
//   exception: an explicit cast to varchar(n)/char(n)/bit(n) silently truncates where the copy
//   fails, so those are cast to their unbounded type and a too-long value stays different.
// - domains over built-in types: cast to the domain's base type (the domain itself need not exist
//   on the source), then rendered like the base type.
// - enums and other user types (which need not exist on the source): compared as text.
// - rendering: numerics by value — with a declared scale both sides hold exactly that scale after
//   the cast, so their text is canonical; without one, `trim_scale` (1.5 = 1.50); money through
//   numeric; timestamptz as the UTC wall time of the instant (whatever the session zone);
//   everything else through its output function under the pinned session settings (DateStyle=ISO,
//   IntervalStyle=postgres, extra_float_digits=3, bytea_output=hex). NULL stays NULL (hashing
//   tells it from '').
// - a key is the normalised destination key columns; on the source, those are the mapped
//   expressions of the destination key columns. `keyText` gives it as `["1", "x"]` for the wire.
import { quoteIdent, tableFromItem } from '../../db/sql-identifiers.js';
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
  /** per compared column, the native hash input where the type has one (see NativeHash); without
   * it (or for a null entry) the normalised text is hashed */
  valuesNative?: (NativeHash | null)[];
  /** per key column, likewise */
  keyNative?: (NativeHash | null)[];
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

/** Text of a value already typed as `base` (`scaled`: a numeric of declared scale). */
function render(base: string, value: string, scaled: boolean): string {
  switch (base) {
    case 'numeric': return scaled ? `(${value})::text` : `pg_catalog.trim_scale(${value})::text`;
    case 'money': return `pg_catalog.trim_scale((${value})::numeric)::text`;
    case 'timestamptz': return `((${value}) AT TIME ZONE 'UTC')::text`;
    default: return `(${value})::text`;
  }
}

/**
 * A value hashed as its type, where PostgreSQL (13 and later alike) has an extended hash function
 * that agrees with the type's equality (1.5 and 1.50, one instant in any zone, hash alike): cheaper
 * than rendering text first. Used only when both servers agree on a probe (buckets.ts).
 */
export interface NativeHash {
  /** function(value, seed bigint) → bigint */
  fn: string;
  value: string;
}

const NATIVE: Record<string, string> = {
  int2: 'hashint2extended', int4: 'hashint4extended', int8: 'hashint8extended', numeric: 'hash_numeric_extended',
  float4: 'hashfloat4extended', float8: 'hashfloat8extended', timestamp: 'timestamp_hash_extended', uuid: 'uuid_hash_extended',
};

function native(base: string, value: string): NativeHash | null {
  switch (base) {
    case 'timestamptz': return { fn: 'pg_catalog.timestamp_hash_extended', value: `((${value}) AT TIME ZONE 'UTC')` };
    case 'bool': return { fn: 'pg_catalog.hashint4extended', value: `(${value})::int` };
    // days since 2000-01-01 (what a date is inside); ±infinity as the int32 ends, as inside too
    case 'date': return {
      fn: 'pg_catalog.hashint4extended',
      value: `(CASE WHEN pg_catalog.isfinite(${value}) THEN (${value}) - DATE '2000-01-01' WHEN (${value}) > DATE '2000-01-01' THEN 2147483647 ELSE '-2147483648'::int END)`,
    };
  }
  const fn = NATIVE[base];
  return fn ? { fn: `pg_catalog.${fn}`, value } : null;
}

/** A column's value normalised: its text, and its native hash input where it has one. */
export interface Normalised {
  text: string;
  native: NativeHash | null;
}

/** The source side of one column: the mapped expression normalised to the destination column. */
export function sourceNormalised(column: CatalogColumn, mapped: string, type: ExpressionType | undefined): Normalised {
  const family = familyOf(column);
  if (family.kind === 'text') return { text: `(${mapped})::text`, native: null };
  // no cast when the expression already has exactly the destination type
  const typed = family.kind === 'builtin' && type?.typeName === family.cast ? mapped : `(${mapped})::${family.cast}`;
  return { text: render(family.base, typed, column.scale !== null), native: native(family.base, typed) };
}

/** The destination side of one column: the column itself. */
export function destinationNormalised(column: CatalogColumn, reference: string): Normalised {
  const family = familyOf(column);
  if (family.kind === 'text') return { text: `(${reference})::text`, native: null };
  const typed = family.kind === 'domain' ? `(${reference})::${family.cast}` : reference;
  return { text: render(family.base, typed, column.scale !== null), native: native(family.base, typed) };
}

/** The source side of one column as text. */
export function sourceValue(column: CatalogColumn, mapped: string, type: ExpressionType | undefined): string {
  return sourceNormalised(column, mapped, type).text;
}

/** The destination side of one column as text. */
export function destinationValue(column: CatalogColumn, reference: string): string {
  return destinationNormalised(column, reference).text;
}

/** `FROM [ONLY] table AS dst`: a partitioned table whole, an inheritance parent without its children. */
export function destinationFrom(table: CatalogTable): string {
  return `FROM ${tableFromItem(table)} AS dst`;
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
    return sourceNormalised(destinationColumn(destinationTable, name, 'mapped column'), sql, types?.get(name));
  };
  const destinationOf = (name: string) => destinationNormalised(destinationColumn(destinationTable, name, 'mapped column'), `dst.${quoteIdent(name)}`);
  const side = (from: string, of: (name: string) => Normalised): SideSql => {
    const values = columns.map(of);
    const key = keyColumns.map(of);
    return {
      from, values: values.map((v) => v.text), key: key.map((v) => v.text),
      valuesNative: values.map((v) => v.native), keyNative: key.map((v) => v.native),
    };
  };
  return {
    columns,
    keyColumns,
    keyKinds: keyColumns.map((k) => keyKindOf(destinationColumn(destinationTable, k, 'destination key'))),
    source: side(sourceFrom(cls, sourceTable), sourceOf),
    destination: side(destinationFrom(destinationTable), destinationOf),
  };
}

/** The key's text, identical on both sides for the same key: `["1", "x"]`. */
export function keyText(side: SideSql): string {
  return `json_build_array(${side.key.join(', ')})::text`;
}

/** The row as one text (record output: a NULL is empty, '' is `""`, values are quoted as needed,
 * so NULL and '' differ and column boundaries cannot shift). Parity hashes columns one by one
 * instead (buckets.ts); this is for checks that need a row as a single value. */
export function rowText(side: SideSql): string {
  return `ROW(${side.values.join(', ')})::text`;
}

/** The row's normalised values, for naming the columns that differ. */
export function rowValues(side: SideSql): string {
  return `ARRAY[${side.values.join(', ')}]::text[]`;
}

/** Expressions putting keys in their typed order (numbers by value, instants in time; text in C
 * collation), for choosing sample keys in SQL the way `compareKeys` does. */
export function keyOrder(side: SideSql): string[] {
  return side.key.map((text, i) => side.keyNative?.[i]?.value ?? `(${text}) COLLATE "C"`);
}

/** `AS o1, AS o2…` select items of keyOrder, and the ORDER BY over them. */
export function keyOrderColumns(side: SideSql): { select: string; orderBy: string } {
  const order = keyOrder(side);
  return {
    select: order.map((o, i) => `, ${o} AS o${i + 1}`).join(''),
    orderBy: order.map((_, i) => `o${i + 1}`).join(', '),
  };
}

const NUMBER = /^-?\d+(\.\d+)?$/;

function compareValues(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1; // NULLs last, as ORDER BY puts them
  if (b === null) return -1;
  if (NUMBER.test(a) && NUMBER.test(b)) {
    const d = Number(a) - Number(b);
    if (d !== 0 && Number.isFinite(d)) return d < 0 ? -1 : 1;
    if (!a.includes('.') && !b.includes('.')) return BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

export type KeyValues = (string | null)[];

/** A key text (from `keyText`) as its values. */
export function parseKey(text: string): KeyValues {
  return JSON.parse(text) as KeyValues;
}

/** Orders keys by their values: numbers numerically, the rest as text (C collation). */
export function compareKeyValues(x: KeyValues, y: KeyValues): number {
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const c = compareValues(x[i] ?? null, y[i] ?? null);
    if (c !== 0) return c;
  }
  return 0;
}

/** Orders key texts (from `keyText`) as compareKeyValues does. */
export function compareKeys(a: string, b: string): number {
  return a === b ? 0 : compareKeyValues(parseKey(a), parseKey(b));
}

/** A key text (from `keyText`) as a sample key: int2/int4 as numbers, others as strings. */
export function sampleKey(text: string, kinds: readonly KeyKind[]): unknown[] {
  const values = JSON.parse(text) as (string | null)[];
  return values.map((v, i) => (v !== null && kinds[i] === 'number' ? Number(v) : v));
}
