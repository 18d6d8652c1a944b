// Mappings that visibly change what they read: `left(name, 20)`, `name::varchar(20)`,
// `round(total, 1)`, `amount::int`, `seen::date`. Parity cannot see such a change (it compares the
// destination with the same mapping), so preflight counts the rows it affects.
//
// Kept simple on purpose: only a mapping that reads exactly one source column is judged, and a row
// counts when its mapped value, cast back to the source column's type, differs from the source
// value in the way a cut does: text that is a part of the source text, a number that is the source
// rounded or truncated to the mapped value's decimals, a time that is the source truncated (to the
// day, hour, minute, second or millisecond) or rounded to fewer fractional seconds. A mapping that
// changes any row in another way (a unit change like `(total * 100)::bigint`, `lower()`, a shift)
// transforms rather than cuts, and is what a mapping is for: it is not judged at all.
import { quoteIdent } from '../../db/sql-identifiers.js';
import type { CatalogColumn } from '../../introspect/catalog.js';
import type { ExpressionType } from '../expressions.js';
import { declaredLoss, declaredText, soleSourceColumn } from './lossy.js';
import { rowsText, type Aliases, type ClassScan, type MappedColumn, type RowCheck } from './model.js';

const NUMBERS = new Set(['int2', 'int4', 'int8', 'numeric', 'float4', 'float8']);
const INSTANTS = new Set(['timestamp', 'timestamptz']);

type Family = 'text' | 'number' | 'instant';

function familyOf(t: { baseType: string; category: string }): Family | null {
  if (t.category === 'S') return 'text';
  if (NUMBERS.has(t.baseType)) return 'number';
  if (INSTANTS.has(t.baseType) || t.baseType === 'date') return 'instant';
  return null;
}

export function changeChecks(scan: ClassScan, aliases: Aliases): RowCheck[] {
  return scan.mapped.flatMap((m) => {
    const check = changeCheck(scan, m, aliases);
    return check ? [check] : [];
  });
}

function changeCheck(scan: ClassScan, m: MappedColumn, aliases: Aliases): RowCheck | null {
  const read = soleSourceColumn(m.sql, scan.source);
  // a bare column reference changes nothing; what its destination column does to it is columns.ts's
  if (!read || m.sql.trim() === read.name || m.sql.trim() === quoteIdent(read.name)) return null;
  const family = familyOf(read);
  if (!family || familyOf(m.type) !== family) return null;
  // a time zone conversion changes timestamp into timestamptz or back: not a cut
  if (family === 'instant' && (!INSTANTS.has(read.baseType) || (m.type.baseType !== read.baseType && m.type.baseType !== 'date'))) return null;
  const alias = aliases.next('s');
  const d = quoteIdent(m.name);
  const s = quoteIdent(alias);
  const predicate = cutPredicate(family, d, s, read, m.type);
  const changed = family === 'text'
    ? `(${d})::pg_catalog.text <> (${s})::pg_catalog.text`
    : family === 'number'
      ? `(${d})::pg_catalog.numeric <> (${s})::pg_catalog.numeric`
      : `${castBack(d, read, m.type)} <> ${s}`;
  const declared = declaredLoss(scan.cls, m.sql, scan.source);
  const what = family === 'text' ? 'a part of' : family === 'number' ? 'a rounding of' : 'a truncation or rounding of';
  return {
    kind: 'value-changed', severity: declared ? 'warning' : 'error', column: m.name,
    predicate, unlessAny: `${changed} AND NOT (${predicate})`, reads: [m.name], sources: [{ alias, column: read.name }],
    path: ['classes', scan.name, 'columns', m.name],
    message: (n, rows) => `${rowsText(n, rows, 'map')} \`${read.name}\` to ${what} it in \`${m.name}\`: `
      + `the copy would change them and parity, which compares through the same mapping, would not notice`
      + (declared
        ? declaredText(read.name, declared)
        : `; map the value unchanged (and widen the destination column if it is too narrow), or, if the change is intended, declare \`${read.name}\` in \`lossy\``),
  };
}

function castBack(d: string, read: CatalogColumn, mapped: ExpressionType): string {
  return mapped.baseType === read.baseType ? d : `(${d})::pg_catalog.${read.baseType}`;
}

/** true on rows whose mapped value `d` is a cut of the source value `s` (see the top) */
function cutPredicate(family: Family, d: string, s: string, read: CatalogColumn, mapped: ExpressionType): string {
  if (family === 'text') {
    const dt = `(${d})::pg_catalog.text`;
    const st = `(${s})::pg_catalog.text`;
    return `${dt} <> ${st} AND pg_catalog.strpos(${st}, ${dt}) > 0`;
  }
  if (family === 'number') {
    const v = `(${d})::pg_catalog.numeric`;
    const u = `(${s})::pg_catalog.numeric`;
    return `${v} <> ${u} AND ${v} IN (pg_catalog.round(${u}, pg_catalog.scale(${v})), pg_catalog.trunc(${u}, pg_catalog.scale(${v})))`;
  }
  const type = `pg_catalog.${read.baseType}`;
  const v = castBack(d, read, mapped);
  const cuts = [
    ...['day', 'hour', 'minute', 'second', 'milliseconds'].map((unit) => `pg_catalog.date_trunc('${unit}', ${s})`),
    ...[0, 1, 2, 3, 4, 5].map((p) => `(${s})::${type}(${p})`),
  ];
  return `${v} <> ${s} AND ${v} IN (${cuts.join(', ')})`;
}
