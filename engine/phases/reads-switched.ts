// Phase 4, reads_switched: the plan's switch_reads hook. Its gate: the dual-run window has
// passed, retention is agreed, and rollback has been rehearsed.
import { elapsed, type GateInput } from './gate-input.js';
import type { GateVerdict, PhaseModule, ResourceContext } from './phase-module.js';
import { hook } from './resource-parts.js';

function gate(input: GateInput): GateVerdict {
  const reasons: string[] = [];
  if (!input.plan.retention?.agreed_by) reasons.push('retention is not agreed (retention.agreed_by, agreed_on)');
  reasons.push('rollback has not been rehearsed for this plan (`cutover rehearse`, which this version does not have yet)');
  return { reasons, timed: [elapsed(input, 'dual_run', input.plan.dual_run?.window, 'the dual-run window')] };
}

export const readsSwitched: PhaseModule = {
  phase: 'reads_switched',
  adds: ({ plan }: ResourceContext) => [hook('switch_reads', plan, 'reads_switched')],
  gate,
  deferred: 'checked once dual-run has run for its window',
};
