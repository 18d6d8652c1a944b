// What observe reads for a migration in dual-run or later: the mirror's heartbeat, the capture
// log's lag and backlog on the source, the open parked changes, every compare since dual-run began
// the compare each resolution names, and the latest rollback rehearsal of this plan. Nothing is read before dual-run: the gate keeps its
// earlier reasons then.
import { oldestPendingAge, pendingByClass } from './capture/capture-log.js';
import type { CopyProgress } from './copy/copy-progress.js';
import type { QueryRunner } from './db/query-runner.js';
import { captureBaselines } from './lock/gaps.js';
import { stateSchema } from './plan/defaults.js';
import type { Plan } from './plan/types.js';
import { PARKED_SHOWN, type DualRunRecord, type ResolutionTarget } from './phases/dual-run-record.js';
import { reached } from './phases/phase-order.js';
import { compareAt, compareOutcomesSince } from './state/compare-history.js';
import { readMirrorStatus } from './state/mirror-status.js';
import { countOpenParked, listParked } from './state/parked-changes.js';
import type { StateSnapshot } from './state/state-store.js';
import { rehearsalFor } from './state/rehearsals.js';

async function resolutionTargets(db: QueryRunner, schema: string, plan: Plan): Promise<ResolutionTarget[]> {
  return Promise.all((plan.dual_run?.resolutions ?? []).map(async (r) => {
    const at = new Date(r.compare);
    const named = Number.isNaN(at.getTime()) ? null : await compareAt(db, schema, plan.name, at);
    return { compare: r.compare, class: r.class, names: named?.run.at ?? null };
  }));
}

export async function observeDualRun(
  source: QueryRunner, destination: QueryRunner, plan: Plan, planFingerprint: string, state: StateSnapshot, copies: readonly CopyProgress[],
): Promise<DualRunRecord | undefined> {
  const phase = state.migration?.phase ?? 'none';
  const start = state.migration?.phaseTimes.dual_run;
  if (!state.exists || !start || !reached(phase, 'dual_run')) return undefined;
  const schema = stateSchema(plan);
  const baselines = captureBaselines(state, copies);
  const pending = await pendingByClass(source, schema, plan.name, baselines);
  const parkedCount = await countOpenParked(destination, schema, plan.name);
  const rehearsed = await rehearsalFor(destination, schema, plan.name, planFingerprint, 'rollback');
  return {
    mirror: (await readMirrorStatus(destination, schema, plan.name)) ?? null,
    lagSeconds: await oldestPendingAge(source, schema, plan.name, baselines),
    pending: [...pending.values()].reduce((a, b) => a + b, 0),
    parked: { count: parkedCount, first: parkedCount ? (await listParked(destination, schema, plan.name)).slice(0, PARKED_SHOWN) : [] },
    compares: await compareOutcomesSince(destination, schema, plan.name, new Date(start)),
    resolutions: await resolutionTargets(destination, schema, plan),
    rehearsal: rehearsed && { passed: rehearsed.passed, finishedAt: rehearsed.finishedAt },
  };
}
