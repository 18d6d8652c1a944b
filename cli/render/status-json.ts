// `cutover status --json`: one versioned document, described by schemas/status-output.schema.json.
// It shares plan --json's pieces (the `plan` block, gates, parity, checks, summary) rather than
// embedding the whole plan: the changes apply would make are listed by address only (`cutover
// plan --json` has their attributes). snake_case keys, optional facts present as null.
import type { StatusReport } from '../../engine/status.js';
import { planJson } from './plan-json.js';
import { scrubDeep } from '../../engine/secrets.js';

export const STATUS_JSON_FORMAT_VERSION = '2.0';

export function statusJson(report: StatusReport): object {
  const r = scrubDeep(report);
  const plan = planJson(r.plan) as Record<string, unknown>;
  return {
    format_version: STATUS_JSON_FORMAT_VERSION,
    plan: plan.plan,
    phase_times: r.phaseTimes,
    pending_changes: r.plan.changes.map((c) => ({ address: c.address, phase: c.phase, actions: c.actions })),
    gates: plan.gates,
    parity: plan.parity,
    checks: plan.checks,
    summary: plan.summary,
    resources: r.resources.map((x) => ({ address: x.address, phase: x.phase, applied_at: x.appliedAt })),
    drift: r.drift,
    dual_run: plan.dual_run,
    events: r.events.map((e) => ({ id: e.id, at: e.at, actor: e.actor, kind: e.kind, address: e.address, outcome: e.outcome, detail: e.detail })),
  };
}
