// Whether dual-run was compared at its cadence and every failed compare was reviewed. A stretch
// longer than twice `compare_every` without a compare counts as a failed compare of every class,
// named by the moment it began (the compare before it, or the dual-run start); a resolution names a
// failed compare, or such a gap, by that time and one class. A gap still open now cannot be
// resolved: a compare closes it.
import { parseDuration } from '../plan/duration.js';
import type { CompareOutcome } from '../state/compare-history.js';
import { plural } from '../words.js';
import type { DualRunRecord, ResolutionTarget } from './dual-run-record.js';

export interface CompareGap {
  /** when the stretch without a compare began: a compare's time, or the dual-run start */
  from: string;
  /** the compare that ended it; null when none has yet */
  to: string | null;
}

/** names shown in one reason before the rest are counted */
const CLASSES_SHOWN = 5;

/** `2026-12-03T14:00:00Z`: a compare's time as a resolution writes it (to the second). */
export function toSecond(iso: string): string {
  return new Date(iso).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** Does a resolution's `compare` name `instant`? Exactly, or, written to the second, within that
 * second (the rule compareAt reads recorded compares by). */
export function namesInstant(written: string, instant: string): boolean {
  const at = Date.parse(written);
  const t = Date.parse(instant);
  if (Number.isNaN(at)) return false;
  return at === t || (at % 1000 === 0 && Math.floor(t / 1000) * 1000 === at);
}

/** The stretches from dual-run `start` to `now` longer than twice `everySeconds` with no compare. */
export function cadenceGaps(start: string, compares: readonly CompareOutcome[], now: Date, everySeconds: number): CompareGap[] {
  const limit = 2 * everySeconds * 1000;
  const times = compares.map((c) => c.at).filter((at) => Date.parse(at) >= Date.parse(start));
  const gaps: CompareGap[] = [];
  let from = start;
  for (const at of times) {
    if (Date.parse(at) - Date.parse(from) > limit) gaps.push({ from, to: at });
    from = at;
  }
  if (now.getTime() - Date.parse(from) > limit) gaps.push({ from, to: null });
  return gaps;
}

function listed(names: readonly string[]): string {
  const shown = names.slice(0, CLASSES_SHOWN);
  return names.length > shown.length ? `${shown.join(', ')} and ${names.length - shown.length} more` : shown.join(', ');
}

function gapReason(gap: CompareGap, start: string, every: string, unresolved: readonly string[]): string {
  const began = gap.from === start ? `the start of dual-run (${gap.from})` : gap.from;
  const cadence = `more than twice dual_run.compare_every (${every})`;
  if (gap.to === null) {
    return `no compare has run since ${began}, ${cadence}: start \`cutover mirror\` (it compares every ${every}) or run \`cutover compare\``;
  }
  return `no compare ran from ${began} to ${gap.to}, ${cadence}; that counts as a failed compare of every class: ` +
    `after review, resolve it in dual_run.resolutions with compare: ${toSecond(gap.from)} for ${plural(unresolved.length, 'class', 'classes')} (${listed(unresolved)})`;
}

function compareReason(c: CompareOutcome, unresolved: readonly { class: string; count: number }[]): string {
  const what = unresolved.length
    ? unresolved.map((d) => `${d.class} (${plural(d.count, 'key')} differed)`)
    : ['no class named'];
  return `the compare at ${toSecond(c.at)} failed and is not resolved in dual_run.resolutions: ${listed(what)}`;
}

export interface CadenceInput {
  /** when dual-run began */
  start: string;
  now: Date;
  /** `dual_run.compare_every` as the plan writes it */
  every: string;
  classes: readonly string[];
  record: Pick<DualRunRecord, 'compares' | 'resolutions'>;
}

/** Why the compares of the window do not yet let reads switch: gaps in the cadence, failed
 * compares and gaps not resolved, and resolutions that name no compare. */
export function compareReasons(input: CadenceInput): string[] {
  const seconds = parseDuration(input.every);
  const gaps = seconds ? cadenceGaps(input.start, input.record.compares, input.now, seconds) : [];
  const resolutions = input.record.resolutions;
  const resolvesGap = (r: ResolutionTarget, gap: CompareGap) => namesInstant(r.compare, gap.from);
  const reasons: string[] = [];
  for (const gap of gaps) {
    const unresolved = input.classes.filter((cls) => !resolutions.some((r) => r.class === cls && resolvesGap(r, gap)));
    if (gap.to === null || unresolved.length) reasons.push(gapReason(gap, input.start, input.every, unresolved));
  }
  for (const c of input.record.compares.filter((x) => !x.clean)) {
    const named = resolutions.filter((r) => r.names === c.at);
    const unresolved = c.differing.filter((d) => !named.some((r) => r.class === d.class));
    // a failed compare that names no class is resolved by any resolution naming it
    if (unresolved.length || (c.differing.length === 0 && named.length === 0)) reasons.push(compareReason(c, unresolved));
  }
  for (const r of resolutions) {
    if (r.names === null && !gaps.some((g) => resolvesGap(r, g))) {
      reasons.push(`dual_run.resolutions names a compare at ${r.compare} (class ${r.class}) that was never recorded: copy the time from \`cutover status\``);
    }
  }
  return reasons;
}
