// `cutover status` for people: the phase line, the gates, what is installed, the event log tail.
import type { ChalkInstance } from 'chalk';
import { plural } from './words.js';
import type { StatusReport } from '../../engine/status.js';
import { PHASES } from '../../engine/plan/types.js';
import { scrubDeep } from '../../engine/secrets.js';
import { checksSection, paritySection } from './plan-sections.js';
import { gateLines } from './gate.js';
import { dualRunSection } from './dual-run.js';

/** The five phases in a row, wrapped to fit an 80-column terminal. */
function timeline(report: StatusReport, c: ChalkInstance, width = 78): string {
  const lines: string[] = [];
  let line = '';
  let visible = 0;
  PHASES.forEach((p, i) => {
    const text = p === report.phase ? ` ${p} ` : p;
    const styled = p === report.phase ? c.bold.inverse(text) : report.phaseTimes[p] ? c.green(text) : c.dim(text);
    const arrow = i < PHASES.length - 1 ? ' → ' : '';
    if (visible > 0 && visible + text.length + arrow.length > width) {
      lines.push(line);
      line = '';
      visible = 0;
    }
    line += styled + c.dim(arrow);
    visible += text.length + arrow.length;
  });
  lines.push(line);
  return lines.map((l) => l.trimEnd()).join('\n');
}

/** With no gate ahead the target's phase is recorded, but that is not the same as proven now. */
function targetLine(report: StatusReport): string {
  const failing = report.plan.parity.filter((p) => !p.passed).length + (report.plan.checks ?? []).filter((k) => !k.passed).length;
  const pending = report.plan.changes.length;
  if (!failing && !pending) return '(none ahead: the target is reached)';
  const what = [failing ? plural(failing, 'failing check') : '', pending ? plural(pending, 'pending change') : ''].filter(Boolean).join(', ');
  return `(none ahead, but the target does not stand now: ${what}; see \`cutover plan\`)`;
}

/** `planFile` is how the hints name the plan (`cutover mirror plans/shop.yaml`). */
export function renderStatus(raw: StatusReport, c: ChalkInstance, planFile = 'PLAN'): string {
  const report = scrubDeep(raw);
  const lines = [
    `${c.bold(report.name)}: phase ${report.phase}, target ${report.target}`,
    c.dim(`as of ${report.now} by the migration's clock`),
    timeline(report, c),
    '',
  ];
  if (report.drift.length) lines.push(c.red('Source drift since the lock:'), ...report.drift.map((d) => `  ${d}`), '');
  lines.push('Gates:');
  if (report.plan.gates.length === 0) lines.push(`  ${targetLine(report)}`);
  for (const g of report.plan.gates) lines.push(...gateLines(g, { as: 'listed', now: report.now, c }));
  const sections = [dualRunSection(report.plan.dualRun, planFile, c), paritySection(report.plan.parity, c), checksSection(report.plan.checks, c)];
  for (const section of sections) if (section.length) lines.push('', ...section);
  lines.push('', 'Installed:');
  if (report.resources.length === 0) lines.push('  nothing yet');
  for (const r of report.resources) lines.push(`  ${r.address} (${r.phase}, ${r.appliedAt})`);
  lines.push('', 'Recent events:');
  if (report.events.length === 0) lines.push('  none');
  for (const e of report.events) {
    const what = e.address ?? (typeof e.detail.phase === 'string' ? e.detail.phase : '');
    lines.push(`  ${e.at} ${e.actor} ${e.kind}${what ? ` ${what}` : ''}: ${e.outcome}`);
  }
  return `${lines.join('\n')}\n`;
}
