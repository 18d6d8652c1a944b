import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { renderPlanHuman } from '../../cli/render/plan-human.js';
import { planJson } from '../../cli/render/plan-json.js';
import { renderPlanMarkdown } from '../../cli/render/plan-markdown.js';
import type { DualRunView } from '../../engine/phases/dual-run-record.js';
import { planResult } from './fixtures.js';

const plain = new Chalk({ level: 0 });

function view(overrides: Partial<DualRunView> = {}): DualRunView {
  return {
    mirror: {
      pid: 4242, host: 'mirror-1', startedAt: '2026-12-01T08:00:00.000Z', beatAt: '2026-12-01T08:59:58.000Z', stoppedAt: null,
      applied: 12_345, rate: 41.7, lagSeconds: 0.3, pending: 3, ageSeconds: 2, running: true,
    },
    mirrorExpected: true, lagSeconds: 0.4, pending: 3,
    parked: { count: 0, first: [] },
    compares: [{ at: '2026-12-01T08:30:00.000Z', clean: true, differing: [] }],
    compareCount: 1, failedCount: 0,
    ...overrides,
  };
}

describe('the dual-run in plan', () => {
  it('shows the running mirror, its lag and throughput, nothing parked and the compares', () => {
    const out = renderPlanHuman(planResult({ phase: 'dual_run', target: 'dual_run', dualRun: view() }), plain, 'plans/shop.yaml');
    expect(out).toContain([
      'Dual-run:',
      '  mirror: running on mirror-1 (pid 4242) since 2026-12-01T08:00:00.000Z, last beat 2 seconds ago; 12,345 changes applied, 42 changes/s',
      '  lag: 0.4s behind the source, 3 changes waiting',
      '  parked: none',
      '  compares: 1 compare since dual-run began, none failed; latest first:',
      '    2026-12-01T08:30:00.000Z clean',
    ].join('\n'));
    expect(out).not.toContain('The mirror is not running');
  });

  it('names the mirror as what must run, first of all, when dual-run has no live heartbeat', () => {
    const stale = view({ mirror: { ...view().mirror!, running: false, ageSeconds: 600 } });
    const out = renderPlanHuman(planResult({ phase: 'dual_run', target: 'dual_run', dualRun: stale }), plain, 'plans/shop.yaml');
    expect(out.split('\n')[0]).toBe('The mirror is not running: start `cutover mirror plans/shop.yaml`');
    expect(out).toContain('  mirror: not running, last beat 10 minutes ago (2026-12-01T08:59:58.000Z); it ran on mirror-1 (pid 4242) and applied 12,345 changes');
    const never = renderPlanHuman(planResult({ phase: 'dual_run', target: 'dual_run', dualRun: view({ mirror: null }) }), plain, 'p.yaml');
    expect(never).toContain('  mirror: never started');
    expect(never.split('\n')[0]).toBe('The mirror is not running: start `cutover mirror p.yaml`');
  });

  it('does not ask for the mirror after the write switch', () => {
    const done = view({ mirror: { ...view().mirror!, running: false, stoppedAt: '2026-12-01T08:00:00.000Z' }, mirrorExpected: false });
    const out = renderPlanHuman(planResult({ phase: 'writes_switched', target: 'writes_switched', dualRun: done }), plain, 'p.yaml');
    expect(out).not.toContain('The mirror is not running');
    expect(out).toContain('  mirror: not running, stopped at 2026-12-01T08:00:00.000Z;');
  });

  it('lists parked changes with their errors and failed compares with what differed', () => {
    const out = renderPlanHuman(planResult({
      phase: 'dual_run', target: 'reads_switched',
      dualRun: view({
        parked: { count: 7, first: [{ class: 'orders', key: [17], op: 'update', message: 'value too long for type character varying(8)', firstSeen: '2026-12-01T08:10:00.000Z', attempts: 3 }] },
        compares: [{ at: '2026-12-01T08:30:00.000Z', clean: false, differing: [{ class: 'orders', count: 2 }, { class: 'customers', count: 1 }] }],
        compareCount: 9, failedCount: 1,
      }),
    }), plain);
    expect(out).toContain([
      '  parked: 7 changes the destination refused',
      '    orders 17 (update, 3 attempts): value too long for type character varying(8)',
      '    and 6 more',
      '  compares: 9 compares since dual-run began, 1 failed; latest first:',
      '    2026-12-01T08:30:00.000Z differed: orders 2 keys, customers 1 key',
    ].join('\n'));
  });

  it('has no dual-run section before dual-run, and dual_run null in --json', () => {
    expect(renderPlanHuman(planResult(), plain)).not.toContain('Dual-run:');
    expect((planJson(planResult()) as { dual_run: unknown }).dual_run).toBeNull();
  });
});

describe('the dual-run in a pull-request comment', () => {
  it('opens with the mirror warning and lists the dual-run in its own details', () => {
    const out = renderPlanMarkdown(planResult({ phase: 'dual_run', target: 'dual_run', dualRun: view({ mirror: null }) }));
    expect(out).toContain('> **The mirror is not running: start \\`cutover mirror PLAN\\`**');
    expect(out).toContain('- mirror: never started\n- lag: 0.4s behind the source, 3 changes waiting');
  });
});
