// What one compare found, and how it is recorded: pure. A compare is clean when every class's rows
// match, no row of the destination was written outside cutover, nothing is parked, money's days
// reconcile and every attachment file is there with its sha256. Every class that is not clean has a sample (its count and first keys), so a failed
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
  /** the files of attachment classes, copied where new and verified by sha256 */
  attachments: CheckResult[];
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
  /** attachment files missing or not matching their sha256 */
  files: number;
  keys: unknown[][];
}

/** What a failing check counts (orphan files are reported, never failed on); 1 when it names nothing. */
function problems(k: CheckResult | undefined): number {
  if (!k || k.passed) return 0;
  return k.problems.filter((p) => !(k.kind === 'attachments' && p.kind === 'orphan')).reduce((n, x) => n + x.count, 0) || 1;
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
    const moneyDays = problems(f.money.find((m) => m.class === p.class));
    const files = problems(f.attachments.find((m) => m.class === p.class));
    const differing = p.differences.reduce((n, d) => n + d.count, 0) + (p.passed || p.differences.length ? 0 : Math.abs(p.sourceRows - p.destinationRows));
    const parked = f.parked.get(p.class) ?? 0;
    const keys = unique([...p.differences.flatMap((d) => d.sampleKeys), ...(foreign?.sampleKeys ?? [])]).slice(0, COMPARE_SAMPLE_LIMIT);
    return {
      class: p.class, clean: p.passed && (foreign?.foreign ?? 0) === 0 && parked === 0 && moneyDays === 0 && files === 0,
      sourceRows: p.sourceRows, destinationRows: p.destinationRows, differing, foreign: foreign?.foreign ?? 0, parked, moneyDays, files, keys,
    };
  });
}

export function compareClean(f: CompareFindings): boolean {
  return classVerdicts(f).every((v) => v.clean);
}

/** The run and its samples, as compare-history.ts stores them. A parked or rogue-written key also
 * differs, so a sample counts the larger of those, not their sum. */
export function compareRecord(f: CompareFindings): { run: CompareRun; samples: CompareSample[] } {
  const verdicts = classVerdicts(f);
  const summary = Object.fromEntries(verdicts.map((v) => [v.class, {
    clean: v.clean, source_rows: v.sourceRows, destination_rows: v.destinationRows, differing: v.differing, foreign: v.foreign, parked: v.parked, money_days: v.moneyDays, files: v.files,
  }]));
  return {
    run: { at: f.at.toISOString(), mode: 'exact', snapshot: f.snapshot, clean: verdicts.every((v) => v.clean), summary: { classes: summary, drained: f.drained }, durationMs: f.durationMs },
    samples: verdicts.filter((v) => !v.clean).map((v) => ({ class: v.class, differing: Math.max(Math.max(v.differing, v.foreign, v.parked) + v.moneyDays + v.files, 1), keys: v.keys })),
  };
}
