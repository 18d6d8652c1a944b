// What apply is given and what it reports: in a module of its own, so the steps apply runs
// (class-steps.ts) and the commands that call it share these types without importing run-apply.
import type { Gate, PlanResult } from '../diff/plan-result.js';
import type { Proof } from '../diff/proof.js';
import type { OnApplyEvent } from '../events.js';
import type { HookRunner } from '../hooks/run-hook.js';
import type { SavedPlan } from '../saved-plan.js';

/** The conversation before anything changes: the plan shown, then a yes or no. */
export interface ApplyHooks {
  showPlan(result: PlanResult): void;
  /** asked once, after the plan is shown; tests and --auto-approve answer without a person */
  confirm(result: PlanResult): Promise<boolean>;
}

export type ApplyOutcome =
  | { kind: 'nothing'; result: PlanResult }
  /** `copied`: after a rollback, the destination tables that keep what cutover copied */
  | { kind: 'reached'; phase: string; applied: number; copied?: CopiedTable[] }
  | { kind: 'gate'; gate: Gate; applied: number; phase: string }
  /** the changes of a phase were made but its proof did not pass: the phase is not reached */
  | { kind: 'unproven'; proof: Proof; applied: number; phase: string }
  | { kind: 'cancelled' }
  /** stopped at a checkpoint because `signal` was raised; the next apply resumes */
  | { kind: 'interrupted'; applied: number; phase: string };

export interface ApplyOptions {
  /** rows per copy batch (each batch is one checkpoint) */
  batchRows?: number;
  lockTimeoutMs: number;
  saved?: SavedPlan;
  planFileSha256: string;
  resolveEmbedded?: (url: string) => Promise<string>;
  hooks: ApplyHooks;
  /** told of every step, copy batch, check, gate and phase as apply goes */
  onEvent?: OnApplyEvent;
  /** how the state lock's holder is described to others (default `cutover apply`) */
  command?: string;
  /** runs the plan's hook commands (default: through the shell) */
  runHook?: HookRunner;
  /** a request to stop, checked at checkpoints: before each change and between copy batches */
  signal?: AbortSignal;
}

/** A destination table that keeps what cutover copied, and the rows in it cutover did not write */
export interface CopiedTable {
  table: string;
  foreign?: { count: number; sampleKeys: unknown[][] };
}
