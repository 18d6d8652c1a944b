// `cutover plan --format markdown`, for pull-request comments: the verdict first (reviewers read
// the top and stop), the gates, then details collapsed. GitHub refuses long comments, so details
// are elided to fit, sample keys first, never the verdict or the gates.
import { Chalk } from 'chalk';
import type { Change, Finding, Gate, ParityResult, PlanResult, WriteWindow } from '../../engine/diff/plan-result.js';
import { fitSections, type Collapsible } from './markdown-budget.js';
import { cell, code, details, escapeMarkdown, fenceFor, tableHeader, tableRow, truncate } from './markdown.js';
import { renderChangeBlock } from './plan-change-block.js';
import { groupByPhase, phaseTitle } from './plan-changes.js';
import { describeStateLock, errorsFirst } from './plan-sections.js';
import { gateLines } from './gate.js';
import { dualRunSection, mirrorWarning } from './dual-run.js';
import { hasNothingToDo, noChangesExplanation, severityLabel, verdict } from './plan-summary.js';
import { scrubDeep } from '../../engine/secrets.js';
import { formatKeys, humanDuration, percent, plural, thousands } from './words.js';

export const MARKDOWN_LIMIT = 60_000;
/** the blank lines joining the parts, with room to spare */
const JOINS = 64;
const MORE = (n: number) => `… and ${thousands(n)} more (run \`cutover plan\` locally for all)`;
const CHANGE_LINES_SHOWN = 40;
const SAMPLE_KEYS_SHOWN = 5;
const plain = new Chalk({ level: 0 });

export function renderPlanMarkdown(result: PlanResult): string {
  const r = scrubDeep(result);
  // gates are never elided in practice (one per phase); the cap only guards against the absurd
  const gates = r.gates.length ? fitSections([gateList(r.gates)], MARKDOWN_LIMIT / 2)[0] : '';
  const top = [...heading(r), gates].filter(Boolean).join('\n\n');
  const budget = MARKDOWN_LIMIT - top.length - JOINS;
  return [top, ...fitDetails(r, budget)].join('\n\n') + '\n';
}

/** Full details if they fit; then without sample keys; then rows collapsed to the budget. */
function fitDetails(r: PlanResult, budget: number): string[] {
  for (const withKeys of [true, false]) {
    const full = detailSections(r, withKeys).map((s) => s.render(s.rows, 0));
    if (full.reduce((n, s) => n + s.length + 2, 0) <= budget) return full;
  }
  return fitSections(detailSections(r, false), budget);
}

function heading(r: PlanResult): string[] {
  const title = `### cutover plan: ${code(r.name)} → ${code(r.target)}`;
  const where = `Phase now: ${code(r.phase)} · clock ${code(r.now)} · plan fingerprint ${code(r.planFingerprint.slice(0, 12))}`;
  const explanation = hasNothingToDo(r) ? `\n\n${escapeMarkdown(noChangesExplanation(r))}` : '';
  const locked = r.stateLock ? [`> **Note:** ${escapeMarkdown(describeStateLock(r.stateLock))}; this plan may show work in progress.`] : [];
  const mirror = mirrorWarning(r.dualRun, 'PLAN', plain).map((line) => `> **${escapeMarkdown(line)}**`);
  return [title, ...locked, ...mirror, `**${verdict(r)}**${explanation}`, where];
}

function gateList(gates: readonly Gate[]): Collapsible {
  return {
    rows: gates.flatMap((g) => gateLines(g, { as: 'markdown' })),
    render: (rows, hidden) => ['**Gates**', '', ...rows, ...(hidden ? [`- ${MORE(hidden)}`] : [])].join('\n'),
  };
}

function detailSections(r: PlanResult, withKeys: boolean): Collapsible[] {
  const sections: Collapsible[] = [];
  if (r.changes.length) sections.push(changeSection(r));
  if (r.dualRun) sections.push(listSection('Dual-run', dualRunSection(r.dualRun, 'PLAN', plain, false).slice(1).map((l) => `- ${escapeMarkdown(l.trim())}`)));
  const drift = driftRows(r);
  if (drift.length) sections.push(listSection(`Drift since the lock (${thousands(drift.length)})`, drift));
  if (r.windows.length) sections.push(windowSection(r.windows));
  if (r.findings.length) sections.push(findingSection(r, withKeys));
  if (r.parity.length) sections.push(paritySection(r.parity, withKeys));
  return sections;
}

function changeSection(r: PlanResult): Collapsible {
  const rows = groupByPhase(r.changes).flatMap(({ phase, changes }) =>
    changes.map((c, i) => (i === 0 ? `# ${phaseTitle(phase)}\n\n` : '') + changeText(c, r.changes)),
  );
  const { add, change, destroy } = r.summary;
  const title = `Changes: ${add} to add, ${change} to change, ${destroy} to destroy`;
  return {
    rows,
    render: (shown, hidden) => {
      const body = shown.join('\n\n');
      const fence = fenceFor(body);
      const block = shown.length ? `${fence}diff\n${body}\n${fence}` : '';
      return details(title, [block, hidden ? MORE(hidden) : ''].filter(Boolean).join('\n\n'));
    },
  };
}

/** terraform's block with each symbol moved to the first column, so GitHub colours the lines. */
function changeText(change: Change, others: readonly Change[]): string {
  const lines = renderChangeBlock(change, plain, others).map((line) => line.replace(/^(\s+)(-\/\+|\+\/-|[-+~])(?=\s|$)/, '$2$1'));
  if (lines.length <= CHANGE_LINES_SHOWN) return lines.join('\n');
  const kept = lines.slice(0, CHANGE_LINES_SHOWN - 1);
  return [...kept, `    … ${plural(lines.length - kept.length, 'more line')}`].join('\n');
}

function driftRows(r: PlanResult): string[] {
  return [
    ...(r.drift?.source ?? []).map((d) => `- changed: ${cell(d)}`),
    ...(r.drift?.connections ?? []).map((who) => `- new client: ${code(who)} (a possible new integration)`),
  ];
}

function windowSection(windows: readonly WriteWindow[]): Collapsible {
  const rows = windows.map((w) => `- ${code(w.phase)}: ${cell(w.reason)}, ${humanDuration(w.estimatedSeconds)} (${cell(w.basis)})`);
  return listSection(`Write windows (${windows.length})`, rows);
}

function listSection(title: string, rows: string[]): Collapsible {
  return {
    rows,
    render: (shown, hidden) => details(title, [...shown, ...(hidden ? [`- ${MORE(hidden)}`] : [])].join('\n')),
  };
}

function findingSection(r: PlanResult, withKeys: boolean): Collapsible {
  const findings = r.findings;
  const errors = findings.filter((f) => f.severity === 'error').length;
  const title = `Preflight findings: ${plural(errors, 'error')}, ${plural(findings.length - errors, 'warning')}`;
  const titles = ['class', 'severity', 'kind', 'column', 'rows', 'message', ...(withKeys ? ['sample keys'] : []), 'plan line'];
  const header = tableHeader(titles, ['left', 'left', 'left', 'left', 'right']);
  return tableSection(title, header, errorsFirst(findings).map((f) => findingRow(f, r.target, withKeys)));
}

function findingRow(f: Finding, target: PlanResult['target'], withKeys: boolean): string {
  const rows = f.count === undefined ? '' : `${thousands(f.count)}${f.share === undefined ? '' : ` (${percent(f.share)})`}`;
  const keys = withKeys ? [cell(formatKeys((f.sampleKeys ?? []).slice(0, SAMPLE_KEYS_SHOWN)))] : [];
  const line = f.line === undefined ? '' : String(f.line);
  return tableRow([cell(f.class), severityLabel(f, target), cell(f.kind), cell(f.column ?? ''), rows, cell(f.message), ...keys, line]);
}

function paritySection(parity: readonly ParityResult[], withKeys: boolean): Collapsible {
  const failed = parity.filter((p) => !p.passed).length;
  const title = `Parity: ${thousands(parity.length - failed)} passed, ${thousands(failed)} failed`;
  const header = tableHeader(['class', 'result', 'source rows', 'destination rows', 'excluded', 'differences'], ['left', 'left', 'right', 'right', 'right']);
  const failedFirst = [...parity].sort((a, b) => Number(a.passed) - Number(b.passed));
  return tableSection(title, header, failedFirst.map((p) => parityRow(p, withKeys)));
}

function parityRow(p: ParityResult, withKeys: boolean): string {
  const differences = p.differences.map((d) => {
    const columns = d.columns?.length ? ` in ${d.columns.join(', ')}` : '';
    const keys = withKeys && d.sampleKeys.length ? `: ${formatKeys(d.sampleKeys.slice(0, SAMPLE_KEYS_SHOWN))}` : '';
    return `${d.kind} ${thousands(d.count)}${columns}${d.detail ? ` (${d.detail})` : ''}${keys}`;
  });
  const counts = [p.sourceRows, p.destinationRows, p.excludedRows].map(thousands);
  return tableRow([cell(p.class), p.passed ? '✓ passed' : '✗ failed', ...counts, escapeMarkdown(truncate(differences.join('; '), 600))]);
}

function tableSection(title: string, header: string[], rows: string[]): Collapsible {
  return {
    rows,
    // the blank line matters: a text line straight after a table would become one of its rows
    render: (shown, hidden) => details(title, [shown.length ? [...header, ...shown].join('\n') : '', hidden ? MORE(hidden) : ''].filter(Boolean).join('\n\n')),
  };
}
