// Which stored check results still speak for the data. A result judged the rows that were there
// when it ran: a class copied again since, or a destination table whose rows changed outside
// cutover since (other counts than the parity recorded), makes it stale; so does a gap in the
// source's locks (the data lock or a class's capture found missing or disabled, now or before apply
// put it back: what was written meanwhile is unknown) and captured changes not yet replayed. A stale result is never
// shown as a result, and the check that produced it is planned again, as is a check that failed.
// Pure: the counts are observed by the caller.
import type { CopyProgress } from '../copy/copy-progress.js';
import type { StateSnapshot } from '../state/state-store.js';
import type { CheckResult, ParityResult } from './plan-result.js';

/** the class name custom code's verify results are stored under */
export const CUSTOM_CODE_CLASS = 'custom_code';

export interface ResultsInput {
  parity: readonly ParityResult[];
  checks: readonly CheckResult[];
  copies: readonly CopyProgress[];
  /** each copied class's destination table now: its rows, and those cutover did not write */
  tables: ReadonlyMap<string, { rows: number; foreign: number }>;
  /** `lock.data` / `class.X.capture` found missing or disabled: now (`at` null), or when apply put it back */
  gaps?: readonly LockGap[];
  /** class → captured source changes not yet replayed into the destination */
  pending?: ReadonlyMap<string, number>;
  /** the migration has reached dual-run: writes flow and are mirrored by design, so phase two's
   * results stand as the record of what proved round_tripped, and the compares judge the data
   * from then on (a parity run again over a live source would prove nothing) */
  settled?: boolean;
}

export interface LockGap {
  address: string;
  at: string | null;
}

export interface JudgedResults {
  /** results that still hold for the data */
  parity: ParityResult[];
  checks: CheckResult[];
  /** check resource address → why its stored result no longer holds */
  stale: Map<string, string>;
}

/** The resource whose change runs a check: `class.X.parity`, `class.X.money`, `custom_code.verify`. */
export function checkAddress(result: { class: string; kind?: string }): string {
  if (!result.kind) return `class.${result.class}.parity`;
  return result.kind === 'custom-code' ? 'custom_code.verify' : `class.${result.class}.${result.kind}`;
}

const CHECK_ADDRESS = /^(class\.[^.]+\.(parity|money|audit|attachments)|custom_code\.verify)$/;

function isCheckAddress(address: string): boolean {
  return CHECK_ADDRESS.test(address);
}

function rowsText(t: { rows: number; foreign: number }): string {
  return `${t.rows} row${t.rows === 1 ? '' : 's'}, ${t.foreign} not written by cutover`;
}

function gapReason(gap: LockGap, cls: string): string {
  return gap.address === 'lock.data'
    ? 'the data lock was missing or disabled on the source, so writes may have been made meanwhile'
    : `the capture of class ${cls} was missing or disabled on the source, so changes may have gone uncaptured meanwhile`;
}

/** A gap in the locks that class `cls`'s result at `checkedAt` does not know about. */
function lockGap(cls: string, checkedAt: string, input: ResultsInput): string | undefined {
  const gap = (input.gaps ?? []).find((g) => (g.address === 'lock.data' || g.address === `class.${cls}.capture`) && (g.at === null || g.at > checkedAt));
  return gap && gapReason(gap, cls);
}

function staleParity(p: ParityResult, input: ResultsInput): string | undefined {
  const gap = lockGap(p.class, p.checkedAt, input);
  if (gap) return gap;
  const pending = input.pending?.get(p.class) ?? 0;
  if (pending > 0) return `${pending} captured change${pending === 1 ? '' : 's'} of class ${p.class} not yet replayed`;
  const copy = input.copies.find((c) => c.class === p.class);
  if (copy?.finishedAt && copy.finishedAt > p.checkedAt) return `class ${p.class} was copied again after its parity ran`;
  const now = input.tables.get(p.class);
  if (!now || !p.table) return undefined;
  if (now.rows === p.table.rows && now.foreign === p.table.foreign) return undefined;
  return `rows of class ${p.class} changed outside cutover since its parity ran: its destination table holds ${rowsText(now)} (then ${rowsText(p.table)})`;
}

function checkGap(k: CheckResult, input: ResultsInput): string | undefined {
  if (k.class !== CUSTOM_CODE_CLASS) return lockGap(k.class, k.checkedAt, input);
  return input.copies.map((c) => lockGap(c.class, k.checkedAt, input)).find((why) => why);
}

function copiedAfter(k: CheckResult, input: ResultsInput): string | undefined {
  const classes = k.class === CUSTOM_CODE_CLASS ? input.copies : input.copies.filter((c) => c.class === k.class);
  const later = classes.find((c) => c.finishedAt && c.finishedAt > k.checkedAt);
  return later ? `class ${later.class} was copied again after this check ran` : undefined;
}

export function judgeResults(input: ResultsInput): JudgedResults {
  if (input.settled) return { parity: [...input.parity], checks: [...input.checks], stale: new Map() };
  const stale = new Map<string, string>();
  const staleClasses = new Map<string, string>();
  for (const p of input.parity) {
    const why = staleParity(p, input);
    if (why) {
      stale.set(checkAddress(p), why);
      staleClasses.set(p.class, why);
    }
  }
  for (const k of input.checks) {
    // custom code's verify queries read every class; a class's checks read that class
    const changed = k.class === CUSTOM_CODE_CLASS ? [...staleClasses.values()][0] : staleClasses.get(k.class);
    const why = changed ?? checkGap(k, input) ?? copiedAfter(k, input);
    if (why) stale.set(checkAddress(k), why);
  }
  return {
    parity: input.parity.filter((p) => !stale.has(checkAddress(p))),
    checks: input.checks.filter((k) => !stale.has(checkAddress(k))),
    stale,
  };
}

/**
 * Recorded check resources to plan again, with the reason: those without a result that holds, and
 * those that failed. When a check of a phase failed, every check of that phase runs again: fixing
 * the data one check found wrong may change what another one judged.
 */
export function checksToRerun(
  resources: StateSnapshot['resources'], results: { parity: readonly ParityResult[]; checks: readonly CheckResult[]; stale: ReadonlyMap<string, string> },
): Map<string, string> {
  const found = new Map<string, { passed: boolean }>();
  for (const p of results.parity) found.set(checkAddress(p), p);
  for (const k of results.checks) found.set(checkAddress(k), k);
  const rerun = new Map<string, string>();
  const failedIn = new Set<string>();
  const recorded = resources.filter((r) => isCheckAddress(r.address));
  for (const r of recorded) {
    const result = found.get(r.address);
    const stale = results.stale.get(r.address);
    if (stale) rerun.set(r.address, stale);
    else if (!result) rerun.set(r.address, 'it has no result that holds for the data now');
    else if (!result.passed) {
      rerun.set(r.address, 'its last run failed');
      failedIn.add(r.phase);
    }
  }
  for (const r of recorded) {
    if (failedIn.has(r.phase) && !rerun.has(r.address)) rerun.set(r.address, `a check of phase ${r.phase} failed, so every one of them runs again`);
  }
  return rerun;
}
