// The sections under the changes in the human plan: gates, write windows, preflight findings and
// parity. Each returns no lines when it has nothing to say, so an empty section never prints.
import type { ChalkInstance } from 'chalk';
import type { CheckResult, Finding, ParityResult, PlanResult, StateLockHolder, WriteWindow } from '../../engine/diff/plan-result.js';
import { checkLines, findingLines, parityLines } from './findings.js';
import { gateLines } from './gate.js';
import { humanDuration } from './words.js';

/** the finding kind of a client session not seen at the lock; shown under drift */
const NEW_CONNECTION = 'new-connection';
/** the heading of findings that belong to no class */
export const PLAN_WIDE = '(plan-wide)';

export function gateSection(result: PlanResult, c: ChalkInstance): string[] {
  if (!result.gates.length) return [];
  return [c.bold('Gates:'), ...result.gates.flatMap((g) => gateLines(g, { as: 'listed', now: result.now, c }))];
}

/** Another command held the state lock while the plan was made: say who, before anything else. */
export function stateLockNote(result: PlanResult, c: ChalkInstance): string[] {
  const h = result.stateLock;
  if (!h) return [];
  return [c.yellow(`Note: ${describeStateLock(h)}; this plan may show work in progress.`)];
}

/** `the state is locked by cutover apply (pid 4242 on host ci-7, user deploy) since 2026-…` */
export function describeStateLock(h: StateLockHolder): string {
  const where = h.pid ? `pid ${h.pid} on host ${h.host}` : `database backend ${h.backendPid} from ${h.host}`;
  return `the state is locked by ${h.command || 'another session'} (${where}, user ${h.user}) since ${h.since}`;
}

/** What changed in the source since the lock: the fingerprint's differences and new clients. */
export function driftSection(drift: PlanResult['drift'], c: ChalkInstance): string[] {
  if (!drift || (!drift.source.length && !drift.connections.length)) return [];
  return [
    c.bold('Drift since the lock:'),
    ...drift.source.map((d) => `  ${c.red('changed')} ${d}`),
    ...drift.connections.map((who) => `  ${c.yellow('new client')} ${who} (a possible new integration: list it in custom_code as \`external …\` if it reads or writes data)`),
  ];
}

export function windowSection(windows: readonly WriteWindow[], c: ChalkInstance): string[] {
  if (!windows.length) return [];
  return [c.bold('Write windows:'), ...windows.flatMap((w) => windowLines(w, c))];
}

export function findingSection(all: readonly Finding[], target: PlanResult['target'], c: ChalkInstance): string[] {
  // new client sessions are drift, and listed there
  const findings = all.filter((f) => f.kind !== NEW_CONNECTION);
  if (!findings.length) return [];
  const lines = [c.bold('Preflight findings:')];
  for (const [cls, list] of byClass(findings)) {
    // findings about the plan as a whole (an unclassified table, unlisted custom code) have no class
    lines.push(`  ${c.bold(cls || PLAN_WIDE)}`, ...errorsFirst(list).flatMap((f) => findingLines(f, target, c)));
  }
  return lines;
}

export function paritySection(parity: readonly ParityResult[], c: ChalkInstance): string[] {
  if (!parity.length) return [];
  return [c.bold('Parity:'), ...parity.flatMap((p) => parityLines(p, c))];
}

export function checksSection(checks: readonly CheckResult[] | undefined, c: ChalkInstance): string[] {
  if (!checks?.length) return [];
  return [c.bold('Money, audit, attachments and custom code:'), ...checks.flatMap((k) => checkLines(k, c))];
}

function windowLines(w: WriteWindow, c: ChalkInstance): string[] {
  return [`  ${c.bold(w.phase)}: ${w.reason}, ${humanDuration(w.estimatedSeconds)}`, `      basis: ${w.basis}`];
}

/** Findings by class, classes in the order they first appear (the engine's order). */
export function byClass(findings: readonly Finding[]): Map<string, Finding[]> {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const list = groups.get(f.class);
    if (list) list.push(f);
    else groups.set(f.class, [f]);
  }
  return groups;
}

export function errorsFirst(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => Number(a.severity !== 'error') - Number(b.severity !== 'error'));
}
