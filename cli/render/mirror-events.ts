// What a person sees of the mirror and of a compare: plain lines, one per event worth reading (a
// drain several times a second prints nothing; the status line every few seconds says how it keeps
// up). The same lines on a terminal and in a log file.
import type { ClassVerdict } from '../../engine/compare/compare-findings.js';
import type { MirrorChangeParked, MirrorEvent, OnMirrorEvent } from '../../engine/events.js';
import type { Terminal } from '../terminal.js';
import { formatKey, formatKeys, plural, thousands } from './words.js';

/** A change the destination refused: kept, never dropped, and what to do about it. */
export function parkedLine(e: Pick<MirrorChangeParked, 'class' | 'key' | 'reason'>): string {
  return `Parked: class ${e.class}, key ${formatKey(e.key)}: the destination refused it (${e.reason}); later changes of that key wait behind it until \`cutover mirror --retry-rejected\` applies it`;
}

function seconds(s: number): string {
  return s < 10 ? `${s.toFixed(1)}s` : `${Math.round(s)}s`;
}

function verdictLine(v: ClassVerdict): string {
  if (v.clean) return `  class ${v.class}: ${plural(v.sourceRows, 'row')} on both sides, every row matches`;
  const what = [
    v.differing ? `${plural(v.differing, 'row')} ${v.differing === 1 ? 'differs' : 'differ'}` : '',
    v.foreign ? `${plural(v.foreign, 'row')} written to the destination outside cutover` : '',
    v.parked ? `${plural(v.parked, 'change')} parked` : '',
    v.moneyDays ? `${plural(v.moneyDays, 'money day')} not reconciled` : '',
    v.files ? `${plural(v.files, 'attachment file')} missing or changed` : '',
  ].filter(Boolean).join(', ');
  const keys = v.keys.length ? ` (keys ${formatKeys(v.keys.slice(0, 5))}${v.keys.length > 5 ? ', …' : ''})` : '';
  return `  class ${v.class}: DIFFERS: ${what}${keys}; source ${thousands(v.sourceRows)} rows, destination ${thousands(v.destinationRows)}`;
}

/** A compare's lines: its verdict, then one line per class. */
export function compareLines(at: string, clean: boolean, verdicts: readonly ClassVerdict[]): string[] {
  const differing = verdicts.filter((v) => !v.clean).length;
  const head = clean
    ? `Compare at ${at}: clean, ${plural(verdicts.length, 'class', 'classes')} exactly equal in one source snapshot.`
    : `Compare at ${at}: ${plural(differing, 'class', 'classes')} ${differing === 1 ? 'differs' : 'differ'}. Recorded; the reads_switched gate stays closed until each is fixed or resolved in dual_run.resolutions (compare: ${at}).`;
  return [head, ...verdicts.map(verdictLine)];
}

export function mirrorEventLines(e: MirrorEvent): string[] {
  switch (e.kind) {
    case 'mirror.started':
      return [`Mirroring the source's writes into the destination (phase ${e.phase}) from the recorded position (${plural(e.appliedBefore, 'change')} applied before). Ctrl-C or SIGTERM stops it cleanly.`];
    case 'mirror.status':
      return [`mirror: ${plural(e.applied, 'change')} applied (${thousands(Math.round(e.rate))}/s), lag ${seconds(e.lagSeconds)}, ${thousands(e.pending)} waiting, ${thousands(e.parkedOpen)} parked`];
    case 'mirror.parked':
      return [parkedLine(e)];
    case 'mirror.compared':
      return compareLines(e.at, e.clean, e.verdicts);
    case 'mirror.retried': {
      const refused = e.refused.map((r) => `  still refused: class ${r.class}, key ${formatKey(r.key)}: ${r.message}`);
      return [`Retried ${plural(e.retried, 'parked change')}: ${thousands(e.applied)} applied, ${thousands(e.refused.length)} refused again.`, ...refused];
    }
    case 'mirror.stopped':
      return [`Mirror stopped cleanly: ${plural(e.applied, 'change')} applied in this run; the next \`cutover mirror\` continues from here.`];
    case 'mirror.batch':
    case 'mirror.fenced':
      return [];
  }
}

export function mirrorEventPrinter(term: Terminal): OnMirrorEvent {
  return (e) => {
    for (const line of mirrorEventLines(e)) term.out(`${line}\n`);
  };
}
