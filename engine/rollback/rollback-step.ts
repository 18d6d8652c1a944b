// The changes `target: rolled_back` (and `cutover rollback`) makes before the write switch: the
// plan's `rollback` hook first, then every lock and capture object cutover put on the source (and
// the audit tables' guard on the destination), cutover's source schema last. Pure, like buildPlan.
// What was copied into the destination stays: it is not live, and nothing else of it is removed.
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

function hookChange(input: RollbackInput): Change[] {
  const run = input.plan.go_live?.rollback?.run;
  if (!run || input.state.resources.some((r) => r.address === ROLLBACK_HOOK)) return [];
  return [{
    address: ROLLBACK_HOOK, phase: 'rolled_back', actions: ['create'], before: null, after: { run },
    reason: 'go_live.rollback runs first; a failure stops the rollback before anything is removed',
  }];
}

export function rollbackStep(input: RollbackInput): { changes: Change[]; gate: Gate } {
  const current: Current = input.state.migration?.phase ?? 'none';
  const address = 'gate.rolled_back';
  if (current === 'rolled_back') {
    return { changes: [], gate: { address, phase: 'rolled_back', status: 'open', reasons: [] } };
  }
  if (pastWriteSwitch(current)) {
    return {
      changes: [],
      gate: {
        address, phase: 'rolled_back', status: 'blocked',
        reasons: [`rollback after ${WRITE_SWITCH} (reverting the destination's writes into the source) is not yet supported by this version; the migration is at ${current}`],
      },
    };
  }
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
