// Phase 5, writes_switched: the source read-only, the destination's sequences advanced, reverse
// capture of every class, and the plan's switch_writes hook. Its gate: the tail window has passed.
import { elapsed } from './gate-input.js';
import type { PhaseModule, Resource, ResourceContext } from './phase-module.js';
import { classes, hook } from './resource-parts.js';

function adds({ plan }: ResourceContext): Resource[] {
  return [
    { address: 'source.read_only', phase: 'writes_switched', attributes: { tables: classes(plan).map(([, c]) => c.source.table) } },
    { address: 'destination.sequences', phase: 'writes_switched', attributes: {} },
    ...classes(plan).map(([name, cls]): Resource => ({
      address: `class.${name}.reverse_capture`, phase: 'writes_switched', attributes: { table: cls.destination.table }, path: ['classes', name],
    })),
    hook('switch_writes', plan, 'writes_switched'),
  ];
}

export const writesSwitched: PhaseModule = {
  phase: 'writes_switched',
  adds,
  gate: (input) => ({ reasons: [], timed: [elapsed(input, 'reads_switched', input.plan.go_live?.tail_window, 'the tail window')] }),
  deferred: 'checked once reads have been switched for the tail window',
};
