// `cutover status` for people: the phase line, the gates, what is installed, the event log tail.
import type { ChalkInstance } from 'chalk';
import type { StatusReport } from '../../engine/status.js';
import { PHASES } from '../../engine/plan/types.js';
import { checksSection, paritySection } from './plan-sections.js';

function timeline(report: StatusReport, c: ChalkInstance): string {
  return PHASES.map((p) => (p === report.phase ? c.bold.inverse(` ${p} `) : report.phaseTimes[p] ? c.green(p) : c.dim(p))).join(c.dim(' → '));
}

export function renderStatus(report: StatusReport, c: ChalkInstance): string {
  const lines = [
    `${c.bold(report.name)}: phase ${report.phase}, target ${report.target} (clock: ${report.now})`,
    timeline(report, c),
    '',
  ];
  if (report.drift.length) lines.push(c.red('Source drift since the lock:'), ...report.drift.map((d) => `  ${d}`), '');
  lines.push('Gates:');
  if (report.plan.gates.length === 0) lines.push('  (none ahead: the target is reached)');
  for (const g of report.plan.gates) {
    const mark = g.status === 'open' ? c.green('✓') : g.status === 'blocked' ? c.red('✗') : c.yellow('…');
    lines.push(`  ${mark} ${g.address}${g.opensAt ? ` (opens at ${g.opensAt})` : ''}`, ...g.reasons.map((r) => `      ${r}`));
  }
  for (const section of [paritySection(report.plan.parity, c), checksSection(report.plan.checks, c)]) if (section.length) lines.push('', ...section);
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
