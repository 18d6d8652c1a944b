// Every gate, wherever it shows (plan and status, a pull-request comment, where apply or rollback
// stopped), drawn by one function: which gate, what keeps it closed, when it opens.
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { gateLines } from '../../cli/render/gate.js';
import type { Gate } from '../../engine/diff/plan-result.js';

const plain = new Chalk({ level: 0 });

describe('one gate, every view', () => {
  const blocked: Gate = { address: 'gate.dual_run', phase: 'dual_run', status: 'blocked', reasons: ['parity failed for orders', 'capture lag too high'] };
  const waiting: Gate = { address: 'gate.closed', phase: 'closed', status: 'blocked', reasons: ['retention ends later'], opensAt: '2026-01-01T01:00:00Z' };

  it('as plan and status list it', () => {
    expect(gateLines(blocked, { as: 'listed', now: '2026-01-01T00:00:00Z', c: plain })).toEqual([
      '  ✗ gate.dual_run blocked', '      - parity failed for orders', '      - capture lag too high',
    ]);
    expect(gateLines(waiting, { as: 'listed', now: '2026-01-01T00:00:00Z', c: plain })).toEqual([
      '  ✗ gate.closed blocked', '      - retention ends later', '      opens at 2026-01-01T01:00:00Z (in about 60 minutes)',
    ]);
    expect(gateLines({ address: 'gate.locked', phase: 'locked', status: 'open', reasons: [] }, { as: 'listed', now: '', c: plain }))
      .toEqual(['  ✓ gate.locked open']);
  });

  it('where apply stopped, with what opens it', () => {
    expect(gateLines(blocked, { as: 'stopped', by: 'apply', c: plain }).join('\n')).toBe(
      '\nStopped at gate.dual_run: apply did not go past it.\n  - parity failed for orders\n  - capture lag too high\nIt opens when the reasons above are resolved.');
    expect(gateLines(waiting, { as: 'stopped', by: 'apply', c: plain }).at(-1)).toBe('It opens at 2026-01-01T01:00:00Z.');
  });

  it('where rollback stopped', () => {
    expect(gateLines(blocked, { as: 'stopped', by: 'rollback', c: plain }).join('\n')).toBe(
      '\nRollback stopped at gate.dual_run:\n  - parity failed for orders\n  - capture lag too high');
  });

  it('in a pull-request comment, escaped and capped', () => {
    const many: Gate = { ...blocked, reasons: Array.from({ length: 12 }, (_, i) => `reason_${i}`) };
    const [item] = gateLines(many, { as: 'markdown' });
    expect(item).toMatch(/^- ✗ `gate.dual_run` blocked: reason\\_0; .*reason\\_9; and 2 more$/);
    expect(gateLines(waiting, { as: 'markdown' })).toEqual(['- ✗ `gate.closed` blocked: retention ends later (opens at `2026-01-01T01:00:00Z`)']);
  });
});
