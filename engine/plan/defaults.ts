// The plan's defaults, written once: every part of cutover asks here rather than repeating them.
import type { Plan } from './types.js';

/** where cutover keeps its state (destination) and its own objects (source) */
export function stateSchema(plan: Plan): string {
  return plan.state?.schema ?? 'cutover';
}

export function dataLockMode(plan: Plan): 'pause' | 'freeze' {
  return plan.lock?.data?.mode ?? 'pause';
}

export function enforcesSchemaLock(plan: Plan): boolean {
  return (plan.lock?.schema ?? 'enforce') === 'enforce';
}

export function enforcesIntegrationLock(plan: Plan): boolean {
  return (plan.lock?.integrations ?? 'enforce') === 'enforce';
}

/** how often the mirror compares both sides during dual-run and the tail window */
export function compareEvery(plan: Plan): string {
  return plan.dual_run?.compare_every ?? '1h';
}

/** the mirror lag allowed when reads switch */
export function maxLag(plan: Plan): string {
  return plan.go_live?.max_lag ?? '5s';
}
