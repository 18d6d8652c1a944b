// What a person sees while apply works, drawn from the engine's typed events: each step's start and
// end in terraform's words, a failed check as soon as it fails, hook output, phases reached; copy
// progress drawn by one function.
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { applyEventLines, applyEventPrinter } from '../../cli/render/apply-events.js';
import type { Terminal } from '../../cli/terminal.js';
import type { Gate } from '../../engine/diff/plan-result.js';
import { copyProgressed, type ApplyEvent } from '../../engine/events.js';

const plain = new Chalk({ level: 0 });

function terminal(tty: boolean): Terminal & { written: string[] } {
  const written: string[] = [];
  return { written, out: (t) => written.push(t), err: () => undefined, color: plain, colorful: tty, interactive: tty, env: {}, cwd: '/' };
}

describe('step events', () => {
  it('say what a step does, then that it is complete and how long it took', () => {
    expect(applyEventLines({ kind: 'step.started', address: 'lock.schema', actions: ['create'] })).toEqual(['lock.schema: Creating...']);
    expect(applyEventLines({ kind: 'step.finished', address: 'lock.schema', actions: ['create'], elapsedMs: 2_400, checkFailed: false }))
      .toEqual(['lock.schema: Creation complete after 2s']);
    expect(applyEventLines({ kind: 'step.started', address: 'class.orders.copy', actions: ['delete', 'create'] })).toEqual(['class.orders.copy: Replacing...']);
    expect(applyEventLines({ kind: 'step.finished', address: 'lock.data', actions: ['delete'], elapsedMs: 0, checkFailed: false }))
      .toEqual(['lock.data: Destruction complete after 0s']);
    expect(applyEventLines({ kind: 'step.started', address: 'hook.rollback', actions: ['create'] })).toEqual(['hook.rollback: Running...']);
  });

  it('a check that ran but failed is not called complete without saying so', () => {
    expect(applyEventLines({ kind: 'step.finished', address: 'class.orders.parity', actions: ['create'], elapsedMs: 1_000, checkFailed: true }))
      .toEqual(['class.orders.parity: Creation complete after 1s, but the check FAILED (the proof below names it)']);
  });
});

describe('results found while applying', () => {
  it('a failed parity in one line; a passed one says nothing', () => {
    const result = {
      class: 'orders', passed: false, checkedAt: '2026-01-01T00:00:00Z', sourceRows: 30, destinationRows: 30, excludedRows: 0,
      differences: [{ kind: 'orphan', count: 3, sampleKeys: [[1]] }],
    };
    expect(applyEventLines({ kind: 'parity.finished', result })).toEqual(['class orders: parity FAILED (source 30 rows, destination 30; 3 orphan)']);
    expect(applyEventLines({ kind: 'parity.finished', result: { ...result, passed: true, differences: [] } })).toEqual([]);
  });

  it('a failed check with each of its problems and up to three samples', () => {
    const e: ApplyEvent = {
      kind: 'check.finished',
      result: {
        class: 'invoices', kind: 'money', passed: false, checkedAt: '2026-01-01T00:00:00Z', summary: '2 day/currency totals of 4 do not reconcile',
        problems: [
          { kind: 'day-mismatch', count: 2, detail: 'totals differ', samples: ['2026-01-01', { day: '2026-01-02' }, 'c', 'd'] },
          { kind: 'missing-day', count: 1, samples: [] },
        ],
      },
    };
    expect(applyEventLines(e)).toEqual([
      'money check of invoices FAILED: 2 day/currency totals of 4 do not reconcile',
      '  day-mismatch: 2 (totals differ); e.g. 2026-01-01; {"day":"2026-01-02"}; c',
      '  missing-day: 1',
    ]);
  });

  it('hooks, a support schema kept for others, and a phase reached', () => {
    expect(applyEventLines({ kind: 'hook.started', address: 'hook.rollback', run: './undo.sh' })).toEqual(['hook.rollback: running `./undo.sh`']);
    expect(applyEventLines({ kind: 'hook.output', address: 'hook.rollback', line: 'undone' })).toEqual(['  undone']);
    expect(applyEventLines({ kind: 'support.kept', schema: 'cutover', users: ['a', 'b', 'c', 'd', 'e'] }))
      .toEqual(['schema cutover stays on the source: it still holds a, b, c and 2 more']);
    expect(applyEventLines({ kind: 'phase.reached', phase: 'locked' })).toEqual(['Phase locked reached.']);
  });

  it('how apply ended is left to the command, which says it from the outcome', () => {
    const gate: Gate = { address: 'gate.locked', phase: 'locked', status: 'blocked', reasons: ['x'] };
    for (const e of [
      { kind: 'apply.started', target: 'locked', from: 'none' },
      { kind: 'gate.stopped', gate, phase: 'none', applied: 0 },
      { kind: 'apply.stopped', why: 'gate', gate, phase: 'none', applied: 0 },
      { kind: 'apply.finished', phase: 'locked', applied: 3 },
    ] satisfies ApplyEvent[]) expect(applyEventLines(e)).toEqual([]);
  });
});

describe('the printer', () => {
  const progress = { class: 'ledger', rows: 100_000, resumedRows: 0, estimate: 300_000, bytes: 0, elapsedMs: 10_000, done: false };

  it('draws copy progress with the pace the engine computed, rewritten in place on a terminal', () => {
    const term = terminal(true);
    const print = applyEventPrinter(term);
    print(copyProgressed(progress));
    print({ kind: 'step.finished', address: 'class.ledger.copy', actions: ['create'], elapsedMs: 10_000, checkFailed: false });
    expect(term.written).toEqual([
      '\r\x1b[2Kclass.ledger.copy: 100,000 rows of about 300,000 (33%), 10,000 rows/s, about 20 seconds left',
      'class.ledger.copy: Creation complete after 10s\n',
    ]);
  });

  it('elsewhere prints plain progress lines and every other line as it comes', () => {
    const term = terminal(false);
    const print = applyEventPrinter(term);
    print({ kind: 'step.started', address: 'class.ledger.copy', actions: ['create'] });
    print(copyProgressed(progress));
    print(copyProgressed({ ...progress, rows: 300_000, done: true }));
    expect(term.written).toEqual([
      'class.ledger.copy: Creating...\n',
      'class.ledger.copy: 100,000 rows of about 300,000 (33%), 10,000 rows/s, about 20 seconds left\n',
      'class.ledger.copy: 300,000 rows, 30,000 rows/s, done\n',
    ]);
  });
});

describe('copy progress events', () => {
  it('carry the pace of this run only: a resumed copy does not count the killed run\'s rows', () => {
    const raw = { class: 'ledger', rows: 200_000, resumedRows: 150_000, estimate: 300_000, bytes: 9, elapsedMs: 10_000, done: false };
    expect(copyProgressed(raw)).toMatchObject({ kind: 'copy.progress', class: 'ledger', rows: 200_000, bytes: 9, rate: 5_000, etaSeconds: 20 });
    expect(copyProgressed({ ...raw, rows: 300_000, done: true }).etaSeconds).toBeUndefined();
  });
});
