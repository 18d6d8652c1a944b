// The one-line verdict every plan output ends (or, in Markdown, starts) with. Scripts and people
// grep for it, so its wording is fixed here once.
import type { PlanResult, PlanSummary } from '../../engine/diff/plan-result.js';
import { plural } from './words.js';

export const NO_CHANGES = 'No changes. The destination matches the plan.';

/** `Plan: 3 to add, 1 to change, 0 to destroy. 1 gate blocked. 2 data problems.` */
export function summaryLine(s: PlanSummary): string {
  const parts = [`Plan: ${s.add} to add, ${s.change} to change, ${s.destroy} to destroy.`];
  if (s.gatesBlocked > 0) parts.push(`${plural(s.gatesBlocked, 'gate')} blocked.`);
  if (s.dataProblems > 0) parts.push(`${plural(s.dataProblems, 'data problem')}.`);
  return parts.join(' ');
}

/** Nothing to apply and nothing standing in the way: terraform's "No changes." case. */
export function hasNothingToDo(result: PlanResult): boolean {
  return result.changes.length === 0 && result.summary.gatesBlocked === 0 && result.summary.dataProblems === 0;
}

/** The verdict: the summary line, or the fixed "No changes." sentence. */
export function verdict(result: PlanResult): string {
  return hasNothingToDo(result) ? NO_CHANGES : summaryLine(result.summary);
}

export function noChangesExplanation(result: PlanResult): string {
  return `cutover compared the plan with both databases and its state and found nothing to apply on the way to target ${result.target}.`;
}
