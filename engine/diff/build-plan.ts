// buildPlan: the plan, what was observed and what state records → the changes apply would make
// next, phase by phase up to the target, stopping at the first gate that does not open. Pure: no
// I/O, no clock of its own; the same inputs always give the same plan.
import { PHASES, type Phase, type Plan } from '../plan/types.js';
import { isPast, next as nextPhase, rank, reached as hasReached, through } from '../phases/phase-order.js';
import type { StateSnapshot } from '../state/state-store.js';
import { evaluateGate, findingReasons, type GateInput } from './gates.js';
import { blocksLater, summarise, type Action, type Change, type CheckResult, type Finding, type Gate, type ParityResult, type PlanResult, type WriteWindow } from './plan-result.js';
import { resourcesAt, type Resource } from './resources.js';
import { canonicalJson } from '../hash.js';
import { checksToRerun } from './results.js';
import { endedGate, rollbackStep } from '../rollback/rollback-step.js';
import { dualRunView, type DualRunRecord } from '../phases/dual-run-record.js';

export interface BuildInput {
  plan: Plan;
  planFingerprint: string;
  sourceFingerprint: string;
  state: StateSnapshot;
  now: Date;
  findings: Finding[];
  drift: string[];
  privileges: GateInput['privileges'];
  /** results that still hold for the data (judgeResults) */
  parity: ParityResult[];
  checks?: CheckResult[];
  /** check resource address → why its stored result no longer holds */
  stale?: ReadonlyMap<string, string>;
  /** each copied class's destination table: rows cutover did not write, with sample keys */
  tables?: ReadonlyMap<string, { foreign: number; sampleKeys: unknown[][] }>;
  windows: WriteWindow[];
  /** recorded resources whose live objects were found missing (dropped behind cutover's back) */
  missingLive: ReadonlySet<string>;
  /** resource addresses whose objects are on the source now (what a rollback removes) */
  live?: ReadonlySet<string>;
  /** the order classes are copied in (parents first) */
  classOrder?: readonly string[];
  locate?: (path: readonly (string | number)[]) => { line: number };
  /** the mirror, parked changes and compares, once the migration has reached dual_run */
  dualRun?: DualRunRecord;
}

type Have = Map<string, Record<string, unknown>>;

/** why a recorded object is planned again when it is gone from the source */
export const MISSING_LIVE = 'it is missing or disabled on the source (changed outside cutover)';

/** Attributes that identify what a resource is, as opposed to facts recorded when it was applied. */
function comparable(address: string, attributes: Record<string, unknown>): string {
  if (address === 'lock.fingerprint') return ''; // drift is the round_tripped gate's business, not an update
  return canonicalJson(attributes);
}

/** A recorded attribute saying why the resource must be made again though the plan did not change
 * (an exception altered a class's source table: its copy is replaced). */
export const REPLACE_REASON = 'replace_reason';

function diffResources(want: Resource[], have: Have, phase: Phase, input: BuildInput, rerun: ReadonlyMap<string, string>): Change[] {
  const changes: Change[] = [];
  const line = (r: Resource) => (r.path && input.locate ? { line: input.locate(r.path).line } : {});
  for (const r of want) {
    const before = have.get(r.address);
    if (!before) {
      const again = rerun.get(r.address);
      const reason = input.missingLive.has(r.address) ? MISSING_LIVE : again ? `it runs again: ${again}` : `phase ${r.phase} installs it`;
      changes.push({ address: r.address, phase, actions: ['create'], before: null, after: r.attributes, reason, ...line(r) });
      continue;
    }
    if (comparable(r.address, before) === comparable(r.address, r.attributes)) continue;
    const changed = Object.keys({ ...before, ...r.attributes }).filter(
      (k) => canonicalJson(before[k] ?? null) !== canonicalJson(r.attributes[k] ?? null));
    const marked = before[REPLACE_REASON] === undefined ? undefined : String(before[REPLACE_REASON]);
    const replace = marked !== undefined || changed.some((k) => r.replaceOn?.includes(k));
    const actions: Action[] = replace ? ['delete', 'create'] : ['update'];
    const reason = marked ?? `the plan changed ${changed.join(', ')}`;
    changes.push({ address: r.address, phase, actions, before, after: r.attributes, reason, ...line(r) });
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

/** What state records as applied, less what is gone from the source and the checks to run again
 * (a check counts as applied only while its result holds and passed). */
function startingHave(input: BuildInput, rerun: ReadonlyMap<string, string>): Have {
  const have: Have = new Map();
  for (const r of input.state.resources) {
    if (!input.missingLive.has(r.address) && !rerun.has(r.address)) have.set(r.address, r.attributes);
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

/**
 * The first gate up to the target that findings keep closed. Findings are what `plan` can see now
 * (catalogs, mappings, the source's rows), so apply judges them before its first change: nothing of
 * the phase that gate guards, nor of any phase before it on the way, is planned, and a mistake plan
 * can see never leaves the source locked. A gate of the current phase or an earlier one closed this
 * way holds back the current phase's repairs too (a re-copy over a destination table that is gone
 * would fail half-way).
 */
function closedByFindings(input: BuildInput): Gate | undefined {
  if (input.plan.target === 'rolled_back') return undefined;
  for (const phase of through(input.plan.target)) {
    const reasons = findingReasons(input, phase);
    if (reasons.length) return { address: `gate.${phase}`, phase, status: 'blocked', reasons };
  }
  return undefined;
}

/** Recorded resources of phases after `current` (an apply killed part-way through the next phase
 * made them) while the target still lies beyond `current`: the next phase's step converges them. */
function aheadOf(input: BuildInput, current: Phase, have: Have): Have {
  const ahead: Have = new Map();
  const target = input.plan.target;
  if (target === 'rolled_back' || !isPast(target, current)) return ahead;
  for (const r of input.state.resources) {
    const attributes = have.get(r.address);
    if (attributes && rank(r.phase) > rank(current)) ahead.set(r.address, attributes);
  }
  return ahead;
}

export const RECOPY_REFUSED = 'recopy-foreign-rows';

/** A class to copy again whose destination table holds rows cutover did not write: the re-copy
 * would have to delete them, so apply refuses it before changing anything. */
function recopyRefusals(changes: readonly Change[], input: BuildInput): Finding[] {
  return changes.filter((c) => /^class\.[^.]+\.copy$/.test(c.address) && c.actions.includes('delete')).flatMap((c): Finding[] => {
    const cls = c.address.split('.')[1]!;
    const found = input.tables?.get(cls);
    if (!found || found.foreign === 0) return [];
    const table = String(c.before?.destination_table ?? '');
    return [{
      class: cls, kind: RECOPY_REFUSED, severity: 'error', count: found.foreign, sampleKeys: found.sampleKeys,
      message: `${c.address} will be replaced, but ${table} holds ${found.foreign} row${found.foreign === 1 ? '' : 's'} cutover did not write (or changed after it wrote them); cutover deletes only the rows it wrote, so apply refuses to copy it again until they are moved or deleted`,
    }];
  });
}

export function buildPlan(input: BuildInput): PlanResult {
  const { plan, state } = input;
  const current = currentPhase(state);
  const changes: Change[] = [];
  const gates: Gate[] = [];
  const gateInput: GateInput = {
    plan, now: input.now, state, findings: input.findings, drift: input.drift, privileges: input.privileges, parity: input.parity, checks: input.checks ?? [],
    stale: input.stale ?? new Map(), ...(input.dualRun ? { dualRun: input.dualRun } : {}),
  };
  const rerun = checksToRerun(state.resources, { parity: input.parity, checks: input.checks ?? [], stale: gateInput.stale });
  let have = startingHave(input, rerun);
  const step = (phase: Phase) => {
    const want = resourcesAt(plan, phase, input.sourceFingerprint, input.classOrder);
    changes.push(...diffResources(want, have, phase, input, rerun));
    have = new Map(want.map((r) => [r.address, r.attributes]));
  };
  // the current phase's repairs of what phases before `before` made, and nothing else
  const repairBefore = (phase: Phase, before: number) => {
    const want = resourcesAt(plan, phase, input.sourceFingerprint, input.classOrder).filter((r) => rank(r.phase) < before);
    const kept = new Map([...have].filter(([address]) => want.some((r) => r.address === address)));
    changes.push(...diffResources(want, kept, phase, input, rerun));
  };

  const held = closedByFindings(input);
  const heldAt = held ? rank(held.phase) : Infinity;
  const reached = current !== 'none' && current !== 'rolled_back';
  if (held && reached && heldAt <= rank(current)) {
    // what phases before the closed gate made is still repaired (a lock dropped behind cutover's
    // back goes back); nothing of the closed gate's phase or after it is redone
    repairBefore(current, heldAt);
    if (plan.target !== 'rolled_back' && isPast(current, plan.target)) gates.push(behindTarget(input, current));
    gates.push(held);
    const next = nextPhase(current);
    if (next && plan.target !== 'rolled_back' && hasReached(plan.target, next)) {
      const gate = evaluateGate(gateInput, next);
      if (gate.status === 'blocked') gates.push(gate);
    }
  } else {
    // a rollback repairs nothing first: it removes what is there
    if (reached && plan.target !== 'rolled_back') {
      // repair what drifted within the current phase; what an interrupted apply already made for a
      // later phase it is still heading for is kept for that phase's step, never destroyed here
      const ahead = aheadOf(input, current, have);
      for (const address of ahead.keys()) have.delete(address);
      step(current);
      for (const [address, attributes] of ahead) have.set(address, attributes);
    }
    if (plan.target !== 'rolled_back' && current !== 'rolled_back') {
      const from = current === 'none' ? 0 : rank(current) + 1;
      const to = rank(plan.target);
      if (current !== 'none' && to < rank(current)) gates.push(behindTarget(input, current));
      for (let i = from; i <= to; i++) {
        const phase = PHASES[i]!;
        const gate = evaluateGate(gateInput, phase);
        gates.push(gate);
        if (gate.status === 'blocked') break;
        if (heldAt > i && heldAt <= to) {
          // open now, but a later gate is already closed: apply would not stop there, it never starts
          gates.push(evaluateGate(gateInput, held!.phase as Phase));
          break;
        }
        step(phase);
        if (gate.status === 'deferred') break;
      }
    }
  }
  if (plan.target === 'rolled_back') {
    const rollback = rollbackStep({ plan, state, sourceFingerprint: input.sourceFingerprint, live: input.live ?? new Set() });
    changes.push(...rollback.changes);
    gates.push(rollback.gate);
  } else if (current === 'rolled_back') {
    gates.push(endedGate(input));
  }
  const findings = [...input.findings, ...recopyRefusals(changes, input)];
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
    findings,
    parity: input.parity,
    checks: input.checks ?? [],
    windows: input.windows,
    summary: summarise(changes, gates, [...blockingFindings(input), ...findings.filter((f) => f.kind === RECOPY_REFUSED)]),
    ...(input.dualRun ? { dualRun: dualRunView(input.dualRun, current) } : {}),
  };
}
