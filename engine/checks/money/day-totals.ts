// The pure half of money reconciliation: the rows each side's aggregate returned, and the bank's
// lines, merged into one total per day and currency, then judged to the minor unit. No I/O.
import { formatMinor } from './amounts.js';
import { dayCurrencyKey, type BankStatement } from './bank-statement.js';
import type { ReconciliationDay } from './reconciliation-store.js';

export interface DayWindow {
  /** first business day reconciled, YYYY-MM-DD */
  from?: string;
  /** last business day reconciled, YYYY-MM-DD */
  to?: string;
}

/** One row of a side's aggregate (money-sql.ts `aggregateSql`). */
export interface SideRow {
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

export interface DayEntry {
  day: string | null;
  currency: string | null;
  source: Totals;
  destination: Totals;
  bank: bigint | null;
}

export interface ExcludedDay {
  day: string | null;
  currency: string | null;
  amount: bigint;
  rows: number;
}

export interface MergedTotals {
  /** ordered by day, then currency (nulls last) */
  entries: DayEntry[];
  /** the source's totals outside the class's `where`, ordered like entries */
  excluded: ExcludedDay[];
  nullAmounts: { source: number; destination: number };
  /** the bank statement was configured and could be read */
  bankUsed: boolean;
}

export interface Mismatch {
  entry: DayEntry;
  /** `destination`, `bank` or both: the sides that disagree with the source */
  against: string[];
}

/** `12.34` (exactly minorUnits decimals, as round(numeric, n)::text prints it) → 1234n */
function minorOf(text: string | null): bigint {
  if (text === null) return 0n;
  return BigInt(text.replace('.', ''));
}

export function compareNullable(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

const byDayThenCurrency = (a: { day: string | null; currency: string | null }, b: { day: string | null; currency: string | null }) =>
  compareNullable(a.day, b.day) || compareNullable(a.currency, b.currency);


/** Source, destination and bank totals by day and currency; a day missing on one side is 0 there. */
export function mergeTotals(sourceRows: readonly SideRow[], destinationRows: readonly SideRow[], bank: BankStatement | null, window: DayWindow): MergedTotals {
  const entries = new Map<string, DayEntry>();
  const entry = (day: string | null, currency: string | null): DayEntry => {
    const key = dayCurrencyKey(day, currency);
    let e = entries.get(key);
    if (!e) {
      e = { day, currency, source: { minor: 0n, rows: 0 }, destination: { minor: 0n, rows: 0 }, bank: null };
      entries.set(key, e);
    }
    return e;
  };
  const excluded: ExcludedDay[] = [];
  const nullAmounts = { source: 0, destination: 0 };
  for (const r of sourceRows) {
    if (r.in_scope) {
      entry(r.day, r.currency).source = { minor: minorOf(r.total), rows: Number(r.n) };
      nullAmounts.source += Number(r.null_amounts);
    } else {
      excluded.push({ day: r.day, currency: r.currency, amount: minorOf(r.total), rows: Number(r.n) });
    }
  }
  for (const r of destinationRows) {
    entry(r.day, r.currency).destination = { minor: minorOf(r.total), rows: Number(r.n) };
    nullAmounts.destination += Number(r.null_amounts);
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
  return { entries: [...entries.values()].sort(byDayThenCurrency), excluded: excluded.sort(byDayThenCurrency), nullAmounts, bankUsed };
}

/** Each day's verdict: clean when the destination (and the bank, when one is configured and was
 * read) agrees with the source to the minor unit. */
export function judgeDays(merged: MergedTotals, bankConfigured: boolean, minorUnits: number): { days: ReconciliationDay[]; mismatches: Mismatch[] } {
  const fmt = (v: bigint) => formatMinor(v, minorUnits);
  const days: ReconciliationDay[] = [];
  const mismatches: Mismatch[] = [];
  for (const e of merged.entries) {
    const against: string[] = [];
    if (e.destination.minor !== e.source.minor) against.push('destination');
    if (merged.bankUsed && e.bank !== e.source.minor) against.push('bank');
    if (against.length > 0) mismatches.push({ entry: e, against });
    days.push({
      day: e.day, currency: e.currency,
      source: fmt(e.source.minor), destination: fmt(e.destination.minor), bank: e.bank === null ? null : fmt(e.bank),
      clean: against.length === 0 && (!bankConfigured || merged.bankUsed),
      sourceRows: e.source.rows, destinationRows: e.destination.rows,
    });
  }
  return { days, mismatches };
}
