// Money reconciliation (spec: "Money, audit, attachments, custom code"): per business day and
// currency, the source's own total, the destination's total and the bank statement's must agree to
// the minor unit. Parity compares each row through the mapping, so a mapping that is wrong in the
// same way on every row (rounding cents away, a wrong currency) agrees with itself; this does not
// read the source through `columns` at all, but through `money.source`, the source's own figures.
//
// Queries (all concurrent across sides; each side in one REPEATABLE READ READ ONLY transaction of
// its own unless the caller holds one):
//   source       1. the types of `money.source.date` and `.amount` (a LIMIT 0 probe, domains
//                   resolved): how to find the day, whether the amount needs a numeric cast
//                2. one aggregate: GROUP BY day, currency, in-scope (the class's `where`), giving
//                   the in-scope totals and the excluded ones in the same scan
//   destination  1. one aggregate: GROUP BY day, currency over the whole destination table
//   bank         streamed from the file or the command's stdout, concurrently with both
// Each aggregate groups by the date value and formats it once per group; integer and numeric
// amounts are summed as they are (exact, int128-accelerated for integers). With `days` (a window
// of business days, e.g. the last few for the daily run), both aggregates also carry a range on
// the raw date value two days wider than the window (usable by an index on the date column) and
// keep exactly the window's days; bank lines outside it are ignored.
//
// Decisions (the spec is silent):
// - Exactness: sums are taken in numeric in the database and rounded there to minor_units
//   (round(numeric) rounds half away from zero); they reach JS as text and are compared as BigInt
//   minor units. No floating point anywhere.
// - Business day: `money.timezone` (default UTC). A `timestamptz` is converted to it. A `timestamp
//   without time zone` is local time in the class's `timestamps.source_timezone` — on the source
//   with the class's `ambiguous`/`nonexistent` policies, exactly as the copy reads it — and, when
//   the class declares none, UTC (which is how the copy, pinned to TimeZone=UTC, reads it). A naive
//   destination column is read the same way (the copy wrote the source's wall times into it). A
//   `date` is the day itself. Other types are refused (Failure `money.date-type`).
// - A day/currency missing on one side counts as 0 there, so a bank line of 0.00 on a day without
//   sales is not a difference; any non-zero amount present on one side only is.
// - NULL amounts add nothing (their count is in details); rows with a NULL date or currency form a
//   day/currency of their own (shown with day or currency null), compared like any other, not stored.
// - With a bank statement configured, a day is clean only when the bank agrees too; if the
//   statement cannot be read (missing file, failed command), no day is clean (the `closed` gate
//   needs days reconciled against the bank) and the problem `bank-statement-error` says why.
import { quoteIdent, quoteLiteral, tableFromItem } from '../../db/sql-identifiers.js';
import { plural } from '../../words.js';
import type { CheckResult } from '../../diff/plan-result.js';
import { secretsOf } from '../../db/endpoint.js';
import { Failure } from '../../failure.js';
import { requireTable, type Catalog, type CatalogTable } from '../../introspect/catalog.js';
import type { MoneySection, RecordClass } from '../../plan/types.js';
import { localToInstant } from '../../copy/mapped-select.js';
import { formatMinor, isIsoDay, minorScale } from './amounts.js';
import { dayCurrencyKey, readBankStatement, type BankStatement, type RunCommand } from './bank-statement.js';
import type { ReconciliationDay } from './reconciliation-store.js';
import { inTransaction, settleAll } from '../../db/snapshot.js';
import type { ClassCheckInput } from '../class-check-input.js';

export interface ReconcileMoneyInput extends ClassCheckInput {
  /** the plan file's folder: `bank_statement` paths and commands are relative to it */
  planDir: string;
  /** runs `bank_statement.run` (default: /bin/sh -c in planDir, 60 s) */
  runCommand?: RunCommand;
  /** the environment the bank command inherits (default process.env, minus database credentials) */
  env?: NodeJS.ProcessEnv;
  /** reconcile only these business days (default: every day with rows, or in the bank statement) */
  days?: DayWindow;
}

export interface DayWindow {
  /** first business day reconciled, YYYY-MM-DD */
  from?: string;
  /** last business day reconciled, YYYY-MM-DD */
  to?: string;
}

export interface MoneyReconciliation {
  result: CheckResult;
  /** every day/currency, for writeReconciliationDays */
  days: ReconciliationDay[];
}

/** days shown in details (mismatches first, then the latest clean ones) */
export const DAYS_SHOWN = 400;
const SAMPLES = 20;




/** A plan fragment on lines of its own, so a trailing `-- comment` cannot swallow the rest. */
const fragment = (sql: string) => `(\n${sql}\n)`;

function table(catalog: Catalog, name: string, side: 'source' | 'destination', className: string): CatalogTable {
  return requireTable(catalog, name, side, `money reconciliation of class ${className}`);
}

/** The instant of a local time on the source, read the way the copy reads it (the class's zone and
 * daylight-saving policies): the mapping module is the one place that SQL is written. */
function sourceInstant(cls: RecordClass, expression: string): string {
  return localToInstant(`(${expression})`, cls);
}

/** SQL giving the business day (a date) of a value of base type `baseType`. */
function dayOf(cls: RecordClass, money: MoneySection, value: string, baseType: string, side: 'source' | 'destination', className: string): string {
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

interface SideRow {
  day: string | null;
  currency: string | null;
  n: string;
  null_amounts: string;
  total: string | null;
  in_scope?: boolean;
}

interface Totals {
  minor: bigint;
  rows: number;
}

/** `12.34` (exactly minorUnits decimals, as round(numeric, n)::text prints it) → 1234n */
function minorOf(text: string | null): bigint {
  if (text === null) return 0n;
  return BigInt(text.replace('.', ''));
}

/** The base types (domains resolved) of the source's date and amount expressions, from a LIMIT 0 probe. */
function describeSource(money: MoneySection, from: string): string {
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
const amountOf = (value: string, baseType: string) => (EXACT.has(baseType) ? value : `(${value})::numeric`);

/**
 * A coarse, index-friendly range on the raw date value, two days wider than the window on each
 * side (no zone is a day away from UTC), so a daily run reads only the days around the window when
 * the date is an indexed column; the exact window is applied to the computed day.
 */
function prefilter(value: string, baseType: string, window: DayWindow): string[] {
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

interface SideSpec {
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
function aggregateSql(spec: SideSpec, mu: number, scale: string | null, window: DayWindow): string {
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

function readFailure(className: string, side: string, e: unknown): Failure {
  if (e instanceof Failure) return e;
  return new Failure('money.read', `money reconciliation of class ${className}: the ${side} figures cannot be read: ${(e as Error).message}`,
    side === 'source' ? 'check `money.source` (amount, currency, date) and `where` of the class: they are SQL over the source table' : undefined);
}

export async function reconcileMoney(input: ReconcileMoneyInput): Promise<CheckResult> {
  return (await reconcileMoneyDays(input)).result;
}

/** reconcileMoney, also returning every day's result (for writeReconciliationDays). */
export async function reconcileMoneyDays(input: ReconcileMoneyInput): Promise<MoneyReconciliation> {
  const { plan, className } = input;
  const cls = plan.classes[className];
  if (!cls) throw new Failure('money.class-missing', `the plan has no class ${className}`);
  const money = cls.money;
  if (!money) throw new Failure('money.section-missing', `class ${className} has no \`money\` section`);
  const mu = money.minor_units;
  if (!Number.isInteger(mu) || mu < 0 || mu > 18) {
    throw new Failure('money.minor-units', `money reconciliation of class ${className}: minor_units must be a whole number from 0 to 18, got ${mu}`);
  }
  const sourceTable = table(input.sourceCatalog, cls.source.table, 'source', className);
  const destinationTable = table(input.destinationCatalog, cls.destination.table, 'destination', className);
  const destinationColumn = (name: string, what: string) => {
    const c = destinationTable.columns.find((x) => x.name === name);
    if (!c) throw new Failure('money.column-missing', `money reconciliation of class ${className}: ${destinationTable.qualified} has no column \`${name}\` (money.${what})`);
    return c;
  };
  destinationColumn(money.currency, 'currency');
  const destinationDate = destinationColumn(money.date, 'date');
  const zone = money.timezone ?? 'UTC';
  const from = `FROM ${tableFromItem(sourceTable)} AS src`;
  const destinationDay = dayOf(cls, money, `dst.${quoteIdent(money.date)}`, destinationDate.baseType, 'destination', className);

  const window = input.days ?? {};
  for (const [name, day] of Object.entries(window)) {
    if (day !== undefined && !isIsoDay(day)) throw new Failure('money.window', `money reconciliation of class ${className}: days.${name} \`${day}\` is not a date (YYYY-MM-DD)`);
  }
  const destinationAmount = destinationColumn(money.amount, 'amount');
  const destinationSpec: SideSpec = {
    day: destinationDay,
    currency: `dst.${quoteIdent(money.currency)}`,
    amount: amountOf(`dst.${quoteIdent(money.amount)}`, destinationAmount.baseType),
    inScope: null,
    from: `FROM ${tableFromItem(destinationTable)} AS dst`,
    filters: prefilter(`dst.${quoteIdent(money.date)}`, destinationDate.baseType, window),
  };

  const sourceSide = () => inTransaction(input.source, !input.sourceInSnapshot, async () => {
    try {
      const described = await input.source.query<{ which: string; base: string }>(describeSource(money, from));
      const base = described.rows.find((r) => r.which === 'date')?.base ?? 'unknown';
      const amountBase = described.rows.find((r) => r.which === 'amount')?.base ?? 'unknown';
      const where = typeof cls.where === 'string' && cls.where.trim() !== '' ? `coalesce(${fragment(cls.where)}, false)` : null;
      const spec: SideSpec = {
        day: dayOf(cls, money, fragment(money.source.date), base, 'source', className),
        currency: fragment(money.source.currency),
        amount: amountOf(fragment(money.source.amount), amountBase),
        inScope: where ?? 'true',
        from,
        filters: prefilter(fragment(money.source.date), base, window),
      };
      return { base, rows: (await input.source.query<SideRow>(aggregateSql(spec, mu, null, window))).rows };
    } catch (e) {
      throw readFailure(className, 'source', e);
    }
  });
  const destinationSide = () => inTransaction(input.destination, !input.destinationInSnapshot, async () => {
    try {
      return (await input.destination.query<SideRow>(aggregateSql(destinationSpec, mu, minorScale(mu), window))).rows;
    } catch (e) {
      throw readFailure(className, 'destination', e);
    }
  });
  const bankSide = async (): Promise<BankStatement | null> => {
    if (money.bank_statement === undefined || money.bank_statement === null) return null;
    return readBankStatement({
      statement: money.bank_statement,
      planDir: input.planDir,
      minorUnits: mu,
      secrets: [...secretsOf(plan.source.url), ...secretsOf(plan.destination.url)],
      env: input.env,
      variables: { CUTOVER_MIGRATION: plan.name, CUTOVER_CLASS: className, CUTOVER_MINOR_UNITS: String(mu) },
      runCommand: input.runCommand,
    });
  };

  const [source, destinationRows, bank] = await settleAll([sourceSide(), destinationSide(), bankSide()] as const);

  // merge: day/currency → the three totals
  interface Entry { day: string | null; currency: string | null; source: Totals; destination: Totals; bank: bigint | null }
  const entries = new Map<string, Entry>();
  const entry = (day: string | null, currency: string | null): Entry => {
    const key = dayCurrencyKey(day, currency);
    let e = entries.get(key);
    if (!e) {
      e = { day, currency, source: { minor: 0n, rows: 0 }, destination: { minor: 0n, rows: 0 }, bank: null };
      entries.set(key, e);
    }
    return e;
  };
  const excluded: { day: string | null; currency: string | null; amount: bigint; rows: number }[] = [];
  let sourceNullAmounts = 0;
  let destinationNullAmounts = 0;
  for (const r of source.rows) {
    if (r.in_scope) {
      const e = entry(r.day, r.currency);
      e.source = { minor: minorOf(r.total), rows: Number(r.n) };
      sourceNullAmounts += Number(r.null_amounts);
    } else {
      excluded.push({ day: r.day, currency: r.currency, amount: minorOf(r.total), rows: Number(r.n) });
    }
  }
  for (const r of destinationRows) {
    const e = entry(r.day, r.currency);
    e.destination = { minor: minorOf(r.total), rows: Number(r.n) };
    destinationNullAmounts += Number(r.null_amounts);
  }
  const bankUsed = bank !== null && bank.error === undefined;
  if (bankUsed) {
    for (const [key, minor] of bank.totals) {
      const [day, currency] = key.split('\u0000') as [string, string];
      if ((window.from && day < window.from) || (window.to && day > window.to)) continue;
      entry(day, currency).bank = minor;
    }
    for (const e of entries.values()) if (e.bank === null) e.bank = 0n;
  }

  const order = (a: Entry, b: Entry) => compareNullable(a.day, b.day) || compareNullable(a.currency, b.currency);
  const sorted = [...entries.values()].sort(order);
  const fmt = (v: bigint) => formatMinor(v, mu);
  const days: ReconciliationDay[] = [];
  const mismatches: { entry: Entry; against: string[] }[] = [];
  for (const e of sorted) {
    const against: string[] = [];
    if (e.destination.minor !== e.source.minor) against.push('destination');
    if (bankUsed && e.bank !== e.source.minor) against.push('bank');
    if (against.length > 0) mismatches.push({ entry: e, against });
    days.push({
      day: e.day, currency: e.currency,
      source: fmt(e.source.minor), destination: fmt(e.destination.minor), bank: e.bank === null ? null : fmt(e.bank),
      clean: against.length === 0 && (bank === null || bankUsed),
      sourceRows: e.source.rows, destinationRows: e.destination.rows,
    });
  }

  const problems: CheckResult['problems'] = [];
  if (mismatches.length > 0) {
    const vsDestination = mismatches.filter((m) => m.against.includes('destination')).length;
    const vsBank = mismatches.filter((m) => m.against.includes('bank')).length;
    const first = mismatches[0]!.entry;
    problems.push({
      kind: 'day-mismatch',
      count: mismatches.length,
      samples: mismatches.slice(0, SAMPLES).map(({ entry: e, against }) => {
        const other = against[0] === 'destination' ? e.destination.minor : e.bank!;
        return {
          day: e.day, currency: e.currency,
          source: fmt(e.source.minor), destination: fmt(e.destination.minor), bank: e.bank === null ? null : fmt(e.bank),
          difference: fmt(other - e.source.minor),
          disagrees: against.join(' and '),
        };
      }),
      detail: `${plural(mismatches.length, 'day/currency total')} in ${zone} ${mismatches.length === 1 ? 'does' : 'do'} not reconcile to the minor unit`
        + ` (${[vsDestination ? `destination differs from source on ${vsDestination}` : '', vsBank ? `bank differs from source on ${vsBank}` : ''].filter(Boolean).join(', ')});`
        + ` first: ${first.day ?? '(no date)'} ${first.currency ?? '(no currency)'}: source ${fmt(first.source.minor)}, destination ${fmt(first.destination.minor)}`
        + `${first.bank === null ? '' : `, bank ${fmt(first.bank)}`}`,
    });
  }
  if (bank?.error !== undefined) {
    problems.push({ kind: 'bank-statement-error', count: 1, samples: [], detail: `${bank.error}; no day counts as reconciled against the bank` });
  }
  if (bank && bank.invalidCount > 0) {
    problems.push({
      kind: 'bank-statement-invalid', count: bank.invalidCount, samples: bank.invalid,
      detail: `${plural(bank.invalidCount, 'line')} of the bank statement (${bank.origin}) could not be read as date,currency,amount and ${bank.invalidCount === 1 ? 'was' : 'were'} left out of its totals`,
    });
  }

  // details: mismatches first (up to DAYS_SHOWN), then the latest clean days, shown by day
  const unclean = days.filter((d) => !d.clean);
  const clean = days.filter((d) => d.clean);
  const shown = [...unclean.slice(0, DAYS_SHOWN), ...clean.slice(Math.max(0, clean.length - Math.max(0, DAYS_SHOWN - unclean.length)))]
    .sort((a, b) => compareNullable(a.day, b.day) || compareNullable(a.currency, b.currency));
  const excludedByCurrency = new Map<string | null, { amount: bigint; rows: number }>();
  for (const x of excluded) {
    const t = excludedByCurrency.get(x.currency) ?? { amount: 0n, rows: 0 };
    excludedByCurrency.set(x.currency, { amount: t.amount + x.amount, rows: t.rows + x.rows });
  }
  excluded.sort((a, b) => compareNullable(a.day, b.day) || compareNullable(a.currency, b.currency));
  const excludedRows = excluded.reduce((n, x) => n + x.rows, 0);
  const currencies = new Set(days.map((d) => d.currency)).size;
  const dayCount = new Set(days.map((d) => d.day)).size;

  const details = {
    timezone: zone,
    minorUnits: mu,
    window: input.days ?? null,
    sourceDate: { expression: money.source.date, type: source.base, readAs: readAs(source.base, cls, zone) },
    destinationDate: { column: money.date, type: destinationDate.baseType, readAs: readAs(destinationDate.baseType, cls, zone) },
    bank: bank === null ? null : { origin: bank.origin, lines: bank.lines, used: bankUsed, invalidLines: bank.invalidCount },
    totals: { dayCurrencies: days.length, days: dayCount, currencies, clean: clean.length, mismatched: mismatches.length },
    days: shown,
    daysShown: shown.length,
    daysOmitted: days.length - shown.length,
    excluded: {
      where: cls.where ?? null,
      rows: excludedRows,
      byCurrency: [...excludedByCurrency].map(([currency, t]) => ({ currency, amount: fmt(t.amount), rows: t.rows })),
      days: excluded.slice(0, DAYS_SHOWN).map((x) => ({ day: x.day, currency: x.currency, amount: fmt(x.amount), rows: x.rows })),
      daysOmitted: Math.max(0, excluded.length - DAYS_SHOWN),
    },
    nullAmounts: { source: sourceNullAmounts, destination: destinationNullAmounts },
  };

  const against = bank === null ? 'source = destination' : 'source = destination = bank';
  const excludedNote = excludedRows > 0 ? `; ${plural(excludedRows, 'row')} excluded by \`where\` (${details.excluded.byCurrency.map((c) => `${c.amount} ${c.currency ?? '(no currency)'}`).join(', ')})` : '';
  let summary: string;
  if (problems.length === 0) {
    summary = `${plural(dayCount, 'day')} × ${plural(currencies, 'currency', 'currencies')} reconcile in ${zone} (${against})${excludedNote}`;
  } else if (mismatches.length > 0) {
    const first = mismatches[0]!.entry;
    summary = `${plural(mismatches.length, 'day/currency total')} of ${days.length} ${mismatches.length === 1 ? 'does' : 'do'} not reconcile in ${zone}, first ${first.day ?? '(no date)'} ${first.currency ?? ''}`.trimEnd()
      + `: source ${fmt(first.source.minor)}, destination ${fmt(first.destination.minor)}${first.bank === null ? '' : `, bank ${fmt(first.bank)}`}`
      + (bank?.error !== undefined ? '; the bank statement could not be read' : '') + excludedNote;
  } else {
    summary = `${plural(dayCount, 'day')} reconcile between source and destination, but ${problems.map((p) => p.kind === 'bank-statement-error' ? 'the bank statement could not be read' : `${plural(p.count, 'bank statement line')} could not be read`).join(' and ')}${excludedNote}`;
  }

  return {
    result: {
      class: className,
      kind: 'money',
      passed: problems.length === 0,
      checkedAt: input.checkedAt.toISOString(),
      summary,
      problems,
      details,
    },
    days,
  };
}

function readAs(base: string, cls: RecordClass, zone: string): string {
  if (base === 'date') return 'the day as stored';
  if (base === 'timestamptz') return `the instant's local date in ${zone}`;
  const local = cls.timestamps?.source_timezone;
  return local ? `local time in ${local} (timestamps.source_timezone), then its date in ${zone}` : `UTC (no timestamps.source_timezone), then its date in ${zone}`;
}

function compareNullable(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}
