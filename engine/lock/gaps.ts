// What the source's locks let through without cutover knowing: gaps (the data lock or a class's
// capture found missing or disabled, so what was written meanwhile is unknown) and captured changes
// that wait to be replayed. Either makes a class's results stale (judgeResults).
import type { CopyProgress } from '../copy/copy-progress.js';
import type { QueryRunner } from '../db/query-runner.js';
import { quoteIdent, quoteLiteral } from '../db/sql-identifiers.js';
import type { LockGap } from '../diff/results.js';
import { dataLockMode, stateSchema } from '../plan/defaults.js';
import type { Plan } from '../plan/types.js';
import type { StateSnapshot } from '../state/state-store.js';
import { names } from './object-names.js';

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
 * Per class, the captured source changes beyond its recorded position (the last replay, else the
 * copy snapshot), counted on the source's capture table: in freeze mode, writes the rule allows
 * wait there until a parity replays them.
 */
export async function pendingCaptures(
  source: QueryRunner, destination: QueryRunner, plan: Plan, state: StateSnapshot, copies: readonly CopyProgress[],
): Promise<Map<string, number>> {
  if (dataLockMode(plan) !== 'freeze' || !state.exists) return new Map();
  const schema = stateSchema(plan);
  const captured = new Set(state.resources.map((r) => r.address));
  const { rows: positions } = await destination.query<{ class: string; snapshot: string }>(
    `SELECT class, snapshot FROM ${quoteIdent(schema)}.capture_positions WHERE migration = $1`, [plan.name]);
  const classes = copies.filter((c) => c.done && captured.has(`class.${c.class}.capture`)).flatMap((c) => {
    const position = positions.find((p) => p.class === c.class)?.snapshot ?? c.snapshot;
    return position ? [{ cls: c.class, position, table: names.captureTable(plan.name, c.class) }] : [];
  });
  if (classes.length === 0) return new Map();
  const { rows: present } = await source.query<{ t: string }>(
    `SELECT c.relname::text AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = ANY($2)`,
    [schema, classes.map((c) => c.table)]);
  const there = classes.filter((c) => present.some((p) => p.t === c.table));
  if (there.length === 0) return new Map();
  const sql = there.map((c, i) =>
    `SELECT ${i} AS i, (SELECT count(*) FROM ${quoteIdent(schema)}.${quoteIdent(c.table)} WHERE NOT pg_visible_in_snapshot(xid, ${quoteLiteral(c.position)}::pg_snapshot))::bigint AS n`,
  ).join(' UNION ALL ');
  const { rows } = await source.query<{ i: number; n: string }>(sql);
  return new Map(rows.map((r) => [there[r.i]!.cls, Number(r.n)]));
}
