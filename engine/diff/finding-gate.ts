// Which gate each kind of finding closes: read by the gates and by the plan's summary
// (plan-result.ts), which gates.ts itself reads, so it sits apart from both.
import type { Phase } from '../plan/types.js';

/** Which gate a kind of finding closes. Coverage closes the lock; data findings close the copy. */
const FINDING_GATE: Record<string, Phase> = {
  'unclassified-table': 'locked',
  'unmapped-column': 'locked',
  'dropped-column-missing': 'locked',
  'custom-code-unlisted': 'locked',
  'custom-code-missing': 'locked',
  'source-table-missing': 'locked',
  'source-key-missing': 'locked',
  'reimplemented-missing': 'dual_run',
};

export function findingGate(kind: string): Phase {
  return FINDING_GATE[kind] ?? 'round_tripped';
}

/** The gate a finding closes: its own, or its kind's. */
export function gateOf(f: { kind: string; gate?: Phase }): Phase {
  return f.gate ?? findingGate(f.kind);
}
