// What `plan` says of the data once dual-run has begun, when writes flow by design. A data finding
// of the source (a value the destination's types refuse) no longer holds back the copy, which is
// done and proven: the mirror parks those rows' changes, and the finding holds back the go-live.
// Rows of a class's destination table that cutover did not write are a writer on a destination
// that is not live yet: a defect, named with its table and keys, closing the go-live too. Once
// writes are switched the destination is live, and the source's data is history. Pure.
import type { Plan } from '../plan/types.js';
import { findingGate } from './finding-gate.js';
import type { Finding } from './plan-result.js';

export const WRITTEN_OUTSIDE = 'written-outside-cutover';

export function dualRunFindings(plan: Plan, findings: readonly Finding[], tables: ReadonlyMap<string, { foreign: number; sampleKeys: unknown[][] }>): Finding[] {
  const moved = findings.map((f) => (f.gate === undefined && findingGate(f.kind) === 'round_tripped' ? { ...f, gate: 'reads_switched' as const } : f));
  const rogue: Finding[] = [];
  for (const [name, c] of Object.entries(plan.classes)) {
    const found = tables.get(name);
    if (!found || found.foreign === 0) continue;
    rogue.push({
      class: name, kind: WRITTEN_OUTSIDE, severity: 'error', gate: 'reads_switched', count: found.foreign, sampleKeys: found.sampleKeys,
      message: `${found.foreign} row${found.foreign === 1 ? '' : 's'} of ${c.destination.table} ${found.foreign === 1 ? 'was' : 'were'} written or changed by someone other than cutover during dual-run; the destination is not live yet, so find that writer and stop it, then touch those rows on the source so the mirror writes them again`,
    });
  }
  return [...moved, ...rogue];
}

/** After the write switch the source is read-only and its data history: findings about it that
 * would hold back the copy (long since proven) hold back nothing. */
export function afterSwitchFindings(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => f.gate !== undefined || findingGate(f.kind) !== 'round_tripped');
}
