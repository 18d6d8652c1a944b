// What one phase declares: the resources it adds to (and removes from) those of the phases before
// it, the gate apply must pass to move into it, and what of that gate waits for an earlier phase
// of the same apply. Adding a phase is one such module in the registry, plus its apply steps.
import type { Phase, Plan } from '../plan/types.js';
import type { GateInput, Timed } from './gate-input.js';

export interface Resource {
  address: string;
  /** the phase that creates it */
  phase: Phase;
  attributes: Record<string, unknown>;
  /** a change of these attributes needs destroy-and-create rather than an update in place */
  replaceOn?: string[];
  /** plan path that asked for it, for positions */
  path?: (string | number)[];
}

export interface ResourceContext {
  plan: Plan;
  sourceFingerprint: string;
  /** class names, parents first */
  order: readonly string[];
}

/** Why the gate is closed now, and the windows that must elapse first (reported after the reasons). */
export interface GateVerdict {
  reasons: string[];
  timed?: Timed[];
}

export interface PhaseModule {
  phase: Phase;
  /** what this phase puts there, after what it removes of the earlier phases' resources */
  adds(ctx: ResourceContext): Resource[];
  /** an earlier phase's resource this phase takes away */
  removes?(resource: Resource): boolean;
  gate(input: GateInput): GateVerdict;
  /** what the gate checks once the phase before has run, when that has not happened yet */
  deferred?: string;
  /** addresses of this phase whose objects on the source can be observed (others are trusted to state) */
  observes?(address: string): boolean;
}
