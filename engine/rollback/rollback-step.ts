// The changes `target: rolled_back` (and `cutover rollback`) makes. Before the write switch: the
// plan's `rollback` hook first, then every lock and capture object cutover put on the source (and
// the audit tables' guard on the destination), cutover's source schema last; what was copied into
// the destination stays (it is not live). After it: the destination read-only, its writes drained
// back, the source's sequences advanced and reverse parity proven, then the hook and the removals
// (reverse capture, the source's read-only guard). Pure, like buildPlan.
import type { Plan } from '../plan/types.js';
import { reached } from '../phases/phase-order.js';
import { REMOVAL_ORDER, WRITE_SWITCH } from '../phases/rolled-back.js';
import type { StateSnapshot } from '../state/state-store.js';
import type { Change, Gate, PlanResult } from '../diff/plan-result.js';
import { resourcesAt } from '../diff/resources.js';

const ROLLBACK_HOOK = 'hook.rollback';


export interface RollbackInput {
  plan: Plan;
  state: StateSnapshot;
  sourceFingerprint: string;
  /** resource addresses whose objects are on the source now, recorded in state or not */
  live: ReadonlySet<string>;
}

type Current = PlanResult['phase'];

function pastWriteSwitch(current: Current): boolean {
  return reached(current, WRITE_SWITCH);
}

function removalRank(address: string): number {
  return REMOVAL_ORDER.findIndex((p) => p.test(address));
}

/** What is to be removed: recorded in state, or found on the source (an apply killed between
 * installing an object and recording it). Attributes are the recorded ones, else the plan's. */
function removals(input: RollbackInput): Change[] {
  const recorded = new Map(input.state.resources.map((r) => [r.address, r.attributes]));
  const planned = new Map([...resourcesAt(input.plan, 'locked', input.sourceFingerprint), ...resourcesAt(input.plan, 'dual_run', input.sourceFingerprint)]
    .map((r) => [r.address, r.attributes]));
  const addresses = new Set([...recorded.keys(), ...[...input.live].filter((a) => planned.has(a))]);
  return [...addresses]
    .filter((a) => removalRank(a) >= 0)
    .sort((a, b) => removalRank(a) - removalRank(b) || a.localeCompare(b))
    .map((address) => ({
      address, phase: 'rolled_back' as const, actions: ['delete' as const],
      before: recorded.get(address) ?? planned.get(address) ?? {}, after: null,
      reason: recorded.has(address) ? 'rolling back removes it' : 'rolling back removes it (found on the source, not recorded in state)',
    }));
}

const HOOK_FIRST = 'go_live.rollback runs first; a failure stops the rollback before anything is removed';
const HOOK_AFTER_PROOF = 'go_live.rollback runs once the source has every write; a failure stops the rollback before the source takes writes again';

function hookChange(input: RollbackInput, reason = HOOK_FIRST): Change[] {
  const run = input.plan.go_live?.rollback?.run;
  if (!run || input.state.resources.some((r) => r.address === ROLLBACK_HOOK)) return [];
  return [{
    address: ROLLBACK_HOOK, phase: 'rolled_back', actions: ['create'], before: null, after: { run },
    reason,
  }];
}

/** The steps of a rollback after the write switch, before the hook and the removals, in order. */
const AFTER_SWITCH: readonly { address: string; reason: string }[] = [
  { address: 'destination.read_only', reason: 'the destination\'s classes go read-only first: no write can land there and be lost' },
  { address: 'rollback.drain', reason: 'every write the destination took is drained into the source through reverse' },
  { address: 'source.sequences', reason: 'the source\'s sequences are set past every key' },
  { address: 'rollback.parity', reason: 'parity is proven in the reverse direction before the source takes writes again' },
];

/** From writes_switched on, while reverse capture still records the destination's writes (until
 * retained removes it, once the rollback window has passed). */
function afterSwitch(input: RollbackInput, current: Current): { changes: Change[]; gate: Gate } {
  const address = 'gate.rolled_back';
  const recorded = new Set(input.state.resources.map((r) => r.address));
  if (![...recorded].some((a) => /^class\.[^.]+\.reverse_capture$/.test(a))) {
    return {
      changes: [],
      gate: {
        address, phase: 'rolled_back', status: 'blocked',
        reasons: [`the rollback window has passed: reverse capture was removed when the migration reached retained, so the destination's writes can no longer be drained back into the source (the migration is at ${current})`],
      },
    };
  }
  const steps: Change[] = AFTER_SWITCH.filter((s) => !recorded.has(s.address)).map((s) => ({
    address: s.address, phase: 'rolled_back', actions: ['create'], before: null, after: {}, reason: s.reason,
  }));
  return { changes: [...steps, ...hookChange(input, HOOK_AFTER_PROOF), ...removals(input)], gate: { address, phase: 'rolled_back', status: 'open', reasons: [] } };
}

export function rollbackStep(input: RollbackInput): { changes: Change[]; gate: Gate } {
  const current: Current = input.state.migration?.phase ?? 'none';
  const address = 'gate.rolled_back';
  if (current === 'rolled_back') {
    return { changes: [], gate: { address, phase: 'rolled_back', status: 'open', reasons: [] } };
  }
  if (pastWriteSwitch(current)) return afterSwitch(input, current);
  const removed = removals(input);
  // nothing of the migration on either side: there is nothing for a hook to undo either
  const changes = removed.length || current !== 'none' ? [...hookChange(input), ...removed] : [];
  return { changes, gate: { address, phase: 'rolled_back', status: 'open', reasons: [] } };
}

/** The gate every other target meets once a migration has been rolled back. */
export function endedGate(input: { plan: Plan; state: StateSnapshot }): Gate {
  const at = input.state.migration?.phaseTimes.rolled_back;
  return {
    address: `gate.${input.plan.target}`, phase: input.plan.target, status: 'blocked',
    reasons: [`migration ${input.plan.name} ended at rolled_back${at ? ` on ${at}` : ''}; its state and event log are kept (to migrate again, start a new migration under another \`name\`)`],
  };
}
