// `plan` end to end inside the engine: observe both databases, then the pure buildPlan.
import { freezeEnded } from './checks/freeze.js';
import { buildPlan } from './diff/build-plan.js';
import { classOrder } from './diff/class-order.js';
import { measuredRate, writeWindows } from './diff/write-windows.js';
import { findTable } from './introspect/catalog.js';
import type { Phase, Plan } from './plan/types.js';
import { phaseProof, type Proof } from './diff/proof.js';
import { judgeResults } from './diff/results.js';
import type { Finding, PlanResult } from './diff/plan-result.js';
import type { MigrationContext } from './migration-context.js';
import { observe, type Observed } from './observe.js';
import { unseenConnections } from './checks/connections.js';
import { stateSchema } from './plan/defaults.js';
import { otherStateHolder } from './state/state-lock.js';
import { reached } from './phases/phase-order.js';
import { afterSwitchFindings, dualRunFindings } from './diff/dual-run-findings.js';

export interface ComputedPlan {
  result: PlanResult;
  observed: Observed;
  /** what stands between a phase's changes and the phase being reached, judged on this plan's results */
  proof(phase: Phase): Proof;
}

function classBytes(plan: Plan, observed: Observed): number {
  return Object.values(plan.classes).reduce((n, c) => n + (findTable(observed.source, c.source.table)?.bytes ?? 0), 0);
}

export async function computePlan(ctx: MigrationContext, options: { refresh: boolean; reuseDataFindings?: Finding[] }): Promise<ComputedPlan> {
  // read before observing: a command holding the lock meanwhile may leave what is read mid-way
  const holder = await otherStateHolder(ctx.destination.client, stateSchema(ctx.plan), ctx.plan.name, ctx.destination.pid);
  const now = await ctx.clock.now();
  const observed = await observe({
    plan: ctx.plan, planFingerprint: ctx.planFingerprint, source: ctx.source.client, destination: ctx.destination.client,
    locate: ctx.valid.locate, refresh: options.refresh, reuseDataFindings: options.reuseDataFindings, now,
  });
  // a result that judged other rows than the table holds now is not a result any more
  const settled = reached(observed.state.migration?.phase ?? 'none', 'dual_run');
  const live = reached(observed.state.migration?.phase ?? 'none', 'writes_switched');
  const results = judgeResults({
    parity: observed.parity, checks: observed.checks, copies: observed.copies, tables: observed.tables, gaps: observed.gaps, pending: observed.pending, settled,
  });
  const findings = [...observed.findings, ...freezeEnded(ctx.plan, observed.state.migration?.phase ?? 'none', now, ctx.valid.locate)];
  const result = buildPlan({
    plan: ctx.plan,
    planFingerprint: ctx.planFingerprint,
    sourceFingerprint: observed.sourceFingerprint.hash,
    state: observed.state,
    now,
    findings: live ? afterSwitchFindings(findings) : settled ? dualRunFindings(ctx.plan, findings, observed.tables) : findings,
    drift: observed.drift,
    privileges: { canCreateEventTrigger: observed.source.server.canCreateEventTrigger },
    windows: writeWindows(ctx.plan, observed.state.migration?.phase ?? 'none', classBytes(ctx.plan, observed), measuredRate(observed.copies)),
    missingLive: observed.missingLive,
    live: observed.live,
    classOrder: classOrder(ctx.plan, observed.destination),
    parity: results.parity,
    checks: results.checks,
    stale: results.stale,
    tables: observed.tables,
    locate: ctx.valid.locate,
    ...(observed.dualRun ? { dualRun: observed.dualRun } : {}),
  });
  const drift = { source: observed.drift, connections: unseenConnections(observed.state.migration?.sourceConnections, observed.connections) };
  const stateLock = holder && { user: holder.holder, host: holder.host, pid: holder.pid, backendPid: holder.backendPid, command: holder.command, since: holder.since };
  return { result: { ...result, drift, stateLock }, observed, proof: (phase) => phaseProof({ plan: ctx.plan, ...results }, phase) };
}
