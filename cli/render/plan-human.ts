// `cutover plan` for a terminal, in terraform's shape: legend, changes by phase, the sections that
// say what stands in the way, and the summary line last, where the eye ends up.
import type { ChalkInstance } from 'chalk';
import type { PlanResult } from '../../engine/diff/plan-result.js';
import { marker } from './plan-attributes.js';
import { renderChangeBlock } from './plan-change-block.js';
import { groupByPhase, legendEntries, phaseTitle } from './plan-changes.js';
import { checksSection, driftSection, findingSection, gateSection, paritySection, stateLockNote, windowSection } from './plan-sections.js';
import { hasNothingToDo, NO_CHANGES, noChangesExplanation, verdict } from './plan-summary.js';
import { scrubDeep } from '../../engine/secrets.js';
import { dualRunSection, mirrorWarning } from './dual-run.js';

/** `planFile` is how the hints name the plan (`cutover mirror plans/shop.yaml`). */
export function renderPlanHuman(result: PlanResult, color: ChalkInstance, planFile = 'PLAN'): string {
  const r = scrubDeep(result);
  const blocks = [
    stateLockNote(r, color),
    mirrorWarning(r.dualRun, planFile, color),
    ...opening(r, color),
    gateSection(r, color),
    dualRunSection(r.dualRun, planFile, color, false),
    driftSection(r.drift, color),
    windowSection(r.windows, color),
    findingSection(r.findings, r.target, color),
    paritySection(r.parity, color),
    checksSection(r.checks, color),
    hasNothingToDo(r) ? [] : [verdict(r).replace(/^(Plan:|No changes\.)/, (m) => color.bold(m))],
  ];
  return `${blocks.filter((b) => b.length).map((b) => b.join('\n')).join('\n\n')}\n`;
}

function opening(r: PlanResult, c: ChalkInstance): string[][] {
  if (hasNothingToDo(r)) return [[c.green.bold(NO_CHANGES)], [noChangesExplanation(r)]];
  if (!r.changes.length && !r.summary.gatesBlocked && !r.summary.dataProblems) {
    return [[`${noChangesExplanation(r)} What is reported below stands in the way of a later phase.`]];
  }
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
    ...changes.map((change) => renderChangeBlock(change, c, r.changes)),
  ]);
}
