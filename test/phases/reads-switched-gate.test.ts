// The reads_switched gate, judged without a database from what observe loads in dual-run: the
// window, the compare cadence, failed compares and their resolutions, parked changes and lag.
import { describe, expect, it } from 'vitest';
import { evaluateGate, type GateInput } from '../../engine/diff/gates.js';
import type { Plan } from '../../engine/plan/types.js';
import type { DualRunRecord } from '../../engine/phases/dual-run-record.js';
import type { CompareOutcome } from '../../engine/state/compare-history.js';
import type { StateSnapshot } from '../../engine/state/state-store.js';

const START = '2026-11-20T00:00:00.000Z';
const NOW = new Date('2026-11-28T00:00:00.000Z');
const HOUR = 3_600_000;
const REHEARSAL = 'rollback has not been rehearsed for this plan (`cutover rehearse`)';

const plan: Plan = {
  version: 1,
  name: 'shop',
  target: 'reads_switched',
  source: { url: 'embedded:src', schemas: ['public'] },
  destination: { url: 'embedded:dst' },
  classes: {
    customers: { source: { table: 'customer', key: ['id'] }, destination: { table: 'app.customers', key: ['id'] }, columns: { id: 'id' } },
    orders: { source: { table: 'orders', key: ['id'] }, destination: { table: 'app.orders', key: ['id'] }, columns: { id: 'id' } },
  },
  dual_run: { window: '7d', compare_every: '1h' },
  go_live: { tail_window: '24h', max_lag: '5s', rollback_window: '7d' },
  retention: { read_only_for: '90d', agreed_by: 'ops@example.com', agreed_on: '2026-11-19' },
};

const state: StateSnapshot = {
  exists: true, version: 5, resources: [],
  migration: {
    name: 'shop', phase: 'dual_run', clockKind: 'simulated', planFingerprint: 'p', sourceFingerprint: 's', sourceFingerprintParts: null,
    sourceConnections: null, serial: 9, phaseTimes: { locked: START, round_tripped: START, dual_run: START },
  },
};

const iso = (ms: number) => new Date(ms).toISOString();

/** a clean compare every hour, on the half hour, from the dual-run start until `until` */
function hourly(until = NOW.getTime()): CompareOutcome[] {
  const out: CompareOutcome[] = [];
  for (let t = Date.parse(START) + HOUR / 2; t < until; t += HOUR) out.push({ at: iso(t), clean: true, differing: [] });
  return out;
}

function record(overrides: Partial<DualRunRecord> = {}): DualRunRecord {
  return {
    mirror: { pid: 7, host: 'mirror-1', startedAt: START, beatAt: iso(NOW.getTime()), stoppedAt: null, applied: 1200, rate: 40, lagSeconds: 0.4, pending: 2, ageSeconds: 3 },
    lagSeconds: 0.4, pending: 2, parked: { count: 0, first: [] }, compares: hourly(), resolutions: [], ...overrides,
  };
}

function gate(dualRun: DualRunRecord | undefined, over: { plan?: Plan; now?: Date } = {}) {
  const input: GateInput = {
    plan: over.plan ?? plan, now: over.now ?? NOW, state, findings: [], drift: [], privileges: { canCreateEventTrigger: true },
    parity: [], checks: [], stale: new Map(), ...(dualRun ? { dualRun } : {}),
  };
  return evaluateGate(input, 'reads_switched');
}

/** the hourly compares with those strictly between `from` and `to` (hours after the start) left out */
function withGap(fromHour: number, toHour: number): CompareOutcome[] {
  return hourly().filter((c) => {
    const h = (Date.parse(c.at) - Date.parse(START)) / HOUR;
    return h <= fromHour || h >= toHour;
  });
}

describe('gate.reads_switched in dual-run', () => {
  it('leaves only the rehearsal when the window passed, compares kept their cadence, nothing is parked and the mirror is caught up', () => {
    expect(gate(record())).toEqual({ address: 'gate.reads_switched', phase: 'reads_switched', status: 'blocked', reasons: [REHEARSAL] });
  });

  it('opens once this plan\'s rollback rehearsal passed, and names a failed one', () => {
    expect(gate(record({ rehearsal: { passed: true, finishedAt: START } }))).toMatchObject({ status: 'open', reasons: [] });
    expect(gate(record({ rehearsal: { passed: false, finishedAt: START } })).reasons).toEqual([
      `the last rollback rehearsal of this plan failed (${START}): fix what it named and run \`cutover rehearse\` again`,
    ]);
  });

  it('keeps its earlier reasons alone when nothing of dual-run was observed', () => {
    expect(gate(undefined).reasons).toEqual([REHEARSAL]);
  });

  it('waits for the dual-run window, saying when time alone opens it', () => {
    const now = new Date(Date.parse(START) + 3 * 24 * HOUR);
    const g = gate(record({ compares: hourly(now.getTime()) }), { now });
    expect(g.reasons).toEqual([REHEARSAL, `the dual-run window (7d since ${START}) has not elapsed`]);
    expect(g.opensAt).toBe('2026-11-27T00:00:00.000Z');
  });

  it('counts a stretch longer than twice compare_every without a compare as a failed compare of every class', () => {
    const g = gate(record({ compares: withGap(33.5, 36.5) }));
    expect(g.reasons).toEqual([
      'no compare ran from 2026-11-21T09:30:00.000Z to 2026-11-21T12:30:00.000Z, more than twice dual_run.compare_every (1h); ' +
      'that counts as a failed compare of every class: after review, resolve it in dual_run.resolutions with compare: 2026-11-21T09:30:00Z for 2 classes (customers, orders)',
      REHEARSAL,
    ]);
  });

  it('takes a stretch of exactly twice compare_every as the cadence kept', () => {
    expect(gate(record({ compares: withGap(33.5, 35.5) })).reasons).toEqual([REHEARSAL]);
  });

  it('counts a gap as resolved class by class, by the time it began', () => {
    const compares = withGap(33.5, 36.5);
    const began = '2026-11-21T09:30:00.000Z';
    const one = gate(record({ compares, resolutions: [{ compare: '2026-11-21T09:30:00Z', class: 'customers', names: began }] }));
    expect(one.reasons[0]).toMatch(/for 1 class \(orders\)$/);
    const both = gate(record({
      compares,
      resolutions: ['customers', 'orders'].map((cls) => ({ compare: '2026-11-21T09:30:00Z', class: cls, names: began })),
    }));
    expect(both.reasons).toEqual([REHEARSAL]);
  });

  it('names a gap from the dual-run start by that start, which a resolution may name though no compare ran then', () => {
    const compares = hourly().filter((c) => Date.parse(c.at) > Date.parse(START) + 3 * HOUR);
    expect(gate(record({ compares })).reasons[0]).toBe(
      `no compare ran from the start of dual-run (${START}) to 2026-11-20T03:30:00.000Z, more than twice dual_run.compare_every (1h); ` +
      'that counts as a failed compare of every class: after review, resolve it in dual_run.resolutions with compare: 2026-11-20T00:00:00Z for 2 classes (customers, orders)');
    const resolutions = ['customers', 'orders'].map((cls) => ({ compare: '2026-11-20T00:00:00Z', class: cls, names: null }));
    expect(gate(record({ compares, resolutions })).reasons).toEqual([REHEARSAL]);
  });

  it('cannot resolve a stretch still open now: a compare closes it', () => {
    const compares = hourly(NOW.getTime() - 3 * HOUR);
    const last = compares[compares.length - 1]!.at;
    const resolutions = ['customers', 'orders'].map((cls) => ({ compare: last, class: cls, names: last }));
    expect(gate(record({ compares, resolutions })).reasons).toEqual([
      `no compare has run since ${last}, more than twice dual_run.compare_every (1h): start \`cutover mirror\` (it compares every 1h) or run \`cutover compare\``,
      REHEARSAL,
    ]);
  });

  it('asks for each failing class of a failed compare to be resolved by its time', () => {
    const compares = hourly();
    const failed = compares[40]!;
    compares[40] = { at: failed.at, clean: false, differing: [{ class: 'customers', count: 3 }, { class: 'orders', count: 1 }] };
    const second = failed.at.replace('.000Z', 'Z');
    expect(gate(record({ compares })).reasons).toEqual([
      `the compare at ${second} failed and is not resolved in dual_run.resolutions: customers (3 keys differed), orders (1 key differed)`,
      REHEARSAL,
    ]);
    const customers = { compare: second, class: 'customers', names: failed.at };
    expect(gate(record({ compares, resolutions: [customers] })).reasons[0]).toBe(
      `the compare at ${second} failed and is not resolved in dual_run.resolutions: orders (1 key differed)`);
    expect(gate(record({ compares, resolutions: [customers, { ...customers, class: 'orders' }] })).reasons).toEqual([REHEARSAL]);
  });

  it('says so when a resolution names a compare that was never recorded', () => {
    const resolutions = [{ compare: '2026-11-22T10:00:00Z', class: 'orders', names: null }];
    expect(gate(record({ resolutions })).reasons).toEqual([
      'dual_run.resolutions names a compare at 2026-11-22T10:00:00Z (class orders) that was never recorded: copy the time from `cutover status`',
      REHEARSAL,
    ]);
  });

  it('stays closed while anything is parked, naming the first keys and what the destination said', () => {
    const parked = (id: number, key: unknown[], message: string) => ({
      id, class: 'orders', key, op: 'update' as const, sourceXid: '900', sqlstate: '23514', message, sourceRow: null,
      firstSeen: START, attempts: 2, lastAttempt: START, resolvedAt: null, resolution: null,
    });
    const g = gate(record({ parked: { count: 4, first: [parked(1, [17], 'new row violates check constraint "total_positive"'), parked(2, [18], 'value too long'), parked(3, [19], 'x'), parked(4, [20], 'y')] } }));
    expect(g.reasons).toEqual([
      '4 changes the destination refused are parked: orders 17 (update): new row violates check constraint "total_positive"; orders 18 (update): value too long; orders 19 (update): x; and 1 more; fix what it refuses and let the mirror retry them',
      REHEARSAL,
    ]);
  });

  it('stays closed while the mirror lags go_live.max_lag or more behind, and says when it is not running', () => {
    expect(gate(record({ lagSeconds: 4.9 })).reasons).toEqual([REHEARSAL]);
    expect(gate(record({ lagSeconds: 42, pending: 1500 })).reasons[0]).toBe(
      'the mirror is 42s behind the source (1,500 changes waiting), not under go_live.max_lag (5s): let it catch up');
    const stopped = record({ lagSeconds: 42, pending: 1500 });
    stopped.mirror = { ...stopped.mirror!, stoppedAt: START };
    expect(gate(stopped).reasons[0]).toBe(
      'the mirror is 42s behind the source (1,500 changes waiting), not under go_live.max_lag (5s): the mirror is not running: start `cutover mirror`');
  });

  it('allows 5s of lag when go_live.max_lag is not set', () => {
    const { go_live: _unused, ...bare } = plan;
    expect(gate(record({ lagSeconds: 6 }), { plan: bare }).reasons[0]).toMatch(/not under go_live\.max_lag \(5s\)/);
  });
});
