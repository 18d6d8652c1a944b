// What the source's locks let through without cutover knowing: gaps (the data lock or a class's
// capture found missing or disabled, so what was written meanwhile is unknown) and captured changes
// that wait to be replayed. Either makes a class's results stale (judgeResults).
import type { CopyProgress } from '../copy/copy-progress.js';
import type { QueryRunner } from '../db/query-runner.js';
import { quoteIdent } from '../db/sql-identifiers.js';
import { pendingByClass, type CaptureBaseline } from '../capture/capture-log.js';
import type { LockGap } from '../diff/results.js';
import { dataLockMode, stateSchema } from '../plan/defaults.js';
import type { Plan } from '../plan/types.js';
import type { StateSnapshot } from '../state/state-store.js';

/** the event apply records, in the step that puts a missing lock back, before it does */
export const LOCK_GAP_EVENT = 'lock-gap';

export function isGapAddress(address: string): boolean {
  return address === 'lock.data' || /^class\.[^.]+\.capture$/.test(address);
}

/** Gaps open now (`missing`) and those apply closed, with when. */
export async function lockGaps(destination: QueryRunner, plan: Plan, state: StateSnapshot, missing: ReadonlySet<string>): Promise<LockGap[]> {
  const open = [...missing].filter(isGapAddress).map((address) => ({ address, at: null }));
  if (!state.exists) return open;
  const { rows } = await destination.query<{ address: string; at: Date }>(
    `SELECT address, max(at) AS at FROM ${quoteIdent(stateSchema(plan))}.events WHERE migration = $1 AND kind = $2 GROUP BY address`,
    [plan.name, LOCK_GAP_EVENT]);
  return [...open, ...rows.map((r) => ({ address: r.address, at: r.at.toISOString() }))];
}

/**
 * Per class, the captured source changes its copy did not see and no drain has applied, counted on
 * the source's capture log: in freeze mode, writes the rule allows wait there until a parity
 * drains them.
 */
export async function pendingCaptures(
  source: QueryRunner, plan: Plan, state: StateSnapshot, copies: readonly CopyProgress[],
): Promise<Map<string, number>> {
  if (dataLockMode(plan) !== 'freeze' || !state.exists) return new Map();
  return pendingByClass(source, stateSchema(plan), plan.name, captureBaselines(state, copies));
}

/** Each class whose copy finished and whose capture state records, with the snapshot its copy
 * read: what the capture log is read against. */
export function captureBaselines(state: StateSnapshot, copies: readonly CopyProgress[]): CaptureBaseline[] {
  const captured = new Set(state.resources.map((r) => r.address));
  return copies.flatMap((c) => c.done && c.snapshot && captured.has(`class.${c.class}.capture`) ? [{ cls: c.class, copySnapshot: c.snapshot }] : []);
}
