// Every address the resources of a plan can have is of a kind, and each kind lists the phases that
// make or remove it, so what this version can apply (and how far) is judged on every resource.
import { describe, expect, it } from 'vitest';
import { executorFor, LAST_SUPPORTED_PHASE, lastSupportedPhase, supports } from '../../engine/apply/executors.js';
import { KIND_PHASES, kindOf, knownKindOf, type ResourceKind } from '../../engine/apply/resource-kind.js';
import { resourcesAt } from '../../engine/diff/resources.js';
import { PHASES, type Plan } from '../../engine/plan/types.js';

const table = (name: string) => ({ table: name, key: ['id'] });
const plan: Plan = {
  version: 1,
  name: 'shop',
  target: 'closed',
  source: { url: 'embedded:src', schemas: ['public'] },
  destination: { url: 'embedded:dst' },
  lock: { schema: 'enforce', integrations: 'enforce', data: { mode: 'freeze', rules: [] } },
  classes: {
    customers: { source: table('customer'), destination: table('app.customers'), columns: { id: 'id' } },
    ledger: { kind: 'money', source: table('ledger'), destination: table('app.ledger'), columns: { id: 'id' } },
    events: { kind: 'audit', source: table('events'), destination: table('app.events'), columns: { id: 'id' } },
    files: { kind: 'attachments', source: table('files'), destination: table('app.files'), columns: { id: 'id' } },
  },
  custom_code: [{ source: 'function f()', reimplemented: 'app.f', verify: 'select 1' }],
  go_live: { tail_window: '1h', max_lag: '1m', rollback_window: '1d', switch_reads: { run: 'true' }, switch_writes: { run: 'true' } },
};

const addressesAt = (phase: (typeof PHASES)[number]) => resourcesAt(plan, phase, 's');

describe('resource kinds', () => {
  it('name the kind of every address a plan has at any phase', () => {
    const kinds = new Set(PHASES.flatMap((p) => addressesAt(p).map((r) => kindOf(r.address))));
    // the rollback's own kinds (its hook, the steps after the write switch) belong to no forward phase
    expect([...kinds].sort()).toEqual((Object.keys(KIND_PHASES) as ResourceKind[]).filter((k) => KIND_PHASES[k].length > 0).sort());
    expect((Object.keys(KIND_PHASES) as ResourceKind[]).filter((k) => KIND_PHASES[k].length === 0).sort())
      .toEqual(['destination.read_only', 'hook.rollback', 'rollback.drain', 'rollback.parity', 'source.sequences']);
    expect(kindOf('class.ledger.money')).toBe('class.money');
    expect(kindOf('hook.rollback')).toBe('hook.rollback');
    expect(knownKindOf('class.copy')).toBeUndefined();
    expect(knownKindOf('class.a.b.copy')).toBeUndefined();
    expect(knownKindOf('lock.elsewhere')).toBeUndefined();
  });

  it('list every phase whose step creates or removes a resource of that kind', () => {
    PHASES.forEach((phase, i) => {
      const now = addressesAt(phase);
      const created = now.filter((r) => r.phase === phase).map((r) => r.address);
      const kept = new Set(now.map((r) => r.address));
      const removed = i === 0 ? [] : addressesAt(PHASES[i - 1]!).map((r) => r.address).filter((a) => !kept.has(a));
      for (const address of [...created, ...removed]) expect(KIND_PHASES[kindOf(address)], `${address} at ${phase}`).toContain(phase);
    });
  });
});

describe('what this version can apply', () => {
  it('reaches retained: every kind up to the write switch and retention has an executor, closed has its report without one', () => {
    expect(LAST_SUPPORTED_PHASE).toBe('retained');
    expect(supports('class.customers.copy')).toBe(true);
    expect(supports('mirror.position')).toBe(true);
    expect(supports('hook.switch_writes')).toBe(true);
    expect(supports('report.closeout')).toBe(false);
    expect(supports('lock.elsewhere')).toBe(false);
    expect(() => executorFor('report.closeout')).toThrow(/cannot apply report.closeout yet/);
  });

  it('is the last phase before the first one with a kind lacking its executor', () => {
    type Executors = Parameters<typeof lastSupportedPhase>[0];
    const noop = { create: async () => {}, delete: async () => {} };
    const all = Object.fromEntries(Object.keys(KIND_PHASES).map((k) => [k, noop])) as unknown as Executors;
    expect(lastSupportedPhase(all)).toBe('closed');
    expect(lastSupportedPhase({ ...all, 'report.closeout': undefined })).toBe('retained');
    expect(lastSupportedPhase({ ...all, 'class.capture': undefined })).toBeUndefined();
  });
});
