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
import { quoteIdent, tableFromItem } from '../../db/sql-identifiers.js';
import type { CheckResult } from '../../diff/plan-result.js';
import { secretsOf } from '../../db/endpoint.js';
import { Failure } from '../../failure.js';
import { requireTable, type Catalog, type CatalogColumn, type CatalogTable } from '../../introspect/catalog.js';
import type { MoneySection, Plan, RecordClass } from '../../plan/types.js';
import { isIsoDay, minorScale } from './amounts.js';
import { readBankStatement, type BankStatement, type RunCommand } from './bank-statement.js';
import type { ReconciliationDay } from './reconciliation-store.js';
import { inTransaction, settleAll } from '../../db/snapshot.js';
import type { ClassCheckInput } from '../class-check-input.js';
import { judgeDays, mergeTotals, type DayWindow, type SideRow } from './day-totals.js';
import { aggregateSql, amountOf, dayOf, describeSource, fragment, prefilter, type SideSpec } from './money-sql.js';
import { moneyDetails, moneyProblems, moneySummary, type Judged } from './money-result.js';

export { DAYS_SHOWN } from './money-result.js';
export type { DayWindow } from './day-totals.js';

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

export interface MoneyReconciliation {
  result: CheckResult;
  /** every day/currency, for writeReconciliationDays */
  days: ReconciliationDay[];
}

function table(catalog: Catalog, name: string, side: 'source' | 'destination', className: string): CatalogTable {
  return requireTable(catalog, name, side, `money reconciliation of class ${className}`);
}

function readFailure(className: string, side: string, e: unknown): Failure {
  if (e instanceof Failure) return e;
  return new Failure('money.read', `money reconciliation of class ${className}: the ${side} figures cannot be read: ${(e as Error).message}`,
    side === 'source' ? 'check `money.source` (amount, currency, date) and `where` of the class: they are SQL over the source table' : undefined);
}

/** What reconciliation of one class reads: its money section, both tables and the destination's
 * date and amount columns, each refused with its own code when it is not there. */
interface MoneyClass {
  cls: RecordClass;
  money: MoneySection;
  sourceTable: CatalogTable;
  destinationTable: CatalogTable;
  destinationDate: CatalogColumn;
  destinationAmount: CatalogColumn;
  window: DayWindow;
}

function moneyClass(input: ReconcileMoneyInput): MoneyClass {
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
  // a destination date of the wrong type is refused before anything is read
  dayOf(cls, money, `dst.${quoteIdent(money.date)}`, destinationDate.baseType, 'destination', className);
  const window = input.days ?? {};
  for (const [name, day] of Object.entries(window)) {
    if (day !== undefined && !isIsoDay(day)) throw new Failure('money.window', `money reconciliation of class ${className}: days.${name} \`${day}\` is not a date (YYYY-MM-DD)`);
  }
  const destinationAmount = destinationColumn(money.amount, 'amount');
  return { cls, money, sourceTable, destinationTable, destinationDate, destinationAmount, window };
}

/** The source's aggregate, after a probe of its date and amount types (domains resolved). */
function readSource(input: ReconcileMoneyInput, m: MoneyClass): Promise<{ base: string; rows: SideRow[] }> {
  const { cls, money, window } = m;
  const from = `FROM ${tableFromItem(m.sourceTable)} AS src`;
  return inTransaction(input.source, !input.sourceInSnapshot, async () => {
    try {
      const described = await input.source.query<{ which: string; base: string }>(describeSource(money, from));
      const base = described.rows.find((r) => r.which === 'date')?.base ?? 'unknown';
      const amountBase = described.rows.find((r) => r.which === 'amount')?.base ?? 'unknown';
      const where = typeof cls.where === 'string' && cls.where.trim() !== '' ? `coalesce(${fragment(cls.where)}, false)` : null;
      const spec: SideSpec = {
        day: dayOf(cls, money, fragment(money.source.date), base, 'source', input.className),
        currency: fragment(money.source.currency),
        amount: amountOf(fragment(money.source.amount), amountBase),
        inScope: where ?? 'true',
        from,
        filters: prefilter(fragment(money.source.date), base, window),
      };
      return { base, rows: (await input.source.query<SideRow>(aggregateSql(spec, money.minor_units, null, window))).rows };
    } catch (e) {
      throw readFailure(input.className, 'source', e);
    }
  });
}

function readDestination(input: ReconcileMoneyInput, m: MoneyClass): Promise<SideRow[]> {
  const { cls, money, window } = m;
  const column = (name: string) => `dst.${quoteIdent(name)}`;
  const spec: SideSpec = {
    day: dayOf(cls, money, column(money.date), m.destinationDate.baseType, 'destination', input.className),
    currency: column(money.currency),
    amount: amountOf(column(money.amount), m.destinationAmount.baseType),
    inScope: null,
    from: `FROM ${tableFromItem(m.destinationTable)} AS dst`,
    filters: prefilter(column(money.date), m.destinationDate.baseType, window),
  };
  return inTransaction(input.destination, !input.destinationInSnapshot, async () => {
    try {
      return (await input.destination.query<SideRow>(aggregateSql(spec, money.minor_units, minorScale(money.minor_units), window))).rows;
    } catch (e) {
      throw readFailure(input.className, 'destination', e);
    }
  });
}

async function readBank(input: ReconcileMoneyInput, plan: Plan, money: MoneySection): Promise<BankStatement | null> {
  if (money.bank_statement === undefined || money.bank_statement === null) return null;
  return readBankStatement({
    statement: money.bank_statement,
    planDir: input.planDir,
    minorUnits: money.minor_units,
    secrets: [...secretsOf(plan.source.url), ...secretsOf(plan.destination.url)],
    env: input.env,
    variables: { CUTOVER_MIGRATION: plan.name, CUTOVER_CLASS: input.className, CUTOVER_MINOR_UNITS: String(money.minor_units) },
    runCommand: input.runCommand,
  });
}

export async function reconcileMoney(input: ReconcileMoneyInput): Promise<CheckResult> {
  return (await reconcileMoneyDays(input)).result;
}

/** reconcileMoney, also returning every day's result (for writeReconciliationDays). */
export async function reconcileMoneyDays(input: ReconcileMoneyInput): Promise<MoneyReconciliation> {
  const m = moneyClass(input);
  const { cls, money } = m;
  const [source, destinationRows, bank] = await settleAll([readSource(input, m), readDestination(input, m), readBank(input, input.plan, money)] as const);
  const merged = mergeTotals(source.rows, destinationRows, bank, m.window);
  const { days, mismatches } = judgeDays(merged, bank !== null, money.minor_units);
  const judged: Judged = {
    cls, zone: money.timezone ?? 'UTC', minorUnits: money.minor_units, window: input.days ?? null, merged, days, mismatches, bank,
    sourceDate: { expression: money.source.date, type: source.base },
    destinationDate: { column: money.date, type: m.destinationDate.baseType },
  };
  const problems = moneyProblems(judged);
  const details = moneyDetails(judged);
  return {
    result: {
      class: input.className,
      kind: 'money',
      passed: problems.length === 0,
      checkedAt: input.checkedAt.toISOString(),
      summary: moneySummary(judged, details, problems),
      problems,
      details,
    },
    days,
  };
}
