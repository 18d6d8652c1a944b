// The forward phases as modules, in the order apply reaches them (the order of PHASES).
import type { Phase } from '../plan/types.js';
import { rank } from './phase-order.js';
import type { PhaseModule } from './phase-module.js';
import { locked } from './locked.js';
import { roundTripped } from './round-tripped.js';
import { dualRun } from './dual-run.js';
import { readsSwitched } from './reads-switched.js';
import { writesSwitched } from './writes-switched.js';
import { retained } from './retained.js';
import { closed } from './closed.js';

export const REGISTRY: readonly PhaseModule[] = [locked, roundTripped, dualRun, readsSwitched, writesSwitched, retained, closed];

export function phaseModule(phase: Phase): PhaseModule {
  return REGISTRY[rank(phase)]!;
}

/** The modules of the phases from the first up to and including `last`. */
export function modulesThrough(last: Phase): readonly PhaseModule[] {
  return REGISTRY.slice(0, rank(last) + 1);
}
