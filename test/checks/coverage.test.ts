// Coverage against a catalog, without a database: the lock gate's conditions on custom code.
import { describe, expect, it } from 'vitest';
import { coverage } from '../../engine/checks/coverage.js';
import { findingGate } from '../../engine/diff/gates.js';
import type { Catalog, CustomCodeObject } from '../../engine/introspect/catalog.js';
import type { Plan } from '../../engine/plan/types.js';

function catalog(customCode: CustomCodeObject[]): Catalog {
  return {
    server: { version: 180000, versionText: '', database: 'x', currentUser: 'u', superuser: true, defaultTimezone: 'UTC', canSetReplicationRole: true, canCreateEventTrigger: true },
    tables: [],
    customCode,
    integrations: { roles: [], publications: [], subscriptions: [], replicationSlots: [], foreignServers: [], extensions: [] },
  };
}

const plan: Plan = {
  version: 1, name: 'm', target: 'locked',
  source: { url: 'embedded:s', schemas: ['public'] }, destination: { url: 'embedded:d' },
  classes: {},
  custom_code: [
    { source: 'function public.listed(integer)', reimplemented: 'function app.listed(bigint)', verify: 'SELECT 1 WHERE false' },
    { source: 'view public.old_report', retired: 'nobody reads it' },
  ],
};

const at = () => ({ line: 7, col: 3 });

describe('coverage of custom code', () => {
  const source = catalog([
    { kind: 'function', address: 'function public.listed(integer)', definition: '' },
    { kind: 'view', address: 'view public.old_report', definition: '' },
    { kind: 'trigger', address: 'trigger public.orders.touch', definition: '' },
    { kind: 'function', address: 'function public.touch()', definition: '' },
  ]);

  it('names every unlisted trigger and function with the entry to paste, and they close gate.locked', () => {
    const findings = coverage(plan, source, catalog([{ kind: 'function', address: 'function app.listed(bigint)', definition: '' }]), at);
    const unlisted = findings.filter((f) => f.kind === 'custom-code-unlisted');
    expect(unlisted.map((f) => f.message)).toEqual([
      'custom code not listed in the plan: add `- { source: trigger public.orders.touch, pending: "…" }` under custom_code, and once decided replace `pending` with `reimplemented` or `retired`',
      'custom code not listed in the plan: add `- { source: function public.touch(), pending: "…" }` under custom_code, and once decided replace `pending` with `reimplemented` or `retired`',
    ]);
    expect(unlisted.every((f) => f.severity === 'error' && findingGate(f.kind) === 'locked')).toBe(true);
    expect(findings.some((f) => f.kind === 'reimplemented-missing')).toBe(false);
  });

  it('names a re-implementation missing from the destination, which closes gate.dual_run', () => {
    const findings = coverage(plan, source, catalog([]), at);
    const missing = findings.filter((f) => f.kind === 'reimplemented-missing');
    expect(missing).toHaveLength(1);
    expect(missing[0]).toMatchObject({ severity: 'error', line: 7 });
    expect(missing[0]!.message).toBe('function app.listed(bigint) (re-implementing function public.listed(integer)) does not exist in the destination');
    expect(findingGate('reimplemented-missing')).toBe('dual_run');
  });

  it('names a listed object the source does not have', () => {
    const findings = coverage(plan, catalog([{ kind: 'function', address: 'function public.listed(integer)', definition: '' }]), catalog([]), at);
    expect(findings.filter((f) => f.kind === 'custom-code-missing').map((f) => f.message)).toEqual([
      'custom_code lists view public.old_report, which the source does not have',
    ]);
  });
});
