// What `plan` shows for target rolled_back, from each kind of state, without databases: the hook
// first, removals in order, nothing at all for a migration never applied; after the write switch
// the destination read-only, drained back and proven before the hook and the removals, and a clear
// refusal once the rollback window has passed.
import { describe, expect, it } from 'vitest';
import { buildPlan, type BuildInput } from '../../engine/diff/build-plan.js';
import type { Plan } from '../../engine/plan/types.js';
import type { StatePhase, StateSnapshot } from '../../engine/state/state-store.js';

const plan = {
  version: 1, name: 'shop', target: 'rolled_back',
  source: { url: 'embedded:src', schemas: ['public'] }, destination: { url: 'embedded:dst' },
  lock: { data: { mode: 'pause' } },
  classes: { customers: { source: { table: 'customers', key: ['id'] }, destination: { table: 'app.customers', key: ['id'] }, columns: { id: 'id' } } },
  go_live: { tail_window: '48h', max_lag: '5s', rollback_window: '7d', switch_reads: { run: './r.sh' }, switch_writes: { run: './w.sh' }, rollback: { run: './ops/rollback.sh' } },
} as unknown as Plan;

function state(phase: StatePhase, addresses: string[]): StateSnapshot {
  return {
    exists: true, version: 1, resources: addresses.map((address) => ({ address, phase: 'locked', attributes: { tables: ['customers'] }, appliedAt: '2026-12-01T00:00:00Z' })),
    migration: { name: 'shop', phase, clockKind: 'real', planFingerprint: null, sourceFingerprint: null, sourceFingerprintParts: null, sourceConnections: null, serial: 1, phaseTimes: {} },
  };
}

function build(s: StateSnapshot, live: string[] = []) {
  const input: BuildInput = {
    plan, planFingerprint: 'p', sourceFingerprint: 's', state: s, now: new Date('2026-12-02T00:00:00Z'), findings: [], drift: [],
    privileges: { canCreateEventTrigger: true }, parity: [], windows: [], missingLive: new Set(), live: new Set(live),
  };
  return buildPlan(input);
}

describe('the rollback step', () => {
  it('runs the hook first, then removes capture, the data lock, the DDL locks and the schema last; the copy stays', () => {
    const result = build(state('round_tripped', ['source.support', 'lock.fingerprint', 'lock.schema', 'lock.integrations', 'lock.data', 'class.customers.capture', 'class.customers.copy', 'class.customers.parity']));
    expect(result.changes.map((c) => `${c.actions.join('+')} ${c.address}`)).toEqual([
      'create hook.rollback', 'delete class.customers.capture', 'delete lock.data', 'delete lock.integrations', 'delete lock.schema', 'delete source.support',
    ]);
    expect(result.gates).toEqual([{ address: 'gate.rolled_back', phase: 'rolled_back', status: 'open', reasons: [] }]);
  });

  it('removes what it finds on the source even when an interrupted apply did not record it', () => {
    const result = build(state('none', ['source.support']), ['source.support', 'lock.schema']);
    expect(result.changes.map((c) => c.address)).toEqual(['hook.rollback', 'lock.schema', 'source.support']);
  });

  it('has nothing to do for a migration never applied', () => {
    expect(build({ exists: false, version: 0, migration: null, resources: [] }).changes).toEqual([]);
  });

  it('does not run the hook again once it ran', () => {
    const result = build(state('locked', ['hook.rollback', 'source.support']));
    expect(result.changes.map((c) => c.address)).toEqual(['source.support']);
  });

  it.each(['writes_switched', 'retained'] as const)('after the write switch (%s), with reverse capture recorded, drains back, proves, then opens the source', (phase) => {
    const result = build(state(phase, ['source.support', 'lock.schema', 'class.customers.capture', 'source.read_only', 'class.customers.reverse_capture']));
    expect(result.gates[0]).toMatchObject({ address: 'gate.rolled_back', status: 'open' });
    expect(result.changes.map((c) => `${c.address}:${c.actions.join('/')}`)).toEqual([
      'destination.read_only:create', 'rollback.drain:create', 'source.sequences:create', 'rollback.parity:create', 'hook.rollback:create',
      'class.customers.reverse_capture:delete', 'source.read_only:delete', 'class.customers.capture:delete', 'lock.schema:delete', 'source.support:delete',
    ]);
  });

  it('resumes a rollback after the write switch from the first step not recorded', () => {
    const result = build(state('writes_switched', ['source.read_only', 'class.customers.reverse_capture', 'destination.read_only', 'rollback.drain']));
    expect(result.changes.map((c) => c.address)).toEqual(['source.sequences', 'rollback.parity', 'hook.rollback', 'class.customers.reverse_capture', 'source.read_only']);
  });

  it.each(['retained', 'closed'] as const)('is refused once reverse capture is gone, the rollback window past (%s)', (phase) => {
    const result = build(state(phase, ['source.support', 'source.read_only']));
    expect(result.changes).toEqual([]);
    expect(result.gates[0]).toMatchObject({ address: 'gate.rolled_back', status: 'blocked' });
    expect(result.gates[0]!.reasons[0]).toContain('the rollback window has passed: reverse capture was removed');
  });
});
