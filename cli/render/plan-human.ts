// `cutover plan` for a terminal, in terraform's shape: legend, changes by phase, the sections that
// say what stands in the way, and the summary line last, where the eye ends up.
import type { ChalkInstance } from 'chalk';
import type { PlanResult } from '../../engine/diff/plan-result.js';
import { marker } from './plan-attributes.js';
import { renderChangeBlock } from './plan-change-block.js';
import { groupByPhase, legendEntries, phaseTitle } from './plan-changes.js';
import { checksSection, findingSection, gateSection, paritySection, windowSection } from './plan-sections.js';
import { hasNothingToDo, NO_CHANGES, noChangesExplanation, summaryLine } from './plan-summary.js';
import { redactDeep } from './redact.js';

export function renderPlanHuman(result: PlanResult, color: ChalkInstance): string {
  const r = redactDeep(result);
  const blocks = [
    ...opening(r, color),
    gateSection(r, color),
    windowSection(r.windows, color),
    findingSection(r.findings, color),
    paritySection(r.parity, color),
    checksSection(r.checks, color),
    hasNothingToDo(r) ? [] : [summaryLine(r.summary).replace(/^Plan:/, color.bold('Plan:'))],
  ];
  return `${blocks.filter((b) => b.length).map((b) => b.join('\n')).join('\n\n')}\n`;
}

function opening(r: PlanResult, c: ChalkInstance): string[][] {
  if (hasNothingToDo(r)) return [[c.green.bold(NO_CHANGES)], [noChangesExplanation(r)]];
  if (!r.changes.length) return [['cutover has nothing it can apply until what is reported below is resolved.']];
  return [legend(r, c), [c.bold('cutover will perform the following actions:')], ...phaseBlocks(r, c)];
}

function legend(r: PlanResult, c: ChalkInstance): string[] {
  return [
    'cutover compared the plan with both databases and its state. Actions are indicated with the following symbols:',
    ...legendEntries(r.changes).map(({ symbol, meaning }) => `${marker(symbol, c)} ${meaning}`),
  ];
}

function phaseBlocks(r: PlanResult, c: ChalkInstance): string[][] {
  return groupByPhase(r.changes).flatMap(({ phase, changes }) => [
    [c.bold.underline(phaseTitle(phase))],
    ...changes.map((change) => renderChangeBlock(change, c)),
  ]);
}
