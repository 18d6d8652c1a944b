// What a gate is judged from, and the judgements several gates share: the error findings that
// close a gate, and a window that must elapse after a phase was reached.
import { parseDuration } from '../plan/duration.js';
import type { Phase, Plan } from '../plan/types.js';
import type { StateSnapshot } from '../state/state-store.js';
import { plural } from '../words.js';
import type { CheckResult, Finding, ParityResult } from '../diff/plan-result.js';
import { gateOf } from '../diff/finding-gate.js';
import type { DualRunRecord } from './dual-run-record.js';

export interface GateInput {
  plan: Plan;
  now: Date;
  state: StateSnapshot;
  findings: Finding[];
  /** what changed in the source since the lock recorded its fingerprint */
  drift: string[];
  privileges: { canCreateEventTrigger: boolean };
  /** results that still hold for the data */
  parity: ParityResult[];
  checks: CheckResult[];
  /** check resource address → why its stored result no longer holds */
  stale: ReadonlyMap<string, string>;
  /** the mirror, its parked changes and the compares, once the migration has reached dual_run */
  dualRun?: DualRunRecord;
}

export interface Timed {
  reason?: string;
  opensAt?: string;
}

export function elapsed(input: GateInput, since: Phase, duration: string | undefined, what: string): Timed {
  const start = input.state.migration?.phaseTimes[since];
  const seconds = duration ? parseDuration(duration) : undefined;
  if (!start || seconds === undefined) return {};
  const opens = new Date(new Date(start).getTime() + seconds * 1000);
  if (opens <= input.now) return {};
  return { reason: `${what} (${duration} since ${start}) has not elapsed`, opensAt: opens.toISOString() };
}

/** The error findings that keep the gate into `phase` closed. */
export function findingsClosing(findings: readonly Finding[], phase: Phase): Finding[] {
  return findings.filter((f) => f.severity === 'error' && gateOf(f) === phase);
}

export function findingReasons(input: Pick<GateInput, 'findings'>, phase: Phase): string[] {
  const blocking = findingsClosing(input.findings, phase);
  const byKind = new Map<string, number>();
  for (const f of blocking) byKind.set(f.kind, (byKind.get(f.kind) ?? 0) + 1);
  return [...byKind].map(([kind, n]) => plural(n, `${kind} finding`));
}
