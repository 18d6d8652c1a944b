// `cutover plan --json`: one versioned document, described by schemas/plan-output.schema.json.
// Keys are snake_case and every optional fact is present as null rather than missing, so scripts
// can rely on the shape; the version changes when that shape does.
import type { Change, CheckResult, Finding, Gate, ParityResult, PlanResult, StateLockHolder, WriteWindow } from '../../engine/diff/plan-result.js';
import { scrubDeep } from '../../engine/secrets.js';
import type { DualRunView } from '../../engine/phases/dual-run-record.js';

export const PLAN_JSON_FORMAT_VERSION = '1.1';

export function planJson(result: PlanResult): object {
  const r = scrubDeep(result);
  return {
    format_version: PLAN_JSON_FORMAT_VERSION,
    plan: {
      name: r.name,
      target: r.target,
      phase: r.phase,
      now: r.now,
      plan_fingerprint: r.planFingerprint,
      source_fingerprint: r.sourceFingerprint,
    },
    resource_changes: r.changes.map(changeJson),
    gates: r.gates.map(gateJson),
    preflight: r.findings.map(findingJson),
    parity: r.parity.map(parityJson),
    checks: (r.checks ?? []).map(checkJson),
    windows: r.windows.map(windowJson),
    drift: { source_changes: r.drift?.source ?? [], new_connections: r.drift?.connections ?? [] },
    state_lock: r.stateLock ? stateLockJson(r.stateLock) : null,
    dual_run: r.dualRun ? dualRunJson(r.dualRun) : null,
    summary: {
      add: r.summary.add,
      change: r.summary.change,
      destroy: r.summary.destroy,
      gates_blocked: r.summary.gatesBlocked,
      data_problems: r.summary.dataProblems,
    },
  };
}

function changeJson(c: Change): object {
  return {
    address: c.address,
    phase: c.phase,
    actions: c.actions,
    before: c.before,
    after: c.after,
    reason: c.reason,
    line: c.line ?? null,
  };
}

function gateJson(g: Gate): object {
  return { address: g.address, phase: g.phase, status: g.status, reasons: g.reasons, opens_at: g.opensAt ?? null };
}

function findingJson(f: Finding): object {
  return {
    class: f.class,
    column: f.column ?? null,
    kind: f.kind,
    severity: f.severity,
    message: f.message,
    count: f.count ?? null,
    share: f.share ?? null,
    sample_keys: f.sampleKeys ?? [],
    line: f.line ?? null,
    col: f.col ?? null,
  };
}

function parityJson(p: ParityResult): object {
  return {
    class: p.class,
    passed: p.passed,
    checked_at: p.checkedAt,
    source_rows: p.sourceRows,
    destination_rows: p.destinationRows,
    excluded_rows: p.excludedRows,
    differences: p.differences.map((d) => ({
      kind: d.kind,
      count: d.count,
      sample_keys: d.sampleKeys,
      columns: d.columns ?? null,
      detail: d.detail ?? null,
    })),
  };
}

function checkJson(c: CheckResult): object {
  return {
    class: c.class,
    kind: c.kind,
    passed: c.passed,
    checked_at: c.checkedAt,
    summary: c.summary,
    problems: c.problems.map((p) => ({ kind: p.kind, count: p.count, samples: p.samples.slice(0, 20), detail: p.detail ?? null })),
  };
}

function stateLockJson(h: StateLockHolder): object {
  return { command: h.command, user: h.user, host: h.host, pid: h.pid, backend_pid: h.backendPid, since: h.since };
}

function windowJson(w: WriteWindow): object {
  return { phase: w.phase, reason: w.reason, estimated_seconds: w.estimatedSeconds, basis: w.basis };
}

export function dualRunJson(d: DualRunView): object {
  const m = d.mirror;
  return {
    mirror: m && {
      running: m.running, host: m.host, pid: m.pid, started_at: m.startedAt, beat_at: m.beatAt, beat_age_seconds: m.ageSeconds,
      stopped_at: m.stoppedAt, applied: m.applied, rate: m.rate, lag_seconds: m.lagSeconds, pending: m.pending,
    },
    mirror_expected: d.mirrorExpected,
    lag_seconds: d.lagSeconds,
    pending: d.pending,
    parked: {
      count: d.parked.count,
      first: d.parked.first.map((p) => ({ class: p.class, key: p.key, op: p.op, message: p.message, first_seen: p.firstSeen, attempts: p.attempts })),
    },
    compares: {
      count: d.compareCount,
      failed: d.failedCount,
      latest: d.compares.map((k) => ({ at: k.at, clean: k.clean, differing: k.differing.map((x) => ({ class: x.class, keys: x.count })) })),
    },
  };
}
