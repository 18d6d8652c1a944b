// What the state and the capture log say about a migration in dual-run or later: the mirror's
// heartbeat, how far it is behind, what it parked, and every compare since dual-run began. observe
// loads it; the reads_switched gate judges it, and status and plan show it.
import type { CompareOutcome } from '../state/compare-history.js';
import type { MirrorStatus } from '../state/mirror-status.js';
import type { ParkedChange } from '../state/parked-changes.js';

/** a heartbeat older than this says the mirror is not running, whatever its row says */
export const MIRROR_BEAT_STALE_SECONDS = 30;

/** the open parked changes listed by name; the rest are counted */
export const PARKED_SHOWN = 5;

export interface DualRunRecord {
  /** the last mirror's heartbeat; null when no mirror ever ran */
  mirror: MirrorStatus | null;
  /** age in seconds, by the source's clock, of the oldest captured change not yet applied (0 when none waits) */
  lagSeconds: number;
  /** captured changes not yet applied, all classes together */
  pending: number;
  /** open parked changes: how many, and the first few in the order they were parked */
  parked: { count: number; first: ParkedChange[] };
  /** every compare since dual-run began, oldest first */
  compares: CompareOutcome[];
  /** each of `dual_run.resolutions`, in plan order, with the time of the compare it names as
   * recorded (null when it names none) */
  resolutions: ResolutionTarget[];
  /** the latest rollback rehearsal of this plan's fingerprint (`cutover rehearse`); null when none */
  rehearsal?: { passed: boolean; finishedAt: string } | null;
}

export interface ResolutionTarget {
  /** the resolution's `compare` as the plan writes it */
  compare: string;
  class: string;
  /** the named compare's recorded time, ISO; null when no recorded compare has that time */
  names: string | null;
}

/** Running means a recent beat and no clean stop since. */
export function mirrorRunning(mirror: MirrorStatus | null): boolean {
  return !!mirror && mirror.stoppedAt === null && mirror.ageSeconds <= MIRROR_BEAT_STALE_SECONDS;
}

/** The mirror follows the source in dual-run and the tail window; after the write switch it is done. */
export function mirrorExpected(phase: string): boolean {
  return phase === 'dual_run' || phase === 'reads_switched';
}

/** compares shown by status and plan, newest first */
export const COMPARES_SHOWN = 5;

/** The dual-run as status and plan show it: bounded, plain data. */
export interface DualRunView {
  /** the mirror's last heartbeat, and whether it counts as running; null when none ever ran */
  mirror: (MirrorStatus & { running: boolean }) | null;
  /** the mirror must be running now (dual-run and the tail window) */
  mirrorExpected: boolean;
  /** measured now on the capture log: the age of the oldest change not applied, and how many wait */
  lagSeconds: number;
  pending: number;
  parked: { count: number; first: { class: string; key: unknown[]; op: string; message: string; firstSeen: string; attempts: number }[] };
  /** the latest compares, newest first */
  compares: CompareOutcome[];
  /** compares since dual-run began, and how many of them failed */
  compareCount: number;
  failedCount: number;
}

export function dualRunView(record: DualRunRecord, phase: string): DualRunView {
  return {
    mirror: record.mirror && { ...record.mirror, running: mirrorRunning(record.mirror) },
    mirrorExpected: mirrorExpected(phase),
    lagSeconds: record.lagSeconds,
    pending: record.pending,
    parked: {
      count: record.parked.count,
      first: record.parked.first.map((p) => ({ class: p.class, key: p.key, op: p.op, message: p.message, firstSeen: p.firstSeen, attempts: p.attempts })),
    },
    compares: record.compares.slice(-COMPARES_SHOWN).reverse(),
    compareCount: record.compares.length,
    failedCount: record.compares.filter((c) => !c.clean).length,
  };
}
