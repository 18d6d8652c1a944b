// Row checks of one destination column at a time, each a predicate over the mapped row "#w":
// NULL into NOT NULL, values outside an enum, text longer than varchar(n), numbers that overflow or
// would be rounded by the destination type, and local times in a daylight-saving gap or overlap.
import { quoteIdent, quoteLiteral } from '../../db/sql-identifiers.js';
import type { CatalogColumn } from '../../introspect/catalog.js';
import { numericTypmod, type ExpressionType } from '../expressions.js';
import { gapPredicate, overlapPredicate } from './dst.js';
import { rowsText, type ClassScan, type MappedColumn, type RowCheck } from './model.js';

const INTEGER_RANGE: Record<string, [string, string]> = {
  int2: ['-32768', '32767'],
  int4: ['-2147483648', '2147483647'],
  int8: ['-9223372036854775808', '9223372036854775807'],
};
const INTEGER_RANK: Record<string, number> = { int2: 1, int4: 2, int8: 3 };
const INTEGER_DIGITS: Record<string, number> = { int2: 5, int4: 10, int8: 19 };
/** expression types whose values convert to numeric for the range and rounding checks */
const NUMBERS = new Set(['int2', 'int4', 'int8', 'numeric', 'float4', 'float8', 'money']);
const FRACTIONAL = new Set(['numeric', 'float4', 'float8', 'money']);

/**
 * @param validZones zones known to PostgreSQL; DST checks are built only for those
 */
export function columnChecks(scan: ClassScan, validZones: ReadonlySet<string>): RowCheck[] {
  const checks: RowCheck[] = [];
  const table = scan.destination.qualified;
  const planned = scan.cls.columns ?? {};
  const computed = scan.cls.computed ?? {};

  for (const target of scan.destination.columns) {
    if (target.generated) continue;
    const mapped = scan.mapped.find((m) => m.name === target.name);
    if (!mapped) {
      // a mapped column whose expression is invalid is reported by describeMappings
      if (target.name in planned || target.name in computed) continue;
      if (target.notNull && !target.hasDefault && !target.identity) {
        checks.push({
          kind: 'null-into-not-null', severity: 'error', column: target.name,
          predicate: 'TRUE', reads: [],
          path: ['classes', scan.name, 'columns'],
          message: (n, rows) => `${rowsText(n, rows, 'would get')} NULL in \`${target.name}\`, which is NOT NULL without a default in ${table} and which \`columns\` does not map`,
        });
      }
      continue;
    }
    checks.push(...mappedChecks(scan, mapped, validZones));
  }
  return checks;
}

function mappedChecks(scan: ClassScan, m: MappedColumn, validZones: ReadonlySet<string>): RowCheck[] {
  const checks: RowCheck[] = [];
  const col = quoteIdent(m.name);
  const table = scan.destination.qualified;
  const target = m.target;
  const base = { column: m.name, reads: [m.name], path: ['classes', scan.name, 'columns', m.name] as (string | number)[] };

  if (target.notNull) {
    checks.push({
      ...base, kind: 'null-into-not-null', severity: 'error',
      predicate: `${col} IS NULL`,
      message: (n, rows) => `${rowsText(n, rows, 'map')} NULL into \`${m.name}\`, which is NOT NULL in ${table}`,
    });
  }

  if (target.enumLabels) {
    const labels = target.enumLabels.length > 0
      ? `ARRAY[${target.enumLabels.map(quoteLiteral).join(', ')}]::pg_catalog.text[]`
      : `'{}'::pg_catalog.text[]`;
    checks.push({
      ...base, kind: 'outside-enum', severity: 'error',
      predicate: `${col} IS NOT NULL AND (${col})::pg_catalog.text <> ALL (${labels})`,
      message: (n, rows) => `${rowsText(n, rows, 'map')} values into \`${m.name}\` that are not labels of ${target.type} (${target.enumLabels!.join(', ')})`,
    });
  }

  if (target.maxLength !== null && (target.baseType === 'varchar' || target.baseType === 'bpchar') && !fitsLength(m.type, target.maxLength)) {
    checks.push({
      ...base, kind: 'too-long', severity: 'error',
      predicate: `pg_catalog.char_length((${col})::pg_catalog.text) > ${target.maxLength}`,
      message: (n, rows) => `${rowsText(n, rows, 'map')} text longer than ${target.maxLength} characters into \`${m.name}\` (${target.type})`,
    });
  }

  checks.push(...numericChecks(base, col, m));

  const tz = scan.cls.timestamps?.source_timezone;
  if (tz && validZones.has(tz) && m.type.baseType === 'timestamp' && target.baseType === 'timestamptz') {
    if ((scan.cls.timestamps?.nonexistent ?? 'error') === 'error') {
      checks.push({
        ...base, kind: 'dst-gap', severity: 'error',
        predicate: gapPredicate(col, tz),
        message: (n, rows) => `${rowsText(n, rows, 'map')} local times into \`${m.name}\` that do not exist in ${tz} (skipped by a daylight-saving change), and \`timestamps.nonexistent\` is error`,
      });
    }
    if ((scan.cls.timestamps?.ambiguous ?? 'error') === 'error') {
      checks.push({
        ...base, kind: 'dst-overlap', severity: 'error',
        predicate: overlapPredicate(col, tz),
        message: (n, rows) => `${rowsText(n, rows, 'map')} local times into \`${m.name}\` that occur twice in ${tz} (repeated by a daylight-saving change), and \`timestamps.ambiguous\` is error`,
      });
    }
  }
  return checks;
}

function fitsLength(type: ExpressionType, maxLength: number): boolean {
  return (type.baseType === 'varchar' || type.baseType === 'bpchar') && type.baseTypmod >= 4 && type.baseTypmod - 4 <= maxLength;
}

function numericChecks(
  base: { column: string; reads: string[]; path: (string | number)[] },
  col: string,
  m: MappedColumn,
): RowCheck[] {
  const from = m.type.baseType;
  const target: CatalogColumn = m.target;
  if (!NUMBERS.has(from)) return [];
  const value = `(${col})::pg_catalog.numeric`;
  const checks: RowCheck[] = [];

  const range = INTEGER_RANGE[target.baseType];
  if (range) {
    const narrower = INTEGER_RANK[from] !== undefined && INTEGER_RANK[from]! <= INTEGER_RANK[target.baseType]!;
    if (!narrower) {
      checks.push({
        ...base, kind: 'numeric-overflow', severity: 'error',
        predicate: `pg_catalog.round(${value}) NOT BETWEEN ${range[0]} AND ${range[1]}`,
        message: (n, rows) => `${rowsText(n, rows, 'map')} numbers into \`${m.name}\` outside the range of ${target.type} (${range[0]} to ${range[1]})`,
      });
    }
    if (FRACTIONAL.has(from)) {
      checks.push({
        ...base, kind: 'numeric-rounding', severity: 'error',
        predicate: `${value} <> pg_catalog.round(${value})`,
        message: (n, rows) => `${rowsText(n, rows, 'map')} numbers with a fractional part into \`${m.name}\` (${target.type}): the destination would not hold them as they are`,
      });
    }
    return checks;
  }

  if (target.baseType === 'numeric' && target.precision !== null && target.scale !== null) {
    const p = target.precision;
    const s = target.scale;
    const typmod = from === 'numeric' ? numericTypmod(m.type.baseTypmod) : null;
    const integerDigits = p - s;
    const overflowImpossible =
      (INTEGER_DIGITS[from] !== undefined && INTEGER_DIGITS[from]! <= integerDigits && s >= 0) ||
      (typmod !== null && typmod.scale <= s && typmod.precision - typmod.scale <= integerDigits);
    if (!overflowImpossible) {
      const limit = integerDigits >= 0 ? `1${'0'.repeat(integerDigits)}` : `0.${'0'.repeat(-integerDigits - 1)}1`;
      checks.push({
        ...base, kind: 'numeric-overflow', severity: 'error',
        predicate: `${value} <> 'NaN' AND pg_catalog.abs(pg_catalog.round(${value}, ${s})) >= ${limit}`,
        message: (n, rows) => `${rowsText(n, rows, 'map')} numbers into \`${m.name}\` that do not fit ${target.type}`,
      });
    }
    const roundingImpossible = INTEGER_DIGITS[from] !== undefined ? s >= 0 : typmod !== null && typmod.scale <= s;
    if (!roundingImpossible) {
      checks.push({
        ...base, kind: 'numeric-rounding', severity: 'error',
        predicate: `${value} <> pg_catalog.round(${value}, ${s})`,
        message: (n, rows) => `${rowsText(n, rows, 'map')} numbers with more than ${s} decimal place${s === 1 ? '' : 's'} into \`${m.name}\` (${target.type}): they would be rounded`,
      });
    }
  }
  return checks;
}
