// The pure core: plan + observed state → changes and gates, without a database.
import { describe, expect, it } from 'vitest';
import { buildPlan, type BuildInput } from '../../engine/diff/build-plan.js';
import { resourcesAt } from '../../engine/diff/resources.js';
import type { Plan } from '../../engine/plan/types.js';
import type { StateSnapshot } from '../../engine/state/state-store.js';

const plan: Plan = {
  version: 1,
  name: 'shop',
  target: 'locked',
  source: { url: 'embedded:src', schemas: ['public'] },
  destination: { url: 'embedded:dst' },
  lock: { data: { mode: 'pause' } },
  classes: {
    customers: { source: { table: 'customer', key: ['id'] }, destination: { table: 'app.customers', key: ['id'] }, columns: { id: 'id', email: 'lower(email)' } },
    orders: { source: { table: 'orders', key: ['id'] }, destination: { table: 'app.orders', key: ['id'] }, columns: { id: 'id', customer_id: 'customer_id' } },
  },
  dual_run: { window: '7d', compare_every: '1h' },
};

const EMPTY: StateSnapshot = { exists: false, version: 0, migration: null, resources: [] };

function input(overrides: Partial<BuildInput> = {}): BuildInput {
  return {
    plan, planFingerprint: 'p', sourceFingerprint: 's', state: EMPTY, now: new Date('2026-12-01T00:00:00Z'), findings: [], drift: [],
    privileges: { canCreateEventTrigger: true }, parity: [], windows: [], missingLive: new Set(), ...overrides,
  };
}

function stateAt(phase: 'locked' | 'round_tripped' | 'dual_run', p: Plan, times: Record<string, string> = {}): StateSnapshot {
  return {
    exists: true, version: 1,
    migration: { name: p.name, phase, clockKind: 'real', planFingerprint: 'p', sourceFingerprint: 's', sourceFingerprintParts: null, sourceConnections: null, serial: 3, phaseTimes: times },
    resources: resourcesAt(p, phase, 's').map((r) => ({ address: r.address, phase: r.phase, attributes: r.attributes, appliedAt: '2026-11-30T00:00:00Z' })),
  };
}

describe('buildPlan', () => {
  it('on a fresh migration plans the lock, in order, with gate.locked open', () => {
    const result = buildPlan(input());
    expect(result.changes.map((c) => c.address)).toEqual(['source.support', 'lock.fingerprint', 'lock.schema', 'lock.integrations', 'lock.data']);
    expect(result.changes.every((c) => c.actions.join() === 'create' && c.phase === 'locked')).toBe(true);
    expect(result.gates).toEqual([{ address: 'gate.locked', phase: 'locked', status: 'open', reasons: [] }]);
    expect(result.summary).toMatchObject({ add: 5, change: 0, destroy: 0, gatesBlocked: 0 });
  });

  it('copies every class before checking any, and defers gate.dual_run until parity has run', () => {
    const result = buildPlan(input({ plan: { ...plan, target: 'dual_run' } }));
    const addresses = result.changes.filter((c) => c.phase === 'round_tripped').map((c) => c.address);
    expect(addresses).toEqual(['class.customers.copy', 'class.orders.copy', 'class.customers.parity', 'class.orders.parity']);
    expect(result.gates.map((g) => [g.address, g.status])).toEqual([['gate.locked', 'open'], ['gate.round_tripped', 'open'], ['gate.dual_run', 'deferred']]);
  });

  it('has nothing to do once the target is reached', () => {
    const result = buildPlan(input({ state: stateAt('locked', plan) }));
    expect(result.changes).toEqual([]);
    expect(result.gates).toEqual([]);
  });

  it('puts back a lock object removed behind cutover\'s back, saying so', () => {
    const result = buildPlan(input({ state: stateAt('locked', plan), missingLive: new Set(['lock.schema']) }));
    expect(result.changes).toMatchObject([{ address: 'lock.schema', actions: ['create'], reason: 'it is missing or disabled on the source (changed outside cutover)' }]);
  });

  it('replaces a copy whose mapping changed, naming what changed', () => {
    const before = stateAt('round_tripped', { ...plan, target: 'round_tripped' });
    const changed: Plan = { ...plan, target: 'round_tripped', classes: { ...plan.classes, customers: { ...plan.classes.customers!, columns: { id: 'id', email: 'email' } } } };
    // both parities passed: a check counts as applied only while its result holds
    const parity = Object.keys(plan.classes).map((name) => ({
      class: name, passed: true, checkedAt: '2026-12-01T00:00:00Z', sourceRows: 0, destinationRows: 0, excludedRows: 0, differences: [],
    }));
    const result = buildPlan(input({ plan: changed, state: before, parity }));
    const copy = result.changes.find((c) => c.address === 'class.customers.copy');
    expect(copy).toMatchObject({ actions: ['delete', 'create'], reason: 'the plan changed columns' });
    expect((copy!.before as { columns: Record<string, string> }).columns.email).toBe('lower(email)');
    expect(result.changes.find((c) => c.address === 'class.customers.parity')?.actions).toEqual(['update']);
    expect(result.changes.some((c) => c.address.startsWith('class.orders'))).toBe(false);
  });

  it('blocks the lock on coverage findings but not on data findings, which close the copy', () => {
    const findings = [
      { class: '', kind: 'unclassified-table', severity: 'error' as const, message: 'x' },
      { class: 'customers', kind: 'null-into-not-null', severity: 'error' as const, message: 'y' },
    ];
    const locked = buildPlan(input({ findings }));
    expect(locked.gates[0]).toMatchObject({ address: 'gate.locked', status: 'blocked', reasons: ['1 unclassified-table finding'] });
    expect(locked.summary.dataProblems).toBe(1);
    const onlyData = buildPlan(input({ findings: findings.slice(1), plan: { ...plan, target: 'round_tripped' } }));
    expect(onlyData.gates.map((g) => g.status)).toEqual(['open', 'blocked']);
    // judged before the first change: the lock is not planned while the copy's gate is closed
    expect(onlyData.changes).toEqual([]);
  });

  it('closes the way at the first gate findings close, up to the target, before any change (deferred gates included)', () => {
    const missing = [{ class: '', kind: 'reimplemented-missing', severity: 'error' as const, message: 'z' }];
    const result = buildPlan(input({ plan: { ...plan, target: 'dual_run' }, findings: missing }));
    expect(result.changes).toEqual([]);
    expect(result.gates.map((g) => [g.address, g.status])).toEqual([['gate.locked', 'open'], ['gate.dual_run', 'blocked']]);
    expect(result.gates[1]!.reasons).toEqual(['1 reimplemented-missing finding']);
    // beyond the target they are early warnings, and the lock goes ahead
    const lockOnly = buildPlan(input({ findings: missing }));
    expect(lockOnly.changes.length).toBe(5);
    expect(lockOnly.summary.dataProblems).toBe(0);
  });

  it('still repairs the lock, but redoes nothing of the copy, while findings close gate.round_tripped', () => {
    const p: Plan = { ...plan, target: 'round_tripped' };
    const gone = [{ class: 'customers', kind: 'destination-table-missing', severity: 'error' as const, message: 'gone' }];
    const atLocked = buildPlan(input({ plan: p, state: stateAt('locked', p), missingLive: new Set(['lock.data']), findings: gone }));
    expect(atLocked.changes.map((c) => c.address)).toEqual(['lock.data']);
    expect(atLocked.gates).toMatchObject([{ address: 'gate.round_tripped', status: 'blocked', reasons: ['1 destination-table-missing finding'] }]);

    const changed: Plan = { ...p, classes: { ...p.classes, customers: { ...p.classes.customers!, columns: { id: 'id', email: 'email' } } } };
    const reached = buildPlan(input({ plan: changed, state: stateAt('round_tripped', p), findings: gone }));
    expect(reached.changes).toEqual([]);
    expect(reached.gates).toMatchObject([{ address: 'gate.round_tripped', status: 'blocked' }]);
    expect(reached.summary).toMatchObject({ gatesBlocked: 1, dataProblems: 1 });
  });

  it('reports drift since the lock on gate.round_tripped', () => {
    const result = buildPlan(input({ plan: { ...plan, target: 'round_tripped' }, state: stateAt('locked', plan), drift: ['table public.customer: column tier added'] }));
    expect(result.gates).toEqual([{ address: 'gate.round_tripped', phase: 'round_tripped', status: 'blocked', reasons: ['source changed since the lock: table public.customer: column tier added'] }]);
  });

  it('says when time opens gate.reads_switched', () => {
    const p: Plan = { ...plan, target: 'reads_switched', retention: { read_only_for: '90d', agreed_by: 'a@b.c', agreed_on: '2026-11-20' } };
    const result = buildPlan(input({ plan: p, state: stateAt('dual_run', p, { dual_run: '2026-11-28T00:00:00.000Z' }) }));
    expect(result.gates[0]).toMatchObject({ address: 'gate.reads_switched', status: 'blocked', opensAt: '2026-12-05T00:00:00.000Z' });
  });

  it('refuses to go back a phase', () => {
    const result = buildPlan(input({ state: stateAt('round_tripped', plan) }));
    expect(result.gates[0]).toMatchObject({ status: 'blocked' });
    expect(result.gates[0]!.reasons[0]).toContain('phases do not go back');
  });

  it('needs event-trigger privileges for enforce, and says detect is the way without them', () => {
    const result = buildPlan(input({ privileges: { canCreateEventTrigger: false } }));
    expect(result.gates[0]!.reasons.join('\n')).toContain('lock.schema: detect');
  });
});
