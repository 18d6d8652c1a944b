// The dual-run as plan and status show it: whether the mirror runs, how far behind it is, what it
// parked and what the latest compares found. The one place these facts become text for a person.
import type { ChalkInstance } from 'chalk';
import type { DualRunView } from '../../engine/phases/dual-run-record.js';
import { formatKey, humanDuration, plural, thousands } from './words.js';

/** `0.4s`, `42s`: lag is read to the tenth of a second while it is small */
function lagText(seconds: number): string {
  return seconds < 10 ? `${seconds.toFixed(1)}s` : humanDuration(seconds).replace(/^about /, '');
}

function ago(seconds: number): string {
  return seconds < 1 ? 'just now' : `${humanDuration(seconds).replace(/^about /, '')} ago`;
}

/** The line a person must act on: dual-run or the tail window with no mirror following the source. */
export function mirrorWarning(view: DualRunView | undefined, planFile: string, c: ChalkInstance): string[] {
  if (!view?.mirrorExpected || view.mirror?.running) return [];
  return [c.red(`The mirror is not running: start \`cutover mirror ${planFile}\``)];
}

function mirrorLine(view: DualRunView, c: ChalkInstance): string {
  const m = view.mirror;
  if (!m) return `  mirror: ${c.red('never started')}`;
  const where = `on ${m.host} (pid ${m.pid})`;
  if (m.running) {
    return `  mirror: ${c.green('running')} ${where} since ${m.startedAt}, last beat ${ago(m.ageSeconds)}; ` +
      `${plural(m.applied, 'change')} applied, ${thousands(Math.round(m.rate))} changes/s`;
  }
  const why = m.stoppedAt ? `stopped at ${m.stoppedAt}` : `last beat ${ago(m.ageSeconds)} (${m.beatAt})`;
  return `  mirror: ${c.red('not running')}, ${why}; it ran ${where} and applied ${plural(m.applied, 'change')}`;
}

function parkedLines(view: DualRunView, c: ChalkInstance): string[] {
  const { count, first } = view.parked;
  if (count === 0) return [`  parked: ${c.green('none')}`];
  const lines = [`  parked: ${c.red(plural(count, 'change'))} the destination refused`];
  for (const p of first) lines.push(`    ${p.class} ${formatKey(p.key)} (${p.op}, ${plural(p.attempts, 'attempt')}): ${p.message}`);
  if (count > first.length) lines.push(`    and ${thousands(count - first.length)} more`);
  return lines;
}

function compareLines(view: DualRunView, c: ChalkInstance): string[] {
  if (view.compareCount === 0) return ['  compares: none yet'];
  const failed = view.failedCount ? c.red(`${thousands(view.failedCount)} failed`) : 'none failed';
  const lines = [`  compares: ${plural(view.compareCount, 'compare')} since dual-run began, ${failed}; latest first:`];
  for (const k of view.compares) {
    const found = k.clean ? c.green('clean') : k.differing.length
      ? `${c.red('differed')}: ${k.differing.map((d) => `${d.class} ${plural(d.count, 'key')}`).join(', ')}`
      : c.red('failed');
    lines.push(`    ${k.at} ${found}`);
  }
  return lines;
}

/** `warn`: open with the mirror warning (status); plan prints that warning first of all instead. */
export function dualRunSection(view: DualRunView | undefined, planFile: string, c: ChalkInstance, warn = true): string[] {
  if (!view) return [];
  const lag = view.pending === 0 && view.lagSeconds === 0
    ? 'caught up, nothing waiting'
    : `${lagText(view.lagSeconds)} behind the source, ${plural(view.pending, 'change')} waiting`;
  return [
    c.bold('Dual-run:'),
    ...(warn ? mirrorWarning(view, planFile, c).map((l) => `  ${l}`) : []),
    mirrorLine(view, c),
    `  lag: ${lag}`,
    ...parkedLines(view, c),
    ...compareLines(view, c),
  ];
}
