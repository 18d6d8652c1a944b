// Phase 7, closed: capture and the mirror end, and the close-out report is made. Its gate: the
// read-only retention period has passed since the write switch.
import { elapsed } from './gate-input.js';
import type { PhaseModule } from './phase-module.js';

export const closed: PhaseModule = {
  phase: 'closed',
  removes: (r) => r.address.endsWith('.capture') || r.address === 'mirror.position',
  adds: () => [{ address: 'report.closeout', phase: 'closed', attributes: {} }],
  gate: (input) => ({ reasons: [], timed: [elapsed(input, 'writes_switched', input.plan.retention?.read_only_for, 'the read-only retention period')] }),
  deferred: 'checked once the retention period has passed',
};
