// The one place what a check or preflight found becomes text for a person: preflight findings,
// parity results and the money, audit, attachments and custom-code checks, as plan and status
// list them and as apply reports a failure the moment it happens.
import type { ChalkInstance } from 'chalk';
import type { CheckResult, Finding, ParityResult, PlanResult } from '../../engine/diff/plan-result.js';
import { severityLabel } from './plan-summary.js';
import { formatKeys, percent, plural, thousands } from './words.js';

/** The human output shows this many sample keys (or samples) per line; the JSON keeps them all. */
const SAMPLE_KEYS_SHOWN = 5;
/** apply's one-line report of a failed check names this many samples of each problem */
const SAMPLES_WHILE_APPLYING = 3;

type Problem = CheckResult['problems'][number];

/** `orphan: 3 (detail)`: a check's problem, its count, and what it is about. */
function problemHead(p: Problem): string {
  return `${p.kind}: ${p.count}${p.detail ? ` (${p.detail})` : ''}`;
}

function samplesText(samples: readonly unknown[], shown: number): string {
  return samples.slice(0, shown).map((s) => (typeof s === 'string' ? s : JSON.stringify(s))).join('; ');
}

/** apply, as soon as a parity check fails: `class orders: parity FAILED (source 30 rows, destination 30; 3 orphan)` */
export function parityFailedLine(result: ParityResult): string {
  const kinds = result.differences.map((d) => `${d.count} ${d.kind}`).join(', ');
  return `class ${result.class}: parity FAILED (source ${result.sourceRows} rows, destination ${result.destinationRows}${kinds ? `; ${kinds}` : ''})`;
}

/** apply, as soon as a check fails: its summary, then each of its problems (the summary names only the first). */
export function checkFailedLines(result: CheckResult): string[] {
  return [
    `${result.kind} check of ${result.class} FAILED: ${result.summary}`,
    ...result.problems.map((p) => `  ${problemHead(p)}${p.samples.length ? `; e.g. ${samplesText(p.samples, SAMPLES_WHILE_APPLYING)}` : ''}`),
  ];
}

export function checkLines(k: CheckResult, c: ChalkInstance): string[] {
  const mark = k.passed ? c.green('✓') : c.red('✗');
  const lines = [`  ${mark} ${k.class} ${k.kind}: ${k.summary}`];
  for (const p of k.problems) {
    lines.push(`      ${problemHead(p)}`);
    if (p.samples.length) lines.push(`        e.g. ${samplesText(p.samples, SAMPLE_KEYS_SHOWN)}`);
  }
  return lines;
}

export function findingLines(f: Finding, target: PlanResult['target'], c: ChalkInstance): string[] {
  const label = severityLabel(f, target);
  const severity = f.severity === 'error' ? c.red(label.padEnd(7)) : c.yellow(label);
  const facts = [f.kind];
  if (f.column) facts.push(`column ${f.column}`);
  if (f.count !== undefined) facts.push(rowsText(f.count, f.share));
  if (f.line !== undefined) facts.push(`plan line ${f.line}`);
  const lines = [`    ${severity} ${facts.join(', ')}`, `            ${f.message}`];
  if (f.sampleKeys?.length) lines.push(`            sample keys: ${sampleText(f.sampleKeys, f.count)}`);
  return lines;
}

function rowsText(count: number, share: number | undefined): string {
  const rows = plural(count, 'row');
  return share === undefined ? rows : `${rows} (${percent(share)})`;
}

export function parityLines(p: ParityResult, c: ChalkInstance): string[] {
  const verdict = p.passed ? `${c.green('✓')} ${c.bold(p.class)} passed` : `${c.red('✗')} ${c.bold(p.class)} failed`;
  const counts = [plural(p.sourceRows, 'source row'), plural(p.destinationRows, 'destination row')];
  if (p.excludedRows) counts.push(`${thousands(p.excludedRows)} excluded by where`);
  const lines = [`  ${verdict}: ${counts.join(', ')} (checked ${p.checkedAt})`];
  for (const d of p.differences) {
    const columns = d.columns?.length ? ` in ${d.columns.join(', ')}` : '';
    const detail = d.detail ? ` (${d.detail})` : '';
    const keys = d.sampleKeys.length ? `; sample keys: ${sampleText(d.sampleKeys, d.count)}` : '';
    lines.push(`      ${d.kind}: ${plural(d.count, 'row')}${columns}${detail}${keys}`);
  }
  return lines;
}

function sampleText(keys: readonly unknown[][], total: number | undefined): string {
  const shown = keys.slice(0, SAMPLE_KEYS_SHOWN);
  const more = Math.max(total ?? keys.length, keys.length) - shown.length;
  return more > 0 ? `${formatKeys(shown)} and ${thousands(more)} more` : formatKeys(shown);
}
