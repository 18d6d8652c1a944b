// `plan` end to end inside the engine: observe both databases, then the pure buildPlan.
import { buildPlan } from './diff/build-plan.js';
import { classOrder } from './diff/class-order.js';
import type { PlanResult } from './diff/plan-result.js';
import type { MigrationContext } from './migration-context.js';
import { observe, type Observed } from './observe.js';

export interface ComputedPlan {
  result: PlanResult;
  observed: Observed;
}

export async function computePlan(ctx: MigrationContext, options: { refresh: boolean }): Promise<ComputedPlan> {
  const observed = await observe({
    plan: ctx.plan, planFingerprint: ctx.planFingerprint, source: ctx.source.client, destination: ctx.destination.client,
    locate: ctx.valid.locate, refresh: options.refresh,
  });
  const now = await ctx.clock.now();
  const result = buildPlan({
    plan: ctx.plan,
    planFingerprint: ctx.planFingerprint,
    sourceFingerprint: observed.sourceFingerprint.hash,
    state: observed.state,
    now,
    findings: observed.findings,
    drift: observed.drift,
    privileges: { canCreateEventTrigger: observed.source.server.canCreateEventTrigger },
    windows: [],
    missingLive: observed.missingLive,
    classOrder: classOrder(ctx.plan, observed.destination),
    parity: observed.parity,
    locate: ctx.valid.locate,
  });
  return { result, observed };
}
