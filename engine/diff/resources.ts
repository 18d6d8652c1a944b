// The resources a migration should have once it has reached each phase. Phases are cumulative:
// what `locked` installs stays until a later phase removes it. Addresses are stable strings that
// state, output and apply all use. Each phase's share is declared by its module in engine/phases/.
import type { Phase, Plan } from '../plan/types.js';
import type { Resource } from '../phases/phase-module.js';
import { modulesThrough } from '../phases/registry.js';

export type { Resource };

/** Everything that should exist once `phase` is reached: each phase's additions folded onto
 * what the phases before it left. */
export function resourcesAt(plan: Plan, phase: Phase, sourceFingerprint: string, order: readonly string[] = Object.keys(plan.classes)): Resource[] {
  const ctx = { plan, sourceFingerprint, order };
  return modulesThrough(phase).reduce<Resource[]>(
    (out, m) => [...(m.removes ? out.filter((r) => !m.removes!(r)) : out), ...m.adds(ctx)], []);
}
