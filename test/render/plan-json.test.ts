import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { planJson } from '../../cli/render/plan-json.js';
import { bigPlan, create, destroy, finding, gate, parity, planResult, replace, update, window } from './fixtures.js';

const addFormats = (addFormatsModule as any).default ?? addFormatsModule;
const schema = JSON.parse(readFileSync(new URL('../../schemas/plan-output.schema.json', import.meta.url), 'utf8'));
const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(schema);

function expectValid(document: unknown): void {
  const ok = validate(document);
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
}

const full = planResult({
  phase: 'locked',
  changes: [
    create('lock.schema', { mode: 'enforce' }, { line: 12 }),
    update('class.invoices.mapping', { total_cents: 'total * 100' }, { total_cents: 'round(total * 100)' }),
    destroy('lock.old', { mode: 'detect' }),
    replace('class.customers.copy', { key: ['a'] }, { key: ['b'] }),
  ],
  gates: [gate('locked', 'open'), gate('round_tripped', 'blocked', ['2 data problems'], { opensAt: '2026-12-03T00:00:00Z' }), gate('dual_run', 'deferred')],
  findings: [finding('invoices'), finding('customers', 'warning', { column: undefined, count: undefined, share: undefined, sampleKeys: undefined, line: undefined, col: undefined })],
  parity: [parity('invoices', false, { differences: [{ kind: 'changed', count: 1, columns: ['total_cents'], sampleKeys: [[17]], detail: 'numeric by value' }] }), parity('customers')],
  windows: [window()],
});

describe('planJson', () => {
  it('validates against schemas/plan-output.schema.json', () => {
    expectValid(planJson(full));
  });

  it('validates with nothing to do and for a large plan', () => {
    expectValid(planJson(planResult()));
    expectValid(planJson(bigPlan(50)));
  });

  it('uses the versioned, snake_case shape the spec describes', () => {
    const doc = planJson(full) as Record<string, any>;
    expect(doc.format_version).toBe('1.1');
    expect(doc.plan).toEqual({
      name: 'chinook-to-storefront',
      target: 'round_tripped',
      phase: 'locked',
      now: '2026-12-01T09:00:00.000Z',
      plan_fingerprint: 'p1a2b3c4d5e6f7a8b9c0',
      source_fingerprint: 's0f9e8d7c6b5a4f3e2d1',
    });
    expect(doc.resource_changes[0]).toEqual({
      address: 'lock.schema',
      phase: 'locked',
      actions: ['create'],
      before: null,
      after: { mode: 'enforce' },
      reason: 'it does not exist yet',
      line: 12,
    });
    expect(doc.resource_changes[3].actions).toEqual(['delete', 'create']);
    expect(doc.gates[1]).toMatchObject({ status: 'blocked', opens_at: '2026-12-03T00:00:00Z' });
    expect(doc.preflight[0]).toMatchObject({ class: 'invoices', sample_keys: [[1001], [1002], [1003]], share: 0.003 });
    expect(doc.parity[0]).toMatchObject({ passed: false, source_rows: 412, destination_rows: 410, excluded_rows: 0 });
    expect(doc.windows[0]).toMatchObject({ phase: 'writes_switched', estimated_seconds: 240 });
    expect(doc.summary).toEqual({ add: 2, change: 1, destroy: 2, gates_blocked: 1, data_problems: 1 });
  });

  it('is rejected by the schema when it grows an unknown property', () => {
    const doc = { ...(planJson(full) as object), extra: true };
    expect(validate(doc)).toBe(false);
  });

  it('hides connection strings', () => {
    const doc = planJson(planResult({ changes: [create('lock.schema', { source: 'postgres://u:pw@db.internal/prod' }, { reason: 'postgres://u:pw@db.internal/prod' })] }));
    expect(JSON.stringify(doc)).not.toMatch(/pw@|db\.internal/);
  });
});

describe('planJson drift and state lock', () => {
  const drifted = planResult({
    phase: 'round_tripped',
    drift: { source: ['table public.customers: column loyalty_tier added'], connections: ['etl / loader / 10.0.0.5'] },
    stateLock: { user: 'deploy', host: 'ci-7', pid: 4242, backendPid: 811, command: 'cutover apply', since: '2026-12-01T08:59:00.000Z' },
  });

  it('puts drift under `drift` and the lock holder under `state_lock`, valid against the schema', () => {
    const doc = planJson(drifted) as Record<string, any>;
    expectValid(doc);
    expect(doc.drift).toEqual({ source_changes: ['table public.customers: column loyalty_tier added'], new_connections: ['etl / loader / 10.0.0.5'] });
    expect(doc.state_lock).toEqual({ command: 'cutover apply', user: 'deploy', host: 'ci-7', pid: 4242, backend_pid: 811, since: '2026-12-01T08:59:00.000Z' });
  });

  it('has empty drift and a null state_lock when there are none (also for plans saved without them)', () => {
    const doc = planJson(planResult()) as Record<string, any>;
    expect(doc.drift).toEqual({ source_changes: [], new_connections: [] });
    expect(doc.state_lock).toBeNull();
  });
});
