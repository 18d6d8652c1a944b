// The migration's clock: the destination server's now(), or — for rehearsals, tests and the demo,
// with `clock: simulated` — a time given with --now / CUTOVER_NOW.
import type { QueryRunner } from './db/query-runner.js';
import { Failure } from './failure.js';
import type { Plan } from './plan/types.js';

export interface Clock {
  kind: 'real' | 'simulated';
  now(): Promise<Date>;
}

export function parseNow(text: string): Date {
  const d = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(d.getTime())) {
    throw new Failure('clock.bad-now', `--now ${text} is not an ISO 8601 time`, 'write e.g. --now 2026-12-03T14:00:00Z');
  }
  return d;
}

export function makeClock(plan: Plan, destination: QueryRunner, nowText: string | undefined, recordedKind?: 'real' | 'simulated'): Clock {
  const kind = plan.clock ?? 'real';
  if (recordedKind && recordedKind !== kind) {
    throw new Failure('clock.kind-changed', `this migration's state was created with a ${recordedKind} clock; the plan now says ${kind}`,
      'a migration keeps the clock it started with; set `clock` back');
  }
  if (nowText !== undefined && kind !== 'simulated') {
    throw new Failure('clock.now-refused', '--now (or CUTOVER_NOW) is only accepted with `clock: simulated`',
      'a real migration runs on the destination server\'s clock');
  }
  const fixed = nowText === undefined ? undefined : parseNow(nowText);
  return {
    kind,
    async now() {
      if (fixed) return fixed;
      const { rows } = await destination.query<{ now: Date }>('SELECT now() AS now');
      return rows[0]!.now;
    },
  };
}
