// The proof apply prints when it stops: the count of what is left after the samples shown is the
// check's own count, not how many samples were stored.
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { renderProof } from '../../cli/render/proof.js';

const plain = new Chalk({ level: 0 });
const days = Array.from({ length: 20 }, (_, i) => ({ day: `2026-01-${String(i + 1).padStart(2, '0')}`, currency: 'EUR' }));

describe('a failing proof', () => {
  it('says how many more there are from the count, when fewer samples were stored', () => {
    const out = renderProof({
      phase: 'round_tripped', unproven: [],
      failures: [{ check: 'money', class: 'payments', count: 63, unit: 'day/currency total', samples: days, detail: 'day-mismatch: the totals do not reconcile' }],
    }, 'locked', plain);
    expect(out).toContain('63 day/currency totals, day-mismatch');
    expect(out).toMatch(/samples: day 2026-01-01, currency EUR;.*day 2026-01-05, currency EUR \(and 58 more\)\n/);
  });

  it('says nothing more when every sample is shown', () => {
    const out = renderProof({
      phase: 'round_tripped', unproven: [],
      failures: [{ check: 'parity', class: 'orders', count: 2, unit: 'row', samples: [[1], [2]], detail: 'rows missing from the destination' }],
    }, 'locked', plain);
    expect(out).toContain('sample keys: 1; 2\n');
  });
});
