// Which stored results still speak for the data, and which checks run again.
import { describe, expect, it } from 'vitest';
import type { CopyProgress } from '../../engine/copy/copy-progress.js';
import type { CheckResult, ParityResult } from '../../engine/diff/plan-result.js';
import { checksToRerun, judgeResults } from '../../engine/diff/results.js';

const parity = (cls: string, o: Partial<ParityResult> = {}): ParityResult => ({
  class: cls, passed: true, checkedAt: '2026-12-01T10:00:00.000Z', sourceRows: 8, destinationRows: 8, excludedRows: 0, differences: [],
  table: { rows: 8, foreign: 0 }, ...o,
});
const check = (cls: string, kind: CheckResult['kind'], o: Partial<CheckResult> = {}): CheckResult => ({
  class: cls, kind, passed: true, checkedAt: '2026-12-01T10:00:00.000Z', summary: 'ok', problems: [], ...o,
});
const copy = (cls: string, finishedAt: string): CopyProgress => ({
  class: cls, snapshot: null, lastKey: null, rows: 8, bytes: 0, done: true, startedAt: finishedAt, finishedAt,
});
const recorded = (address: string) => ({ address, phase: 'round_tripped', attributes: {}, appliedAt: '2026-12-01T10:00:00.000Z' });

describe('judgeResults', () => {
  it('keeps results whose table holds what parity saw', () => {
    const judged = judgeResults({ parity: [parity('items')], checks: [], copies: [copy('items', '2026-12-01T09:00:00.000Z')], tables: new Map([['items', { rows: 8, foreign: 0 }]]) });
    expect(judged.parity.map((p) => p.class)).toEqual(['items']);
    expect(judged.stale.size).toBe(0);
  });

  it('drops a parity whose table changed outside cutover, and the checks of that class and of custom code', () => {
    const judged = judgeResults({
      parity: [parity('invoices'), parity('items')],
      checks: [check('invoices', 'money'), check('items', 'audit'), check('custom_code', 'custom-code')],
      copies: [],
      tables: new Map([['invoices', { rows: 9, foreign: 1 }], ['items', { rows: 8, foreign: 0 }]]),
    });
    expect(judged.parity.map((p) => p.class)).toEqual(['items']);
    expect(judged.checks.map((k) => `${k.class}/${k.kind}`)).toEqual(['items/audit']);
    expect(judged.stale.get('class.invoices.parity')).toBe(
      'rows of class invoices changed outside cutover since its parity ran: its destination table holds 9 rows, 1 not written by cutover (then 8 rows, 0 not written by cutover)');
    expect([...judged.stale.keys()].sort()).toEqual(['class.invoices.money', 'class.invoices.parity', 'custom_code.verify']);
  });

  it('drops results older than the copy they judged', () => {
    const judged = judgeResults({
      parity: [parity('items')], checks: [check('items', 'attachments')],
      copies: [copy('items', '2026-12-01T11:00:00.000Z')], tables: new Map(),
    });
    expect(judged.parity).toEqual([]);
    expect(judged.checks).toEqual([]);
    expect(judged.stale.get('class.items.parity')).toBe('class items was copied again after its parity ran');
  });

  it('drops results older than a gap in the locks, even once apply has put the lock back', () => {
    const copies = [copy('invoices', '2026-12-01T09:00:00.000Z'), copy('items', '2026-12-01T09:00:00.000Z')];
    const results = { parity: [parity('invoices'), parity('items')], checks: [check('invoices', 'money'), check('custom_code', 'custom-code')], copies, tables: new Map() };
    const capture = judgeResults({ ...results, gaps: [{ address: 'class.items.capture', at: '2026-12-01T11:00:00.000Z' }] });
    expect(capture.parity.map((p) => p.class)).toEqual(['invoices']);
    expect(capture.checks.map((k) => k.kind)).toEqual(['money']);
    expect(capture.stale.get('class.items.parity')).toBe('the capture of class items was missing or disabled on the source, so changes may have gone uncaptured meanwhile');
    expect(capture.stale.has('custom_code.verify')).toBe(true);

    const open = judgeResults({ ...results, gaps: [{ address: 'lock.data', at: null }] });
    expect(open.parity).toEqual([]);
    expect(open.checks).toEqual([]);
    expect(open.stale.get('class.invoices.money')).toBe('the data lock was missing or disabled on the source, so writes may have been made meanwhile');

    // a result that ran after the lock was put back holds
    const closed = judgeResults({ ...results, gaps: [{ address: 'lock.data', at: '2026-12-01T09:30:00.000Z' }] });
    expect(closed.stale.size).toBe(0);
  });

  it('drops the parity of a class with captured changes not yet replayed', () => {
    const judged = judgeResults({ parity: [parity('items')], checks: [], copies: [], tables: new Map(), pending: new Map([['items', 3]]) });
    expect(judged.parity).toEqual([]);
    expect(judged.stale.get('class.items.parity')).toBe('3 captured changes of class items not yet replayed');
  });
});

describe('checksToRerun', () => {
  it('runs again a failed check, and with it every check of its phase', () => {
    const rerun = checksToRerun(
      [recorded('class.a.parity'), recorded('class.b.parity'), recorded('custom_code.verify'), recorded('class.a.copy')],
      { parity: [parity('a', { passed: false }), parity('b')], checks: [check('custom_code', 'custom-code')], stale: new Map() },
    );
    expect(Object.fromEntries(rerun)).toEqual({
      'class.a.parity': 'its last run failed',
      'class.b.parity': 'a check of phase round_tripped failed, so every one of them runs again',
      'custom_code.verify': 'a check of phase round_tripped failed, so every one of them runs again',
    });
  });

  it('runs again a check without a result or with a stale one, and keeps those that passed', () => {
    const rerun = checksToRerun(
      [recorded('class.a.parity'), recorded('class.b.parity'), recorded('class.c.parity')],
      { parity: [parity('c')], checks: [], stale: new Map([['class.b.parity', 'class b was copied again after its parity ran']]) },
    );
    expect(Object.fromEntries(rerun)).toEqual({
      'class.a.parity': 'it has no result that holds for the data now',
      'class.b.parity': 'class b was copied again after its parity ran',
    });
  });
});
