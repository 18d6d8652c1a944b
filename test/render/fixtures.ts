// Hand-built PlanResults for the renderer tests: each builder gives a plausible default and takes
// overrides, and the summary is computed the way the engine computes it unless a test pins it.
import type { Change, Finding, Gate, ParityResult, PlanResult, WriteWindow } from '../../engine/diff/plan-result.js';
import { blocksLater, summarise } from '../../engine/diff/plan-result.js';

export function planResult(overrides: Partial<PlanResult> = {}): PlanResult {
  const base: Omit<PlanResult, 'summary'> = {
    format_version: '1',
    name: 'chinook-to-storefront',
    target: 'round_tripped',
    phase: 'none',
    now: '2026-12-01T09:00:00.000Z',
    planFingerprint: 'p1a2b3c4d5e6f7a8b9c0',
    sourceFingerprint: 's0f9e8d7c6b5a4f3e2d1',
    changes: [],
    gates: [],
    findings: [],
    parity: [],
    windows: [],
    ...overrides,
  };
  // as buildPlan counts: errors that close a gate beyond the target are not data problems
  const counted = base.findings.filter((f) => !blocksLater(f, base.target));
  return { ...base, summary: overrides.summary ?? summarise(base.changes, base.gates, counted) };
}

export function create(address: string, after: Record<string, unknown> = {}, overrides: Partial<Change> = {}): Change {
  return { address, phase: 'locked', actions: ['create'], before: null, after, reason: 'it does not exist yet', ...overrides };
}

export function update(address: string, before: Record<string, unknown>, after: Record<string, unknown>, overrides: Partial<Change> = {}): Change {
  return { address, phase: 'round_tripped', actions: ['update'], before, after, reason: 'the plan changed', ...overrides };
}

export function destroy(address: string, before: Record<string, unknown> = {}, overrides: Partial<Change> = {}): Change {
  return { address, phase: 'locked', actions: ['delete'], before, after: null, reason: 'no longer in the plan', ...overrides };
}

export function replace(address: string, before: Record<string, unknown>, after: Record<string, unknown>, overrides: Partial<Change> = {}): Change {
  return { address, phase: 'round_tripped', actions: ['delete', 'create'], before, after, reason: 'the key changed', ...overrides };
}

export function gate(phase: Gate['phase'], status: Gate['status'], reasons: string[] = [], overrides: Partial<Gate> = {}): Gate {
  return { address: `gate.${phase}`, phase, status, reasons, ...overrides };
}

export function finding(cls: string, severity: Finding['severity'] = 'error', overrides: Partial<Finding> = {}): Finding {
  return {
    class: cls,
    column: 'customer_id',
    kind: 'null-into-not-null',
    severity,
    message: 'NULL would go into NOT NULL column customer_id',
    count: 12,
    share: 0.003,
    sampleKeys: [[1001], [1002], [1003]],
    line: 42,
    col: 7,
    ...overrides,
  };
}

export function parity(cls: string, passed = true, overrides: Partial<ParityResult> = {}): ParityResult {
  return {
    class: cls,
    passed,
    checkedAt: '2026-12-01T08:30:00.000Z',
    sourceRows: 412,
    destinationRows: passed ? 412 : 410,
    excludedRows: 0,
    differences: passed ? [] : [{ kind: 'missing', count: 2, sampleKeys: [[98], [99]] }],
    ...overrides,
  };
}

export function window(overrides: Partial<WriteWindow> = {}): WriteWindow {
  return {
    phase: 'writes_switched',
    reason: 'the source is read-only while the mirror drains and the final compare runs',
    estimatedSeconds: 240,
    basis: '1,200,000 rows at 5,000 rows/s measured during the copy',
    ...overrides,
  };
}

/** A plan touching many classes at once, to push the Markdown renderer past its size limit. */
export function bigPlan(classes: number): PlanResult {
  const names = Array.from({ length: classes }, (_, i) => `class_${String(i).padStart(3, '0')}`);
  return planResult({
    phase: 'locked',
    changes: names.flatMap((n) => [
      create(`class.${n}.copy`, { table: `storefront.${n}`, rows: 10_000, key: ['id'] }, { phase: 'round_tripped' }),
      update(`class.${n}.capture`, { columns: ['id', 'total'] }, { columns: ['id', 'total', 'currency'] }),
    ]),
    gates: [gate('round_tripped', 'blocked', ['preflight found data problems']), gate('dual_run', 'deferred', ['every class passes parity'])],
    findings: names.flatMap((n) => [
      finding(n, 'error', { sampleKeys: [[1], [2], [3], [4], [5]] }),
      finding(n, 'warning', { kind: 'timezone-differs', column: undefined, count: undefined, share: undefined, sampleKeys: undefined, message: 'the source TimeZone is UTC, not America/New_York' }),
    ]),
    parity: names.map((n, i) =>
      parity(n, i % 2 === 0, {
        differences: [{ kind: 'changed', count: 20, columns: ['total'], sampleKeys: Array.from({ length: 20 }, (_, k) => [k, `key-${k}`]) }],
      }),
    ),
  });
}
