// Phase 6, retained: reverse capture ends, since the way back has closed. Its gate: the rollback
// window has passed since the write switch.
import { elapsed } from './gate-input.js';
import type { PhaseModule } from './phase-module.js';

export const retained: PhaseModule = {
  phase: 'retained',
  removes: (r) => r.address.endsWith('.reverse_capture'),
  adds: () => [],
  gate: (input) => ({ reasons: [], timed: [elapsed(input, 'writes_switched', input.plan.go_live?.rollback_window, 'the rollback window')] }),
  deferred: 'checked once the rollback window has passed',
};
