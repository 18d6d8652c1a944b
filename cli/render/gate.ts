// The one place a gate becomes text: in plan and status (every gate, listed), in a pull-request
// comment, and where apply or rollback stopped. Each view says the same three things in its own
// shape: which gate, what keeps it closed, and when it opens.
import type { ChalkInstance } from 'chalk';
import type { Gate } from '../../engine/diff/plan-result.js';
import { code, cell } from './markdown.js';
import { humanDuration, thousands } from './words.js';

/** A Markdown item names this many reasons; a terminal shows them all. */
const MARKDOWN_REASONS_SHOWN = 10;

export type GateView =
  /** plan and status: icon, status, each reason, and when time opens it (`now` says how soon) */
  | { as: 'listed'; now: string; c: ChalkInstance }
  /** `cutover plan --format markdown`: one list item */
  | { as: 'markdown' }
  /** where `cutover apply` or `cutover rollback` stopped, as its closing message */
  | { as: 'stopped'; by: 'apply' | 'rollback'; c: ChalkInstance };

export function gateLines(g: Gate, view: GateView): string[] {
  switch (view.as) {
    case 'listed': return listed(g, view.now, view.c);
    case 'markdown': return [markdownItem(g)];
    case 'stopped': return view.by === 'apply' ? stoppedApply(g, view.c) : ['', `Rollback stopped at ${g.address}:`, ...reasonLines(g, '  ')];
  }
}

function reasonLines(g: Gate, indent: string): string[] {
  return g.reasons.map((r) => `${indent}- ${r}`);
}

function icon(g: Gate): string {
  return g.status === 'open' ? '✓' : g.status === 'blocked' ? '✗' : '…';
}

function listed(g: Gate, now: string, c: ChalkInstance): string[] {
  const mark = g.status === 'open' ? c.green : g.status === 'blocked' ? c.red : c.yellow;
  const lines = [`  ${mark(icon(g))} ${c.bold(g.address)} ${g.status}`, ...reasonLines(g, '      ')];
  if (g.opensAt) lines.push(`      opens at ${g.opensAt}${fromNow(g.opensAt, now)}`);
  return lines;
}

function fromNow(at: string, now: string): string {
  const seconds = (Date.parse(at) - Date.parse(now)) / 1000;
  return Number.isFinite(seconds) && seconds > 0 ? ` (in ${humanDuration(seconds)})` : '';
}

function markdownItem(g: Gate): string {
  const shown = g.reasons.slice(0, MARKDOWN_REASONS_SHOWN).map(cell);
  if (g.reasons.length > shown.length) shown.push(`and ${thousands(g.reasons.length - shown.length)} more`);
  const reasons = shown.length ? `: ${shown.join('; ')}` : '';
  const opens = g.opensAt ? ` (opens at ${code(g.opensAt)})` : '';
  return `- ${icon(g)} ${code(g.address)} ${g.status}${reasons}${opens}`;
}

function stoppedApply(g: Gate, c: ChalkInstance): string[] {
  const opens = g.opensAt ? [`It opens at ${g.opensAt}.`] : g.status === 'blocked' ? ['It opens when the reasons above are resolved.'] : [];
  return ['', `${c.yellow(`Stopped at ${g.address}`)}: apply did not go past it.`, ...reasonLines(g, '  '), ...opens];
}
