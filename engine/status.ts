// What `status` shows: where the migration stands, what its gates say, the event log tail.
import { computePlan } from './compute-plan.js';
import type { PlanResult } from './diff/plan-result.js';
import type { MigrationContext } from './migration-context.js';
import { eventTail, type EventRow } from './state/state-store.js';
import { stateSchema } from './plan/defaults.js';

export interface StatusReport {
  name: string;
  target: string;
  phase: string;
  phaseTimes: Record<string, string>;
  now: string;
  plan: PlanResult;
  resources: { address: string; phase: string; appliedAt: string }[];
  drift: string[];
  events: EventRow[];
}

export async function status(ctx: MigrationContext, eventCount = 10): Promise<StatusReport> {
  const { result, observed } = await computePlan(ctx, { refresh: false });
  const schema = stateSchema(ctx.plan);
  return {
    name: ctx.plan.name,
    target: ctx.plan.target,
    phase: result.phase,
    phaseTimes: observed.state.migration?.phaseTimes ?? {},
    now: result.now,
    plan: result,
    resources: observed.state.resources.map((r) => ({ address: r.address, phase: r.phase, appliedAt: r.appliedAt })),
    drift: observed.drift,
    events: await eventTail(ctx.destination.client, schema, ctx.plan.name, eventCount),
  };
}
