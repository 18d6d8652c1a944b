// The one-line verdict every plan output ends (or, in Markdown, starts) with. Scripts and people
// grep for it, so its wording is fixed here once.
import { blocksLater, type Finding, type PlanResult, type PlanSummary } from '../../engine/diff/plan-result.js';
import type { Phase } from '../../engine/plan/types.js';
import { rank } from '../../engine/phases/phase-order.js';
import { plural } from './words.js';

export const NO_CHANGES = 'No changes. The destination matches the plan.';

/** `Plan: 3 to add, 1 to change, 0 to destroy. 1 gate blocked. 2 data problems.` */
export function summaryLine(s: PlanSummary): string {
  return [`Plan: ${s.add} to add, ${s.change} to change, ${s.destroy} to destroy.`, ...standingInTheWay(s)].join(' ');
}

function standingInTheWay(s: PlanSummary): string[] {
  const parts: string[] = [];
  if (s.gatesBlocked > 0) parts.push(`${plural(s.gatesBlocked, 'gate')} blocked.`);
  if (s.dataProblems > 0) parts.push(`${plural(s.dataProblems, 'data problem')}.`);
  return parts;
}

/** Error findings the summary does not count, by the later gate each will block (phase order). */
export function laterErrors(result: PlanResult): Map<Phase, number> {
  const byGate = new Map<Phase, number>();
  for (const f of result.findings) {
    const gate = f.severity === 'error' ? blocksLater(f, result.target) : undefined;
    if (gate) byGate.set(gate, (byGate.get(gate) ?? 0) + 1);
  }
  return new Map([...byGate].sort(([a], [b]) => rank(a) - rank(b)));
}

/** `1 error will block dual_run.` for the errors the summary does not count, and
 * `1 source change since the lock.` for drift, which no later gate may be left to name. */
function laterParts(result: PlanResult): string[] {
  const parts = [...laterErrors(result)].map(([gate, n]) => `${plural(n, 'error')} will block ${gate}.`);
  const drifted = result.drift?.source.length ?? 0;
  if (drifted) parts.push(`${plural(drifted, 'source change')} since the lock.`);
  return parts;
}

/** Nothing to apply and nothing standing in the way, now or later: terraform's "No changes." case. */
export function hasNothingToDo(result: PlanResult): boolean {
  return result.changes.length === 0 && result.summary.gatesBlocked === 0 && result.summary.dataProblems === 0 && laterParts(result).length === 0;
}

/**
 * The verdict, the line scripts and people read: `No changes. The destination matches the plan.`
 * only when nothing stands in the way; with no changes but something in the way, terraform's
 * `No changes.` followed by what it is (`No changes. 1 gate blocked. 2 data problems.`), so no
 * error ever stands below a reassuring line; otherwise the summary line.
 */
export function verdict(result: PlanResult): string {
  if (hasNothingToDo(result)) return NO_CHANGES;
  const rest = laterParts(result);
  if (result.changes.length === 0) return ['No changes.', ...standingInTheWay(result.summary), ...rest].join(' ');
  return [summaryLine(result.summary), ...rest].join(' ');
}

/** The label of a finding in the outputs: `error`, `warning`, or `error (blocks dual_run)` for an
 * error the summary does not count because the gate it closes lies beyond the target. */
export function severityLabel(f: Finding, target: PlanResult['target']): string {
  const later = f.severity === 'error' ? blocksLater(f, target) : undefined;
  return later ? `error (blocks ${later})` : f.severity;
}

export function noChangesExplanation(result: PlanResult): string {
  return `cutover compared the plan with both databases and its state and found nothing to apply on the way to target ${result.target}.`;
}
