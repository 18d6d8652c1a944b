// Where a migration stands in the forward phases, and what comes before and after. `none` (not
// started) and `rolled_back` (ended from any phase) are no forward phase: both rank below every
// phase, so neither has reached, nor is past, any of them.
import { PHASES, TARGETS, type Phase, type Target } from '../plan/types.js';

export { PHASES, TARGETS, type Phase, type Target };

/** Any phase a migration can be in, forward or not. */
export type PhaseOrState = Target | 'none';

export function isPhase(value: string): value is Phase {
  return (PHASES as readonly string[]).includes(value);
}

/** Position among the forward phases; -1 for `none`, `rolled_back` and anything else. */
export function rank(phase: string): number {
  return (PHASES as readonly string[]).indexOf(phase);
}

/** True when `current` is `phase` or a forward phase beyond it. */
export function reached(current: PhaseOrState, phase: Phase): boolean {
  return rank(current) >= rank(phase);
}

/** True when `current` is a forward phase strictly beyond `phase`. */
export function isPast(current: PhaseOrState, phase: Phase): boolean {
  return rank(current) > rank(phase);
}

/** The phase apply moves into from `current`: `locked` to start, none after `closed` or a rollback. */
export function next(current: PhaseOrState): Phase | undefined {
  if (current === 'none') return 'locked';
  if (current === 'rolled_back') return undefined;
  return PHASES[rank(current) + 1];
}

/** The forward phase just before `phase`; none before `locked`. */
export function previous(phase: Phase): Phase | undefined {
  return PHASES[rank(phase) - 1];
}

/** The forward phases from the first up to and including `last`. */
export function through(last: Phase): Phase[] {
  return PHASES.slice(0, rank(last) + 1);
}
