// Row checks of one destination column at a time, each a predicate over the mapped row "#w":
// NULL into NOT NULL, values outside an enum, text longer than varchar(n), numbers that overflow or
// would be rounded by the destination type, fractional seconds, float precision or a time of day
// the destination would drop, and local times in a daylight-saving gap or overlap.
//
// A destination column narrower than its mapping (varchar(20) for a varchar(40) or text, bigint
// into integer, fewer decimals or fractional seconds) is judged by its data: the values that do not
// fit are the errors; when every value fits, one warning says how much room is left (the longest
// value, the largest magnitude, the most decimals). A change the destination would make silently
// (rounding, not a failed copy) is a warning instead of an error when `lossy` declares it.
import { quoteIdent, quoteLiteral } from '../../db/sql-identifiers.js';
import type { CatalogColumn } from '../../introspect/catalog.js';
import { readColumns } from '../../plan/sql-identifiers.js';
import { plural } from '../../words.js';
import { numericTypmod, secondsPrecision, targetSecondsPrecision, type ExpressionType } from '../type-fit.js';
import { gapPredicate, overlapPredicate } from './dst.js';
import { declaredLoss, declaredText, soleSourceColumn } from './lossy.js';
import { rowsText, type ClassScan, type MappedColumn, type Measure, type RowCheck } from './model.js';

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
const INSTANTS = new Set(['timestamp', 'timestamptz']);
const TIMES = new Set(['time', 'timetz']);
/** float targets, and the source types whose values they may not hold exactly */
const INEXACT: Record<string, Set<string>> = {
  float4: new Set(['float8', 'numeric', 'int8', 'int4']),
  float8: new Set(['numeric', 'int8']),
};
/** An exact decimal of 2^e. */
function powerOfTwo(e: number): string {
  if (e >= 0) return (2n ** BigInt(e)).toString();
  const digits = (5n ** BigInt(-e)).toString();
  return `0.${digits.padStart(-e, '0')}`;
}
/** float targets: the magnitude from which a finite value rounds to infinity (the largest finite
 * value plus half its spacing) and the one at or below which it rounds to zero (half the smallest
 * subnormal). PostgreSQL refuses both conversions, so the copy would, and so would a scan casting
 * such a value: the range is compared before any cast. */
const FLOAT_RANGE: Record<string, { overflow: string; underflow: string }> = {
  float4: { overflow: (2n ** 128n - 2n ** 103n).toString(), underflow: powerOfTwo(-150) },
  float8: { overflow: (2n ** 1024n - 2n ** 970n).toString(), underflow: powerOfTwo(-1075) },
};
/** source types compared in their own type against a float target's range (others always fit) */
const FLOAT_SOURCES: Record<string, Record<string, string>> = {
  float4: { float8: 'float8', numeric: 'numeric' },
  float8: { numeric: 'numeric' },
};
/** the checks that judge whether a narrower destination column holds every value */
const FIT_KINDS = new Set(['too-long', 'numeric-overflow', 'numeric-rounding', 'seconds-rounding', 'precision-loss', 'time-dropped']);

type Base = { column: string; reads: string[]; path: (string | number)[] };

/**
 * @param validZones zones known to PostgreSQL; DST checks are built only for those
 */
export function columnChecks(scan: ClassScan, validZones: ReadonlySet<string>): { checks: RowCheck[]; measures: Measure[] } {
  const checks: RowCheck[] = [];
  const measures: Measure[] = [];
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
    const own = mappedChecks(scan, mapped, validZones);
    checks.push(...own);
    const fit = own.filter((c) => FIT_KINDS.has(c.kind)).map((c) => c.kind);
    // a constant is what the plan says it is: only mappings of source data get the headroom
    const readsData = readColumns(mapped.sql).some((name) => scan.source.columns.some((c) => c.name === name));
    if (fit.length > 0 && readsData) measures.push(headroom(scan, mapped, fit));
  }
  return { checks, measures };
}

function mappedChecks(scan: ClassScan, m: MappedColumn, validZones: ReadonlySet<string>): RowCheck[] {
  const checks: RowCheck[] = [];
  const col = quoteIdent(m.name);
  const table = scan.destination.qualified;
  const target = m.target;
  const base: Base = { column: m.name, reads: [m.name], path: ['classes', scan.name, 'columns', m.name] };
  const declared = declaredLoss(scan.cls, m.sql, scan.source);
  const read = soleSourceColumn(m.sql, scan.source)?.name;
  /** a change the destination makes silently: an error, unless `lossy` declares it (which it can
   * only for a mapping of one source column: the reverse column it affects) */
  const silent = (what: string): { severity: 'error' | 'warning'; tail: string } => {
    if (declared && read) return { severity: 'warning', tail: declaredText(read, declared) };
    const declare = read ? `, or, if ${what} is intended, declare \`${read}\` in \`lossy\`` : '';
    return { severity: 'error', tail: `; widen the destination column${read ? ',' : ' or'} fix those values${declare}` };
  };

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
      message: (n, rows) => `${rowsText(n, rows, 'map')} text longer than ${target.maxLength} characters into \`${m.name}\` (${target.type}), `
        + `which the copy would refuse; widen the destination column or shorten those values at the source`,
    });
  }

  checks.push(...numericChecks(base, col, m, silent('the rounding')));
  checks.push(...precisionChecks(base, col, m, silent));

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

function numericChecks(base: Base, col: string, m: MappedColumn, rounding: { severity: 'error' | 'warning'; tail: string }): RowCheck[] {
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
        message: (n, rows) => `${rowsText(n, rows, 'map')} numbers into \`${m.name}\` outside the range of ${target.type} (${range[0]} to ${range[1]}), `
          + `which the copy would refuse; widen the destination column or fix those values at the source`,
      });
    }
    if (FRACTIONAL.has(from)) {
      checks.push({
        ...base, kind: 'numeric-rounding', severity: 'error',
        predicate: `${value} <> pg_catalog.round(${value})`,
        message: (n, rows) => `${rowsText(n, rows, 'map')} numbers with a fractional part into \`${m.name}\` (${target.type}): the destination would not hold them as they are; `
          + `widen the destination column to a numeric type or fix those values at the source`,
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
        message: (n, rows) => `${rowsText(n, rows, 'map')} numbers into \`${m.name}\` that do not fit ${target.type}, `
          + `which the copy would refuse; widen the destination column or fix those values at the source`,
      });
    }
    const roundingImpossible = INTEGER_DIGITS[from] !== undefined ? s >= 0 : typmod !== null && typmod.scale <= s;
    if (!roundingImpossible) {
      checks.push({
        ...base, kind: 'numeric-rounding', severity: rounding.severity,
        predicate: `${value} <> pg_catalog.round(${value}, ${s})`,
        message: (n, rows) => `${rowsText(n, rows, 'map')} numbers with more than ${plural(s, 'decimal place')} into \`${m.name}\` (${target.type}): they would be rounded${rounding.tail}`,
      });
    }
  }
  return checks;
}

/** Changes the destination type makes silently: fractional seconds, float precision, the time of day. */
function precisionChecks(
  base: Base, col: string, m: MappedColumn, silent: (what: string) => { severity: 'error' | 'warning'; tail: string },
): RowCheck[] {
  const from = m.type.baseType;
  const target = m.target;
  const to = target.baseType;
  const checks: RowCheck[] = [];
  const digits = targetSecondsPrecision(target);
  const sameKind = (INSTANTS.has(from) && INSTANTS.has(to)) || (TIMES.has(from) && from === to);
  if (sameKind && digits < secondsPrecision(m.type.baseTypmod)) {
    const change = silent('the rounding');
    checks.push({
      ...base, kind: 'seconds-rounding', severity: change.severity,
      predicate: `${col} <> (${col})::pg_catalog.${from}(${digits})`,
      message: (n, rows) => `${rowsText(n, rows, 'map')} times with more than ${plural(digits, 'fractional-second digit')} into \`${m.name}\` (${target.type}): they would be rounded${change.tail}`,
    });
  }
  if (INEXACT[to]?.has(from)) {
    const range = floatRange(col, from, to);
    if (range) {
      checks.push({
        ...base, kind: 'numeric-overflow', severity: 'error',
        predicate: range,
        message: (n, rows) => `${rowsText(n, rows, 'map')} numbers into \`${m.name}\` outside the range of ${target.type}, `
          + `which the copy would refuse; widen the destination column or fix those values at the source`,
      });
    }
    // compared in the wider float, not numeric: float4 → numeric keeps only 6 digits, so 0.1 and
    // 0.1::real would compare equal
    const compareIn = from === 'float8' ? 'float8' : 'numeric';
    const differs = `(${col})::pg_catalog.${compareIn} IS DISTINCT FROM ((${col})::pg_catalog.${to})::pg_catalog.${compareIn}`;
    const change = silent('the loss of precision');
    checks.push({
      ...base, kind: 'precision-loss', severity: change.severity,
      // a value out of range is the overflow above; casting it here would abort the class's scan
      predicate: range ? `CASE WHEN ${range} THEN FALSE ELSE ${differs} END` : differs,
      message: (n, rows) => `${rowsText(n, rows, 'map')} numbers into \`${m.name}\` (${target.type}) that it cannot hold exactly: they would be rounded${change.tail}`,
    });
  }
  if (INSTANTS.has(from) && to === 'date') {
    const change = silent('dropping the time of day');
    checks.push({
      ...base, kind: 'time-dropped', severity: change.severity,
      predicate: `${col} <> ((${col})::pg_catalog.date)::pg_catalog.${from}`,
      message: (n, rows) => `${rowsText(n, rows, 'map')} times of day other than midnight into \`${m.name}\` (date): the time would be dropped${change.tail}`,
    });
  }
  return checks;
}

/** Values of `col` (of type `from`) a float type `to` cannot hold at all; null when every value fits. */
function floatRange(col: string, from: string, to: string): string | null {
  const type = FLOAT_SOURCES[to]?.[from];
  const limits = FLOAT_RANGE[to];
  if (!type || !limits) return null;
  const v = `(${col})::pg_catalog.${type}`;
  const abs = `pg_catalog.abs(${v})`;
  const literal = (x: string) => `'${x}'::pg_catalog.${type}`;
  // infinities and NaN convert as they are (NaN sorts above infinity)
  return `(${abs} < 'Infinity' AND (${abs} >= ${literal(limits.overflow)} OR (${v} <> 0 AND ${abs} <= ${literal(limits.underflow)})))`;
}

/** The warning for a destination column narrower than its mapping whose values all fit. */
function headroom(scan: ClassScan, m: MappedColumn, fit: readonly string[]): Measure {
  const col = quoteIdent(m.name);
  const value = `(${col})::pg_catalog.numeric`;
  const target = m.target;
  const integer = INTEGER_RANGE[target.baseType] !== undefined;
  const parts: { aggregate: string | null; say: (v: string | null) => string }[] = [];
  if (fit.includes('too-long')) {
    parts.push({
      aggregate: `pg_catalog.max(pg_catalog.char_length((${col})::pg_catalog.text))`,
      say: (v) => `the longest is ${v} character${v === '1' ? '' : 's'}`,
    });
  }
  if (fit.includes('numeric-overflow') || fit.includes('numeric-rounding')) {
    parts.push({
      aggregate: `pg_catalog.trim_scale(pg_catalog.max(pg_catalog.abs(${value})) FILTER (WHERE ${value} <> 'NaN'))`,
      say: (v) => `the largest magnitude is ${v}`,
    });
    if (integer && fit.includes('numeric-rounding')) parts.push({ aggregate: null, say: () => 'every value is a whole number' });
    if (target.baseType === 'numeric') { // a float's decimals say nothing about what it holds
      parts.push({
        aggregate: `pg_catalog.max(pg_catalog.scale(pg_catalog.trim_scale(${value})))`,
        say: (v) => `the most decimal places ${v}`,
      });
    }
  }
  if (fit.includes('seconds-rounding')) {
    parts.push({
      aggregate: `pg_catalog.max(pg_catalog.scale(pg_catalog.trim_scale(EXTRACT(EPOCH FROM ${col}))))`,
      say: (v) => `the most fractional-second digits is ${v}`,
    });
  }
  if (fit.includes('precision-loss')) parts.push({ aggregate: null, say: () => `every value converts to ${target.type} unchanged` });
  if (fit.includes('time-dropped')) parts.push({ aggregate: null, say: () => 'every value is at midnight' });

  const measured = parts.filter((p) => p.aggregate !== null);
  return {
    kind: 'narrowing', severity: 'warning', column: m.name,
    aggregates: measured.map((p) => p.aggregate!),
    path: ['classes', scan.name, 'columns', m.name],
    message(values, rows) {
      const head = `\`${m.name}\` (${target.type}) is narrower than its mapping (${m.type.typeName})`;
      if (rows === 0) return `${head}; there are no rows to check yet`;
      const found = new Map(measured.map((p, i) => [p, values[i] ?? null]));
      const said = parts.map((p) => p.say(found.get(p) ?? null));
      // "the largest magnitude is 15" and "the most decimal places 1" read as one sentence
      return `${head}, and every value fits: ${said.join(', ').replace(/, the most decimal places/, ' and the most decimal places')}`;
    },
  };
}
