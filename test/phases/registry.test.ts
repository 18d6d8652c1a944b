import { describe, expect, it } from 'vitest';
import { PHASES } from '../../engine/plan/types.js';
import { REGISTRY } from '../../engine/phases/registry.js';
import { isPast, next, previous, rank, reached } from '../../engine/phases/phase-order.js';

describe('the phase registry', () => {
  it('holds one module per forward phase, in the order apply reaches them', () => {
    expect(REGISTRY.map((m) => m.phase)).toEqual([...PHASES]);
  });

  it('ranks none and rolled_back below every forward phase', () => {
    for (const phase of PHASES) {
      expect(reached('none', phase)).toBe(false);
      expect(reached('rolled_back', phase)).toBe(false);
      expect(isPast('rolled_back', phase)).toBe(false);
    }
    expect(rank('rolled_back')).toBe(-1);
  });

  it('steps forward from none to closed and no further, and not on from a rollback', () => {
    expect(next('none')).toBe('locked');
    expect(next('dual_run')).toBe('reads_switched');
    expect(next('closed')).toBeUndefined();
    expect(next('rolled_back')).toBeUndefined();
    expect(previous('locked')).toBeUndefined();
    expect(previous('round_tripped')).toBe('locked');
  });
});
