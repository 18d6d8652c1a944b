// Gates: what must hold before apply may move into a phase. Each gate is evaluated from what is
// known now; one whose inputs are produced by an earlier phase of the same apply is `deferred`
// and names what apply will check.
import { parseDuration } from '../plan/duration.js';
import type { Phase, Plan } from '../plan/types.js';
import { previous, reached } from '../phases/phase-order.js';
import type { StateSnapshot } from '../state/state-store.js';
import type { CheckResult, Finding, Gate, ParityResult } from './plan-result.js';
import { enforcesIntegrationLock, enforcesSchemaLock } from '../plan/defaults.js';
import { findingGate } from './finding-gate.js';

export { findingGate };

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
}

function phaseReached(state: StateSnapshot, phase: Phase): boolean {
  const current = state.migration?.phase ?? 'none';
  return reached(current, phase);
}

function elapsed(input: GateInput, since: Phase, duration: string | undefined, what: string): { reason?: string; opensAt?: string } {
  const start = input.state.migration?.phaseTimes[since];
  const seconds = duration ? parseDuration(duration) : undefined;
  if (!start || seconds === undefined) return {};
  const opens = new Date(new Date(start).getTime() + seconds * 1000);
  if (opens <= input.now) return {};
  return { reason: `${what} (${duration} since ${start}) has not elapsed`, opensAt: opens.toISOString() };
}

/** The error findings that keep the gate into `phase` closed. */
export function findingsClosing(findings: readonly Finding[], phase: Phase): Finding[] {
  return findings.filter((f) => f.severity === 'error' && findingGate(f.kind) === phase);
}

export function findingReasons(input: Pick<GateInput, 'findings'>, phase: Phase): string[] {
  const blocking = findingsClosing(input.findings, phase);
  const byKind = new Map<string, number>();
  for (const f of blocking) byKind.set(f.kind, (byKind.get(f.kind) ?? 0) + 1);
  return [...byKind].map(([kind, n]) => `${n} ${kind} finding${n === 1 ? '' : 's'}`);
}

function lockedGate(input: GateInput): string[] {
  const reasons = findingReasons(input, 'locked');
  const lock = input.plan.lock ?? {};
  for (const e of lock.exceptions ?? []) if (e.decision === 'pending') reasons.push(`exception ${e.id} is pending review`);
  if (enforcesSchemaLock(input.plan) && !input.privileges.canCreateEventTrigger) {
    reasons.push('lock.schema: enforce needs an event trigger, which needs a superuser (or rds_superuser); set `lock.schema: detect` to rely on fingerprint checks');
  }
  if (enforcesIntegrationLock(input.plan) && !input.privileges.canCreateEventTrigger) {
    reasons.push('lock.integrations: enforce needs an event trigger, which needs a superuser; set `lock.integrations: detect`');
  }
  const ends = lock.data?.mode === 'freeze' ? lock.data.ends : undefined;
  if (ends && new Date(ends) <= input.now) reasons.push(`the freeze ended at ${ends}; extend lock.data.ends in review, or use pause`);
  return reasons;
}

function roundTripGate(input: GateInput): string[] {
  const reasons = input.drift.map((d) => `source changed since the lock: ${d}`);
  return [...reasons, ...findingReasons(input, 'round_tripped')];
}

function dualRunGate(input: GateInput): string[] {
  const reasons = input.parity.filter((p) => !p.passed).map((p) => `parity of class ${p.class} failed`);
  const checked = new Set(input.parity.map((p) => p.class));
  for (const name of Object.keys(input.plan.classes)) {
    if (checked.has(name)) continue;
    const stale = input.stale.get(`class.${name}.parity`);
    reasons.push(stale ? `parity of class ${name} no longer holds: ${stale}` : `parity of class ${name} has not been checked`);
  }
  for (const e of input.plan.custom_code ?? []) if (e.pending !== undefined) reasons.push(`custom code ${e.source} is pending: ${e.pending}`);
  for (const k of input.checks.filter((c) => !c.passed)) reasons.push(`${k.kind} check of ${k.class} failed: ${k.summary}`);
  for (const [name, cls] of Object.entries(input.plan.classes)) {
    const kind = cls.kind && cls.kind !== 'plain' ? cls.kind : undefined;
    if (kind && !input.checks.some((k) => k.class === name && k.kind === kind)) {
      const stale = input.stale.get(`class.${name}.${kind}`);
      reasons.push(stale ? `the ${kind} check of class ${name} no longer holds: ${stale}` : `the ${kind} check of class ${name} has not run`);
    }
  }
  const verified = (input.plan.custom_code ?? []).some((e) => e.reimplemented && typeof e.verify === 'string' && e.verify.trim() !== '');
  if (verified && !input.checks.some((k) => k.kind === 'custom-code')) {
    const stale = input.stale.get('custom_code.verify');
    reasons.push(stale ? `the custom code verify queries no longer hold: ${stale}` : 'the custom code verify queries have not run');
  }
  return [...reasons, ...findingReasons(input, 'dual_run')];
}

const DEFERRED: Partial<Record<Phase, string>> = {
  dual_run: 'checked after the copy: parity of every class, money, audit and attachment checks, no custom code pending',
  reads_switched: 'checked once dual-run has run for its window',
  writes_switched: 'checked once reads have been switched for the tail window',
  retained: 'checked once the rollback window has passed',
  closed: 'checked once the retention period has passed',
};

/** The gate into `phase`. `before` is the phase apply will have reached just before it. */
export function evaluateGate(input: GateInput, phase: Phase): Gate {
  const before = previous(phase);
  const address = `gate.${phase}`;
  if (before && !phaseReached(input.state, before) && DEFERRED[phase]) {
    // what an earlier phase produces is judged once it has run; findings are known already
    const known = findingReasons(input, phase);
    if (known.length) return { address, phase, status: 'blocked', reasons: known };
    return { address, phase, status: 'deferred', reasons: [DEFERRED[phase]!] };
  }
  const timed: { reason?: string; opensAt?: string }[] = [];
  let reasons: string[] = [];
  switch (phase) {
    case 'locked': reasons = lockedGate(input); break;
    case 'round_tripped': reasons = roundTripGate(input); break;
    case 'dual_run': reasons = dualRunGate(input); break;
    case 'reads_switched':
      timed.push(elapsed(input, 'dual_run', input.plan.dual_run?.window, 'the dual-run window'));
      if (!input.plan.retention?.agreed_by) reasons.push('retention is not agreed (retention.agreed_by, agreed_on)');
      reasons.push('rollback has not been rehearsed for this plan (`cutover rehearse`, which this version does not have yet)');
      break;
    case 'writes_switched':
      timed.push(elapsed(input, 'reads_switched', input.plan.go_live?.tail_window, 'the tail window'));
      break;
    case 'retained':
      timed.push(elapsed(input, 'writes_switched', input.plan.go_live?.rollback_window, 'the rollback window'));
      break;
    case 'closed':
      timed.push(elapsed(input, 'writes_switched', input.plan.retention?.read_only_for, 'the read-only retention period'));
      break;
  }
  for (const t of timed) if (t.reason) reasons.push(t.reason);
  const opensAt = timed.map((t) => t.opensAt).filter((x): x is string => !!x).sort().pop();
  return { address, phase, status: reasons.length ? 'blocked' : 'open', reasons, ...(opensAt ? { opensAt } : {}) };
}
