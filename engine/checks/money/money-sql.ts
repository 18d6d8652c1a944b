// The SQL of money reconciliation: how a side's business day, amount and scope are written, and
// the one aggregate per side (grouped by day and currency) the reconciliation reads.
import { quoteLiteral } from '../../db/sql-identifiers.js';
import { Failure } from '../../failure.js';
import type { MoneySection, RecordClass } from '../../plan/types.js';
import { localToInstant } from '../../copy/mapped-select.js';
import type { DayWindow } from './day-totals.js';

/** A plan fragment on lines of its own, so a trailing `-- comment` cannot swallow the rest. */
export const fragment = (sql: string) => `(\n${sql}\n)`;

/** The instant of a local time on the source, read the way the copy reads it (the class's zone and
 * daylight-saving policies): the mapping module is the one place that SQL is written. */
function sourceInstant(cls: RecordClass, expression: string): string {
  return localToInstant(`(${expression})`, cls);
}

/** SQL giving the business day (a date) of a value of base type `baseType`. */
export function dayOf(cls: RecordClass, money: MoneySection, value: string, baseType: string, side: 'source' | 'destination', className: string): string {
  const zone = money.timezone ?? 'UTC';
  const z = quoteLiteral(zone);
  switch (baseType) {
    case 'date':
      return `(${value})`;
    case 'timestamptz':
      return `((${value}) AT TIME ZONE ${z})::date`;
    case 'timestamp': {
      const local = cls.timestamps?.source_timezone ?? 'UTC';
      if (local === zone) return `(${value})::date`;
      const instant = side === 'source' && cls.timestamps ? sourceInstant(cls, value) : `((${value}) AT TIME ZONE ${quoteLiteral(local)})`;
      return `((${instant}) AT TIME ZONE ${z})::date`;
    }
    default:
      throw new Failure('money.date-type',
        `money reconciliation of class ${className}: the ${side} date (${side === 'source' ? 'money.source.date' : 'money.date'}) is ${baseType}, not a date, timestamp or timestamptz`,
        'give an expression of type date, timestamp or timestamp with time zone');
  }
}


/** The base types (domains resolved) of the source's date and amount expressions, from a LIMIT 0 probe. */
export function describeSource(money: MoneySection, from: string): string {
  return `WITH RECURSIVE probe AS (
  SELECT pg_catalog.pg_typeof(q.d)::pg_catalog.oid AS d, pg_catalog.pg_typeof(q.a)::pg_catalog.oid AS a
    FROM (SELECT 1) AS one
    LEFT JOIN (SELECT ${fragment(money.source.date)} AS d, ${fragment(money.source.amount)} AS a ${from} LIMIT 0) AS q ON true
), described AS (
  SELECT 'date'::text AS which, d AS oid FROM probe UNION ALL SELECT 'amount', a FROM probe
), chain AS (
  SELECT d.which, t.oid, t.typtype, t.typbasetype, t.typname FROM pg_catalog.pg_type t JOIN described d ON t.oid = d.oid
  UNION ALL
  SELECT c.which, t.oid, t.typtype, t.typbasetype, t.typname FROM pg_catalog.pg_type t JOIN chain c ON t.oid = c.typbasetype WHERE c.typtype = 'd'
)
SELECT which, typname::text AS base FROM chain WHERE typtype <> 'd'`;
}

/** Exact numeric types are summed as they are (sum is exact for them); anything else through numeric. */
const EXACT = new Set(['int2', 'int4', 'int8', 'numeric']);
export const amountOf = (value: string, baseType: string) => (EXACT.has(baseType) ? value : `(${value})::numeric`);

/**
 * A coarse, index-friendly range on the raw date value, two days wider than the window on each
 * side (no zone is a day away from UTC), so a daily run reads only the days around the window when
 * the date is an indexed column; the exact window is applied to the computed day.
 */
export function prefilter(value: string, baseType: string, window: DayWindow): string[] {
  const out: string[] = [];
  const lower = window.from ? quoteLiteral(window.from) : null;
  const upper = window.to ? quoteLiteral(window.to) : null;
  if (baseType === 'date') {
    if (lower) out.push(`${value} >= ${lower}::date`);
    if (upper) out.push(`${value} <= ${upper}::date`);
  } else if (baseType === 'timestamp') {
    if (lower) out.push(`${value} >= (${lower}::date - 2)::timestamp`);
    if (upper) out.push(`${value} < (${upper}::date + 3)::timestamp`);
  } else if (baseType === 'timestamptz') {
    if (lower) out.push(`${value} >= ((${lower}::date - 2)::timestamp AT TIME ZONE 'UTC')`);
    if (upper) out.push(`${value} < ((${upper}::date + 3)::timestamp AT TIME ZONE 'UTC')`);
  }
  return out;
}

function exactWindow(window: DayWindow): string {
  const out: string[] = [];
  if (window.from) out.push(`g.day >= ${quoteLiteral(window.from)}::date`);
  if (window.to) out.push(`g.day <= ${quoteLiteral(window.to)}::date`);
  return out.length ? `\n WHERE ${out.join(' AND ')}` : '';
}

export interface SideSpec {
  day: string;
  currency: string;
  amount: string;
  /** the class's `where` as a boolean (source only), so excluded totals come from the same scan */
  inScope: string | null;
  /** `FROM … AS src|dst` */
  from: string;
  filters: string[];
}

/** One aggregate: grouped by the date value, formatted once per group (to_char per row is costly). */
export function aggregateSql(spec: SideSpec, mu: number, scale: string | null, window: DayWindow): string {
  const total = scale === null ? 'g.total' : `g.total * ${scale}`;
  const scope = spec.inScope === null ? '' : ', q.in_scope';
  const where = spec.filters.length ? `\n                 WHERE ${spec.filters.join(' AND ')}` : '';
  return `SELECT to_char(g.day, 'YYYY-MM-DD') AS day, g.currency${spec.inScope === null ? '' : ', g.in_scope'},
       g.n::text AS n, g.null_amounts::text AS null_amounts, pg_catalog.round(${total}, ${mu})::text AS total
  FROM (SELECT q.day, q.currency${scope}, count(*) AS n, count(*) - count(q.amount) AS null_amounts, pg_catalog.sum(q.amount) AS total
          FROM (SELECT ${spec.day} AS day, (${spec.currency})::text AS currency, ${spec.amount} AS amount${spec.inScope === null ? '' : `, ${spec.inScope} AS in_scope`}
                  ${spec.from}${where}) AS q
         GROUP BY q.day, q.currency${scope}) AS g${exactWindow(window)}`;
}

