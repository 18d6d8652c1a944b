// Copy progress: on a terminal one line per class rewritten in place (rows, rate, ETA); elsewhere
// a plain line at most every few seconds and when a class is done, so CI logs stay readable. Rate
// and ETA count only this run's rows, so a resumed copy does not claim the killed run's work.
import type { CopyProgressEvent } from '../../engine/copy/copy-class.js';
import { copyPace, type CopyPace } from '../../engine/copy/copy-pace.js';
import type { CopyProgressed } from '../../engine/events.js';
import type { Terminal } from '../terminal.js';
import { humanDuration, thousands } from './words.js';

/** One class's progress; the pace is the engine's (this run's rows only), computed when not given. */
export function progressLine(e: CopyProgressEvent, pace: CopyPace = copyPace(e)): string {
  const { rate, etaSeconds } = pace;
  const share = e.estimate > 0 ? Math.min(100, Math.floor((e.rows / e.estimate) * 100)) : 100;
  const eta = etaSeconds !== undefined ? `, ${humanDuration(etaSeconds)} left` : '';
  const total = e.done ? '' : ` of about ${thousands(e.estimate)} (${share}%)`;
  const resumed = e.resumedRows > 0 ? `, resumed at ${thousands(e.resumedRows)}` : '';
  return `class.${e.class}.copy: ${thousands(e.rows)} rows${total}, ${thousands(Math.round(rate))} rows/s${eta}${resumed}${e.done ? ', done' : ''}`;
}

/** Draws copy progress as it comes: the `copy.progress` events of apply (their pace included), or bare progress. */
export function copyProgressReporter(term: Terminal, everyMs = 5000): (e: CopyProgressEvent | CopyProgressed) => void {
  let last = 0;
  return (e) => {
    const line = progressLine(e, 'rate' in e ? e : undefined);
    if (term.colorful || term.interactive) {
      term.out(`\r\x1b[2K${line}${e.done ? '\n' : ''}`);
      return;
    }
    const now = Date.now();
    if (!e.done && now - last < everyMs) return;
    last = now;
    term.out(`${line}\n`);
  };
}
