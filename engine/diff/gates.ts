// Gates: what must hold before apply may move into a phase. Each gate is evaluated from what is
// known now; one whose inputs are produced by an earlier phase of the same apply is `deferred`
// and names what apply will check. Each phase's gate is declared by its module in engine/phases/.
import type { Phase } from '../plan/types.js';
import type { StateSnapshot } from '../state/state-store.js';
import type { Gate } from './plan-result.js';
import { findingGate } from './finding-gate.js';
import { previous, reached } from '../phases/phase-order.js';
import { phaseModule } from '../phases/registry.js';
import { findingReasons, findingsClosing, type GateInput } from '../phases/gate-input.js';

export { findingGate, findingReasons, findingsClosing, type GateInput };

function phaseReached(state: StateSnapshot, phase: Phase): boolean {
  const current = state.migration?.phase ?? 'none';
  return reached(current, phase);
}

/** The gate into `phase`. `before` is the phase apply will have reached just before it. */
export function evaluateGate(input: GateInput, phase: Phase): Gate {
  const module = phaseModule(phase);
  const before = previous(phase);
  const address = `gate.${phase}`;
  if (before && !phaseReached(input.state, before) && module.deferred) {
    // what an earlier phase produces is judged once it has run; findings are known already
    const known = findingReasons(input, phase);
    if (known.length) return { address, phase, status: 'blocked', reasons: known };
    return { address, phase, status: 'deferred', reasons: [module.deferred] };
  }
  const verdict = module.gate(input);
  const timed = verdict.timed ?? [];
  const reasons = [...verdict.reasons];
  for (const t of timed) if (t.reason) reasons.push(t.reason);
  const opensAt = timed.map((t) => t.opensAt).filter((x): x is string => !!x).sort().pop();
  return { address, phase, status: reasons.length ? 'blocked' : 'open', reasons, ...(opensAt ? { opensAt } : {}) };
}
