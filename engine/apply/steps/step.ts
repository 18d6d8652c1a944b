// What a step is given and what it answers. Every executor is idempotent (IF NOT EXISTS,
// CREATE OR REPLACE, DROP IF EXISTS), so a change interrupted by a kill is simply done again.
import type { QueryRunner } from '../../db/query-runner.js';
import type { Change, CheckResult, ParityResult } from '../../diff/plan-result.js';
import type { FingerprintParts } from '../../introspect/fingerprint.js';
import type { Plan } from '../../plan/types.js';
import type { ApplyEvent } from '../../events.js';
import type { EventRecord } from '../../state/state-store.js';
import type { DrainResult } from '../../capture/drain.js';
import type { ReverseDrainResult } from '../../rollback/reverse-drain.js';
import type { CompareFindings } from '../../compare/compare-findings.js';

export interface ApplyTarget {
  plan: Plan;
  /** cutover's schema, on the source (support objects) and the destination (state) */
  schema: string;
  /** a writable source session, registered as one of cutover's backends */
  source: QueryRunner;
  destination: QueryRunner;
  /** source table name as written in the plan → qualified name */
  qualify(table: string): string;
  /** destination table name as written in the plan → qualified name */
  qualifyDestination(table: string): string;
  sourceFingerprint: { hash: string; parts: FingerprintParts };
  /** phase two's steps, opened on first use (one copy snapshot for every class) */
  classSteps(): ClassSteps;
  /** tells whoever watches apply what a step found (a parity or check result) */
  emit(e: ApplyEvent): void;
  /** appends to the event log (the time, the user, the plan fingerprint added) */
  record(e: EventRecord): Promise<void>;
  /** runs the plan's go_live hook of that name for the step into `phase`, recording it; throws when it fails */
  runHook(name: 'switch_reads' | 'switch_writes' | 'rollback', phase: string): Promise<void>;
}

export type CheckKind = 'money' | 'audit' | 'attachments';

export interface ClassSteps {
  copy(className: string): Promise<void>;
  /** money reconciliation, the audit sequence and anchors, or attachment files; stored in state */
  check(className: string, kind: CheckKind): Promise<CheckResult>;
  /** custom code's verify queries on the destination; stored in state */
  verifyCustomCode(): Promise<CheckResult>;
  /** delete the rows cutover copied into `was.table` (the table the recorded copy filled), so the
   * class can be copied again; refused when the table holds rows cutover did not write */
  uncopy(className: string, was: { table: string; key: string[] }): Promise<void>;
  parity(className: string): Promise<ParityResult>;
  /** every class's captured changes up to a fresh source snapshot, with the mirror's position */
  drainAll(): Promise<DrainResult & { snapshot: string }>;
  /** an exact compare (drained to a fresh snapshot), recorded */
  compare(): Promise<CompareFindings>;
  /** a rollback after the write switch: the destination's writes drained into the source */
  reverseDrain(): Promise<ReverseDrainResult>;
  /** parity in the reverse direction, each class */
  reverseParity(): Promise<ParityResult[]>;
}

/** What a check found; a change whose check failed is not recorded as applied, so the next apply
 * runs it again. */
export interface Verdict {
  passed: boolean;
}

export type Step = (change: Change, t: ApplyTarget) => Promise<Verdict | void>;

export interface Executor {
  create: Step;
  delete: Step;
  /** default: create again, which every create tolerates */
  update?: Step;
}

/** For results kept in state as history, and hooks that ran: nothing to undo. */
export async function keep(): Promise<void> {}
