// How a money reconciliation is reported: its problems, the details kept in state and shown by
// `status`, and the one-line summary. Pure: everything here is computed from judged days.
import { plural } from '../../words.js';
import type { CheckResult } from '../../diff/plan-result.js';
import type { RecordClass } from '../../plan/types.js';
import { formatMinor } from './amounts.js';
import type { BankStatement } from './bank-statement.js';
import { compareNullable, type DayWindow, type MergedTotals, type Mismatch } from './day-totals.js';
import type { ReconciliationDay } from './reconciliation-store.js';

/** days shown in details (mismatches first, then the latest clean ones) */
export const DAYS_SHOWN = 400;
const SAMPLES = 20;

export interface Judged {
  cls: RecordClass;
  zone: string;
  minorUnits: number;
  window: DayWindow | null;
  merged: MergedTotals;
  days: ReconciliationDay[];
  mismatches: Mismatch[];
  bank: BankStatement | null;
  sourceDate: { expression: string; type: string };
  destinationDate: { column: string; type: string };
}

export function moneyProblems(j: Judged): CheckResult['problems'] {
  const fmt = (v: bigint) => formatMinor(v, j.minorUnits);
  const { mismatches, bank } = j;
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
      detail: `${plural(mismatches.length, 'day/currency total')} in ${j.zone} ${mismatches.length === 1 ? 'does' : 'do'} not reconcile to the minor unit`
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
  return problems;
}

/** Mismatches first (up to DAYS_SHOWN), then the latest clean days, shown by day. */
function shownDays(days: readonly ReconciliationDay[]): ReconciliationDay[] {
  const unclean = days.filter((d) => !d.clean);
  const clean = days.filter((d) => d.clean);
  return [...unclean.slice(0, DAYS_SHOWN), ...clean.slice(Math.max(0, clean.length - Math.max(0, DAYS_SHOWN - unclean.length)))]
    .sort((a, b) => compareNullable(a.day, b.day) || compareNullable(a.currency, b.currency));
}

function excludedDetails(j: Judged) {
  const fmt = (v: bigint) => formatMinor(v, j.minorUnits);
  const byCurrency = new Map<string | null, { amount: bigint; rows: number }>();
  for (const x of j.merged.excluded) {
    const t = byCurrency.get(x.currency) ?? { amount: 0n, rows: 0 };
    byCurrency.set(x.currency, { amount: t.amount + x.amount, rows: t.rows + x.rows });
  }
  return {
    where: j.cls.where ?? null,
    rows: j.merged.excluded.reduce((n, x) => n + x.rows, 0),
    byCurrency: [...byCurrency].map(([currency, t]) => ({ currency, amount: fmt(t.amount), rows: t.rows })),
    days: j.merged.excluded.slice(0, DAYS_SHOWN).map((x) => ({ day: x.day, currency: x.currency, amount: fmt(x.amount), rows: x.rows })),
    daysOmitted: Math.max(0, j.merged.excluded.length - DAYS_SHOWN),
  };
}

export function moneyDetails(j: Judged) {
  const shown = shownDays(j.days);
  const clean = j.days.filter((d) => d.clean).length;
  return {
    timezone: j.zone,
    minorUnits: j.minorUnits,
    window: j.window,
    sourceDate: { ...j.sourceDate, readAs: readAs(j.sourceDate.type, j.cls, j.zone) },
    destinationDate: { ...j.destinationDate, readAs: readAs(j.destinationDate.type, j.cls, j.zone) },
    bank: j.bank === null ? null : { origin: j.bank.origin, lines: j.bank.lines, used: j.merged.bankUsed, invalidLines: j.bank.invalidCount },
    totals: {
      dayCurrencies: j.days.length, days: new Set(j.days.map((d) => d.day)).size, currencies: new Set(j.days.map((d) => d.currency)).size,
      clean, mismatched: j.mismatches.length,
    },
    days: shown,
    daysShown: shown.length,
    daysOmitted: j.days.length - shown.length,
    excluded: excludedDetails(j),
    nullAmounts: j.merged.nullAmounts,
  };
}

export function moneySummary(j: Judged, details: ReturnType<typeof moneyDetails>, problems: CheckResult['problems']): string {
  const fmt = (v: bigint) => formatMinor(v, j.minorUnits);
  const { bank, mismatches, zone } = j;
  const { days: dayCount, currencies } = details.totals;
  const against = bank === null ? 'source = destination' : 'source = destination = bank';
  const excludedRows = details.excluded.rows;
  const excludedNote = excludedRows > 0 ? `; ${plural(excludedRows, 'row')} excluded by \`where\` (${details.excluded.byCurrency.map((c) => `${c.amount} ${c.currency ?? '(no currency)'}`).join(', ')})` : '';
  if (problems.length === 0) {
    return `${plural(dayCount, 'day')} × ${plural(currencies, 'currency', 'currencies')} reconcile in ${zone} (${against})${excludedNote}`;
  }
  if (mismatches.length > 0) {
    const first = mismatches[0]!.entry;
    return `${plural(mismatches.length, 'day/currency total')} of ${j.days.length} ${mismatches.length === 1 ? 'does' : 'do'} not reconcile in ${zone}, first ${first.day ?? '(no date)'} ${first.currency ?? ''}`.trimEnd()
      + `: source ${fmt(first.source.minor)}, destination ${fmt(first.destination.minor)}${first.bank === null ? '' : `, bank ${fmt(first.bank)}`}`
      + (bank?.error !== undefined ? '; the bank statement could not be read' : '') + excludedNote;
  }
  return `${plural(dayCount, 'day')} reconcile between source and destination, but ${problems.map((p) => p.kind === 'bank-statement-error' ? 'the bank statement could not be read' : `${plural(p.count, 'bank statement line')} could not be read`).join(' and ')}${excludedNote}`;
}

function readAs(base: string, cls: RecordClass, zone: string): string {
  if (base === 'date') return 'the day as stored';
  if (base === 'timestamptz') return `the instant's local date in ${zone}`;
  const local = cls.timestamps?.source_timezone;
  return local ? `local time in ${local} (timestamps.source_timezone), then its date in ${zone}` : `UTC (no timestamps.source_timezone), then its date in ${zone}`;
}
