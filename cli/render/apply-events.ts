// What a person sees while apply works: the engine's events as lines. Copy progress is drawn by
// copy-progress.ts (a rewritten line on a terminal, periodic lines elsewhere); a failed check by
// findings.ts. How apply ended is said by the command from its outcome, so the closing events
// (gate stopped, apply stopped or finished) print nothing here.
import type { Action } from '../../engine/diff/plan-result.js';
import type { ApplyEvent, OnApplyEvent } from '../../engine/events.js';
import type { Terminal } from '../terminal.js';
import { copyProgressReporter } from './copy-progress.js';
import { checkFailedLines, parityFailedLine } from './findings.js';
import { compareLines, parkedLine } from './mirror-events.js';
import { plural } from './words.js';

const VERB: Record<Action, [string, string]> = {
  create: ['Creating', 'Creation complete'],
  update: ['Modifying', 'Modifications complete'],
  delete: ['Destroying', 'Destruction complete'],
};

/** terraform's words for a step: `Creating...`, then `Creation complete after 2s`. */
function verbs(address: string, actions: readonly Action[]): [string, string] {
  if (address.startsWith('hook.')) return ['Running', 'Run complete'];
  if (actions.length > 1) return ['Replacing', 'Replacement complete'];
  return VERB[actions[0]!];
}

/** The lines of one event (none for copy progress, which is drawn as it comes, nor for how apply ended). */
export function applyEventLines(e: ApplyEvent): string[] {
  switch (e.kind) {
    case 'step.started':
      return [`${e.address}: ${verbs(e.address, e.actions)[0]}...`];
    case 'step.finished': {
      // a check that ran but failed is not "complete" in the sense a reader takes it: say so on the same line
      const failed = e.checkFailed ? ', but the check FAILED (the proof below names it)' : '';
      return [`${e.address}: ${verbs(e.address, e.actions)[1]} after ${Math.round(e.elapsedMs / 1000)}s${failed}`];
    }
    case 'parity.finished':
      return e.result.passed ? [] : [parityFailedLine(e.result)];
    case 'check.finished':
      return e.result.passed ? [] : checkFailedLines(e.result);
    case 'hook.started':
      return [`${e.address}: running \`${e.run}\``];
    case 'hook.output':
      return [`  ${e.line}`];
    case 'support.kept': {
      const more = e.users.length > 3 ? ` and ${e.users.length - 3} more` : '';
      return [`schema ${e.schema} stays on the source: it still holds ${e.users.slice(0, 3).join(', ')}${more}`];
    }
    case 'phase.reached':
      return [`Phase ${e.phase} reached.`];
    case 'mirror.parked':
      return [parkedLine(e)];
    case 'switch.drained':
      return [`The source is read-only (the write outage has begun); the fence was drained: ${plural(e.changes, 'change')} applied, every write made before it is on the destination.`];
    case 'switch.compared':
      return compareLines(e.at, e.clean, e.verdicts).map((l, i) => (i === 0 ? `Final ${l.charAt(0).toLowerCase()}${l.slice(1)}` : l));
    case 'sequences.set':
      return e.sequences.map((s) => `  sequence ${s.sequence} (class ${s.class}, ${s.column}): next value ${s.probe}, past the highest key ${s.highestKey ?? 'none'}${s.sourceValue ? ` and the other side's last value ${s.sourceValue}` : ''}`);
    case 'rollback.drained':
      return [`The destination is read-only; its writes were drained into the source through reverse: ${plural(e.changes, 'change')} applied${e.refused ? `, ${plural(e.refused, 'refused')} (parked)` : ''}.`];
    case 'outage.measured':
      return [`Write outage: ${e.seconds.toFixed(1)} s, from the source going read-only to switch_writes done.`];
    case 'copy.progress':
    case 'apply.started':
    case 'gate.passed':
    case 'gate.stopped':
    case 'apply.stopped':
    case 'apply.finished':
      return [];
  }
}

/** The subscriber `cutover apply` and `cutover rollback` hand the engine. */
export function applyEventPrinter(term: Terminal): OnApplyEvent {
  const progress = copyProgressReporter(term);
  return (e) => {
    if (e.kind === 'copy.progress') return progress(e);
    for (const line of applyEventLines(e)) term.out(`${line}\n`);
  };
}
