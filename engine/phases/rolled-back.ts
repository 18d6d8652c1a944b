// rolled_back: not a forward phase but the end of a migration from any of them. Nothing of what
// cutover put on the source stays (what was copied into the destination does, it is not live);
// engine/rollback/rollback-step.ts plans the removal in this order.
import type { Phase } from '../plan/types.js';

/** Removal order: capture and the data lock before the DDL locks, the support schema (which
 * holds the functions the locks call) last. */
export const REMOVAL_ORDER: readonly RegExp[] = [
  // after the write switch: the destination's reverse capture, then the source opened for writes
  /^class\.[^.]+\.reverse_capture$/,
  /^source\.read_only$/,
  /^class\.[^.]+\.capture$/,
  /^lock\.data$/,
  /^lock\.integrations$/,
  /^lock\.schema$/,
  /^class\.[^.]+\.audit_guard$/,
  /^source\.support$/,
];

/** The first phase whose rollback reverts the destination's writes into the source. */
export const WRITE_SWITCH: Phase = 'writes_switched';
