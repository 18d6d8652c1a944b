// buildPlan: the plan, what was observed and what state records → the changes apply would make
// next, phase by phase up to the target, stopping at the first gate that does not open. Pure: no
// I/O, no clock of its own; the same inputs always give the same plan.
import { PHASES, type Phase, type Plan } from '../plan/types.js';
import type { StateSnapshot } from '../state/state-store.js';
import { evaluateGate, type GateInput } from './gates.js';
import { blocksLater, summarise, type Action, type Change, type CheckResult, type Finding, type Gate, type ParityResult, type PlanResult, type WriteWindow } from './plan-result.js';
import { resourcesAt, type Resource } from './resources.js';
import { canonicalJson } from '../hash.js';

export interface BuildInput {
  plan: Plan;
  planFingerprint: string;
  sourceFingerprint: string;
  state: StateSnapshot;
  now: Date;
  findings: Finding[];
  drift: string[];
  privileges: GateInput['privileges'];
  parity: ParityResult[];
  checks?: CheckResult[];
  windows: WriteWindow[];
  /** recorded resources whose live objects were found missing (dropped behind cutover's back) */
  missingLive: ReadonlySet<string>;
  /** the order classes are copied in (parents first) */
  classOrder?: readonly string[];
  locate?: (path: readonly (string | number)[]) => { line: number };
}

type Have = Map<string, Record<string, unknown>>;

/** Attributes that identify what a resource is, as opposed to facts recorded when it was applied. */
function comparable(address: string, attributes: Record<string, unknown>): string {
  if (address === 'lock.fingerprint') return ''; // drift is the round_tripped gate's business, not an update
  return canonicalJson(attributes);
}

function diffResources(want: Resource[], have: Have, phase: Phase, input: BuildInput): Change[] {
  const changes: Change[] = [];
  const line = (r: Resource) => (r.path && input.locate ? { line: input.locate(r.path).line } : {});
  for (const r of want) {
    const before = have.get(r.address);
    if (!before) {
      const reason = input.missingLive.has(r.address) ? 'it was removed outside cutover' : `phase ${r.phase} installs it`;
      changes.push({ address: r.address, phase, actions: ['create'], before: null, after: r.attributes, reason, ...line(r) });
      continue;
    }
    if (comparable(r.address, before) === comparable(r.address, r.attributes)) continue;
    const changed = Object.keys({ ...before, ...r.attributes }).filter(
      (k) => canonicalJson(before[k] ?? null) !== canonicalJson(r.attributes[k] ?? null));
    const replace = changed.some((k) => r.replaceOn?.includes(k));
    const actions: Action[] = replace ? ['delete', 'create'] : ['update'];
    changes.push({ address: r.address, phase, actions, before, after: r.attributes, reason: `the plan changed ${changed.join(', ')}`, ...line(r) });
  }
  const wanted = new Set(want.map((r) => r.address));
  for (const [address, before] of have) {
    if (!wanted.has(address)) changes.push({ address, phase, actions: ['delete'], before, after: null, reason: `phase ${phase} removes it` });
  }
  return changes;
}

function currentPhase(state: StateSnapshot): PlanResult['phase'] {
  return state.migration?.phase ?? 'none';
}

function startingHave(input: BuildInput): Have {
  const have: Have = new Map();
  for (const r of input.state.resources) {
    if (!input.missingLive.has(r.address)) have.set(r.address, r.attributes);
  }
  return have;
}

function behindTarget(input: BuildInput, current: Phase): Gate {
  return {
    address: `gate.${input.plan.target}`, phase: input.plan.target as Phase, status: 'blocked',
    reasons: [`the migration is already at ${current}; phases do not go back (set target to ${current} or later, or use \`cutover rollback\`)`],
  };
}

/** Findings count as data problems when they close a gate on the way to the target; the rest
 * are shown as early warnings. */
function blockingFindings(input: BuildInput): Finding[] {
  return input.findings.filter((f) => !blocksLater(f, input.plan.target));
}

/** Recorded resources of phases after `current` (an apply killed part-way through the next phase
 * made them) while the target still lies beyond `current`: the next phase's step converges them. */
function aheadOf(input: BuildInput, current: Phase, have: Have): Have {
  const ahead: Have = new Map();
  const target = input.plan.target;
  if (target === 'rolled_back' || PHASES.indexOf(target) <= PHASES.indexOf(current)) return ahead;
  for (const r of input.state.resources) {
    const attributes = have.get(r.address);
    if (attributes && PHASES.indexOf(r.phase as Phase) > PHASES.indexOf(current)) ahead.set(r.address, attributes);
  }
  return ahead;
}

export function buildPlan(input: BuildInput): PlanResult {
  const { plan, state } = input;
  const current = currentPhase(state);
  const changes: Change[] = [];
  const gates: Gate[] = [];
  const gateInput: GateInput = {
    plan, now: input.now, state, findings: input.findings, drift: input.drift, privileges: input.privileges, parity: input.parity, checks: input.checks ?? [],
  };
  let have = startingHave(input);
  const step = (phase: Phase) => {
    const want = resourcesAt(plan, phase, input.sourceFingerprint, input.classOrder);
    changes.push(...diffResources(want, have, phase, input));
    have = new Map(want.map((r) => [r.address, r.attributes]));
  };

  if (current !== 'none' && current !== 'rolled_back') {
    // repair what drifted within the current phase; what an interrupted apply already made for a
    // later phase it is still heading for is kept for that phase's step, never destroyed here
    const ahead = aheadOf(input, current, have);
    for (const address of ahead.keys()) have.delete(address);
    step(current);
    for (const [address, attributes] of ahead) have.set(address, attributes);
  }
  if (plan.target !== 'rolled_back' && current !== 'rolled_back') {
    const from = current === 'none' ? 0 : PHASES.indexOf(current) + 1;
    const to = PHASES.indexOf(plan.target);
    if (current !== 'none' && to < PHASES.indexOf(current)) gates.push(behindTarget(input, current));
    for (let i = from; i <= to; i++) {
      const phase = PHASES[i]!;
      const gate = evaluateGate(gateInput, phase);
      gates.push(gate);
      if (gate.status === 'blocked') break;
      step(phase);
      if (gate.status === 'deferred') break;
    }
  }
  return {
    format_version: '1',
    name: plan.name,
    target: plan.target,
    phase: current,
    now: input.now.toISOString(),
    planFingerprint: input.planFingerprint,
    sourceFingerprint: input.sourceFingerprint,
    changes,
    gates,
    findings: input.findings,
    parity: input.parity,
    checks: input.checks ?? [],
    windows: input.windows,
    summary: summarise(changes, gates, blockingFindings(input)),
  };
}
