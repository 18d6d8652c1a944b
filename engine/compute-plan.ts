// `plan` end to end inside the engine: observe both databases, then the pure buildPlan.
import { freezeEnded } from './checks/freeze.js';
import { buildPlan } from './diff/build-plan.js';
import { classOrder } from './diff/class-order.js';
import { measuredRate, writeWindows } from './diff/write-windows.js';
import { findTable } from './introspect/catalog.js';
import type { Plan } from './plan/types.js';
import type { Finding, PlanResult } from './diff/plan-result.js';
import type { MigrationContext } from './migration-context.js';
import { observe, type Observed } from './observe.js';
import { unseenConnections } from './checks/connections.js';
import { stateSchema } from './plan/defaults.js';
import { otherStateHolder } from './state/state-lock.js';

export interface ComputedPlan {
  result: PlanResult;
  observed: Observed;
}

function classBytes(plan: Plan, observed: Observed): number {
  return Object.values(plan.classes).reduce((n, c) => n + (findTable(observed.source, c.source.table)?.bytes ?? 0), 0);
}

export async function computePlan(ctx: MigrationContext, options: { refresh: boolean; reuseDataFindings?: Finding[] }): Promise<ComputedPlan> {
  // read before observing: a command holding the lock meanwhile may leave what is read mid-way
  const holder = await otherStateHolder(ctx.destination.client, stateSchema(ctx.plan), ctx.plan.name, ctx.destination.pid);
  const observed = await observe({
    plan: ctx.plan, planFingerprint: ctx.planFingerprint, source: ctx.source.client, destination: ctx.destination.client,
    locate: ctx.valid.locate, refresh: options.refresh, reuseDataFindings: options.reuseDataFindings,
  });
  const now = await ctx.clock.now();
  const result = buildPlan({
    plan: ctx.plan,
    planFingerprint: ctx.planFingerprint,
    sourceFingerprint: observed.sourceFingerprint.hash,
    state: observed.state,
    now,
    findings: [...observed.findings, ...freezeEnded(ctx.plan, observed.state.migration?.phase ?? 'none', now, ctx.valid.locate)],
    drift: observed.drift,
    privileges: { canCreateEventTrigger: observed.source.server.canCreateEventTrigger },
    windows: writeWindows(ctx.plan, observed.state.migration?.phase ?? 'none', classBytes(ctx.plan, observed), measuredRate(observed.copies)),
    missingLive: observed.missingLive,
    classOrder: classOrder(ctx.plan, observed.destination),
    parity: observed.parity,
    checks: observed.checks,
    locate: ctx.valid.locate,
  });
  const drift = { source: observed.drift, connections: unseenConnections(observed.state.migration?.sourceConnections, observed.connections) };
  const stateLock = holder && { user: holder.holder, host: holder.host, pid: holder.pid, backendPid: holder.backendPid, command: holder.command, since: holder.since };
  return { result: { ...result, drift, stateLock }, observed };
}
