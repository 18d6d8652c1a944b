// What one compare found, and how it is recorded: pure. A compare is clean when every class's rows
// match, no row of the destination was written outside cutover, nothing is parked, and money's days
// reconcile. Every class that is not clean has a sample (its count and first keys), so a failed
// compare names its classes and `dual_run.resolutions` can cite each one.
import type { CheckResult, ParityResult } from '../diff/plan-result.js';
import type { CompareRun, CompareSample } from '../state/compare-history.js';
import type { ForeignRows } from '../state/written-rows.js';
import { COMPARE_SAMPLE_LIMIT } from '../state/compare-history.js';

export interface CompareFindings {
  at: Date;
  snapshot: string;
  parity: ParityResult[];
  /** per class: the destination rows cutover did not write (a rogue writer, during dual-run) */
  foreign: Map<string, ForeignRows>;
  money: CheckResult[];
  /** per class: changes parked (open), which the destination does not have */
  parked: Map<string, number>;
  /** changes the drain before the compare applied */
  drained: number;
  durationMs: number;
}

export interface ClassVerdict {
  class: string;
  clean: boolean;
  sourceRows: number;
  destinationRows: number;
  /** keys whose rows differ (missing, extra, changed, …) */
  differing: number;
  /** rows written outside cutover */
  foreign: number;
  parked: number;
  /** money days that do not reconcile */
  moneyDays: number;
  keys: unknown[][];
}

function unique(keys: unknown[][]): unknown[][] {
  const seen = new Set<string>();
  return keys.filter((k) => {
    const text = JSON.stringify(k);
    if (seen.has(text)) return false;
    seen.add(text);
    return true;
  });
}

export function classVerdicts(f: CompareFindings): ClassVerdict[] {
  return f.parity.map((p) => {
    const foreign = f.foreign.get(p.class);
    const money = f.money.find((m) => m.class === p.class);
    const moneyDays = money && !money.passed ? money.problems.reduce((n, x) => n + x.count, 0) || 1 : 0;
    const differing = p.differences.reduce((n, d) => n + d.count, 0) + (p.passed || p.differences.length ? 0 : Math.abs(p.sourceRows - p.destinationRows));
    const parked = f.parked.get(p.class) ?? 0;
    const keys = unique([...p.differences.flatMap((d) => d.sampleKeys), ...(foreign?.sampleKeys ?? [])]).slice(0, COMPARE_SAMPLE_LIMIT);
    return {
      class: p.class, clean: p.passed && (foreign?.foreign ?? 0) === 0 && parked === 0 && moneyDays === 0,
      sourceRows: p.sourceRows, destinationRows: p.destinationRows, differing, foreign: foreign?.foreign ?? 0, parked, moneyDays, keys,
    };
  });
}

export function compareClean(f: CompareFindings): boolean {
  return classVerdicts(f).every((v) => v.clean);
}

/** The run and its samples, as compare-history.ts stores them. */
export function compareRecord(f: CompareFindings): { run: CompareRun; samples: CompareSample[] } {
  const verdicts = classVerdicts(f);
  const summary = Object.fromEntries(verdicts.map((v) => [v.class, {
    clean: v.clean, source_rows: v.sourceRows, destination_rows: v.destinationRows, differing: v.differing, foreign: v.foreign, parked: v.parked, money_days: v.moneyDays,
  }]));
  return {
    run: { at: f.at.toISOString(), mode: 'exact', snapshot: f.snapshot, clean: verdicts.every((v) => v.clean), summary: { classes: summary, drained: f.drained }, durationMs: f.durationMs },
    samples: verdicts.filter((v) => !v.clean).map((v) => ({ class: v.class, differing: Math.max(v.differing + v.foreign + v.parked + v.moneyDays, 1), keys: v.keys })),
  };
}
