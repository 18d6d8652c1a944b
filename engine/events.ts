// What the engine tells whoever is watching while it works: typed values, never prose. apply
// emits ApplyEvent through the one `onEvent` callback it is given; the CLI decides what a person
// (or a JSON reader) sees of each. The event log in state is another record, written separately.
import type { Action, CheckResult, Gate, ParityResult } from './diff/plan-result.js';
import type { CopyProgressEvent } from './copy/copy-class.js';
import { copyPace, type CopyPace } from './copy/copy-pace.js';
import type { Proof } from './diff/proof.js';
import type { ClassVerdict } from './compare/compare-findings.js';

/** One change of the plan started: a lock installed, a class copied, a check run, a hook run. */
export interface StepStarted {
  kind: 'step.started';
  address: string;
  actions: Action[];
}

export interface StepFinished {
  kind: 'step.finished';
  address: string;
  actions: Action[];
  elapsedMs: number;
  /** the step was a check that ran but did not pass; it is not counted as applied */
  checkFailed: boolean;
}

/** After every committed copy batch of a class, and once when the class is done. */
export type CopyProgressed = { kind: 'copy.progress' } & CopyProgressEvent & CopyPace;

/** A class's parity, as the step that ran it found it. */
export interface ParityFinished {
  kind: 'parity.finished';
  result: ParityResult;
}

/** A money, audit, attachments or custom-code check, as the step that ran it found it. */
export interface CheckFinished {
  kind: 'check.finished';
  result: CheckResult;
}

/** A hook's command started; `run` is the command as written, secrets scrubbed. */
export interface HookStarted {
  kind: 'hook.started';
  address: string;
  run: string;
}

/** One line the hook printed, secrets scrubbed. */
export interface HookOutput {
  kind: 'hook.output';
  address: string;
  line: string;
}

/** Removing cutover's schema from the source was skipped: other migrations still use it. */
export interface SupportSchemaKept {
  kind: 'support.kept';
  schema: string;
  /** the other migrations' objects in it */
  users: string[];
}

/** The gate into the next phase was open, so apply goes on into that phase. */
export interface GatePassed {
  kind: 'gate.passed';
  gate: Gate;
}

/** A closed gate stops apply (by the findings plan can see, or a wait); `phase` is where it stands. */
export interface GateStopped {
  kind: 'gate.stopped';
  gate: Gate;
  phase: string;
  applied: number;
}

/** A phase's changes ran and its proof passed: the phase is recorded. */
export interface PhaseReached {
  kind: 'phase.reached';
  phase: string;
}

/** The write switch: the source is read-only, the fence drained (every change before it applied). */
export interface SwitchDrained {
  kind: 'switch.drained';
  /** changes the fence's drain applied */
  changes: number;
}

/** The write switch's final compare, recorded like every other. */
export interface SwitchCompared {
  kind: 'switch.compared';
  at: string;
  clean: boolean;
  verdicts: ClassVerdict[];
}

/** Each class's destination sequence, set past every key and proven by a probe. */
export interface SequencesSet {
  kind: 'sequences.set';
  sequences: { class: string; column: string; sequence: string; probe: string; highestKey: string | null; sourceValue: string | null }[];
}

/** The write outage, from the source going read-only to switch_writes done, in real time. */
export interface OutageMeasured {
  kind: 'outage.measured';
  seconds: number;
}

/** A rollback after the write switch drained the destination's writes into the source. */
export interface RollbackDrained {
  kind: 'rollback.drained';
  changes: number;
  refused: number;
}

export interface ApplyStarted {
  kind: 'apply.started';
  target: string;
  from: string;
}

/** apply ended short of the target: at a gate, at a phase's proof, or because it was asked to stop. */
export type ApplyStopped =
  | { kind: 'apply.stopped'; why: 'gate'; gate: Gate; phase: string; applied: number }
  | { kind: 'apply.stopped'; why: 'unproven'; proof: Proof; phase: string; applied: number }
  | { kind: 'apply.stopped'; why: 'interrupted'; phase: string; applied: number };

export interface ApplyFinished {
  kind: 'apply.finished';
  phase: string;
  applied: number;
}

export type ApplyEvent =
  | ApplyStarted
  | StepStarted
  | StepFinished
  | CopyProgressed
  | ParityFinished
  | CheckFinished
  | HookStarted
  | HookOutput
  | SupportSchemaKept
  | GatePassed
  | GateStopped
  | PhaseReached
  | ApplyStopped
  | ApplyFinished
  | MirrorChangeParked
  | SwitchDrained
  | SwitchCompared
  | SequencesSet
  | OutageMeasured
  | RollbackDrained;

export type ApplyEventKind = ApplyEvent['kind'];

/** The one subscriber apply is given. It must not throw: what it does is not apply's concern. */
export type OnApplyEvent = (e: ApplyEvent) => void;

export function copyProgressed(e: CopyProgressEvent): CopyProgressed {
  return { kind: 'copy.progress', ...e, ...copyPace(e) };
}

// ---------------------------------------------------------------------------------------------
// `cutover mirror`: what it reports while it keeps the destination in step (a drain into dual-run
// reports parked changes through apply's events too).

/** The mirror took its lock and starts from the recorded position. */
export interface MirrorStarted {
  kind: 'mirror.started';
  phase: string;
  /** changes applied before this run, by every drain so far */
  appliedBefore: number;
}

/** One drain committed: every change captured up to a source snapshot, in one destination transaction. */
export interface MirrorBatchApplied {
  kind: 'mirror.batch';
  /** distinct keys applied */
  changes: number;
  /** keys refused by the destination in this batch, now parked */
  parked: number;
  /** keys not applied because an earlier change of theirs is parked */
  held: number;
}

/** A captured change the destination refused; it is parked, and the changes after it on its key wait. */
export interface MirrorChangeParked {
  kind: 'mirror.parked';
  class: string;
  key: unknown[];
  reason: string;
}

/** A compare ran (at its cadence, or asked for) and was recorded. */
export interface MirrorCompareFinished {
  kind: 'mirror.compared';
  at: string;
  clean: boolean;
  verdicts: ClassVerdict[];
}

/** Every report interval: how the mirror keeps up. */
export interface MirrorStatusReport {
  kind: 'mirror.status';
  applied: number;
  /** changes per second since the last report */
  rate: number;
  /** age of the oldest change not applied yet */
  lagSeconds: number;
  /** changes captured and not applied yet */
  pending: number;
  parkedOpen: number;
}

/** `--retry-rejected` tried every open parked change again. */
export interface MirrorRetried {
  kind: 'mirror.retried';
  retried: number;
  applied: number;
  refused: { class: string; key: unknown[]; message: string }[];
}

/** The mirror stopped cleanly (a stop request, or `--once` done). */
export interface MirrorStopped {
  kind: 'mirror.stopped';
  applied: number;
}

/** The fence that stops writes on the side being switched away from. */
export interface MirrorFenceApplied {
  kind: 'mirror.fenced';
  side: 'source' | 'destination';
}

export type MirrorEvent =
  | MirrorStarted | MirrorBatchApplied | MirrorChangeParked | MirrorCompareFinished | MirrorStatusReport | MirrorRetried | MirrorStopped | MirrorFenceApplied;

export type OnMirrorEvent = (e: MirrorEvent) => void;
