// Copy progress: on a terminal one line per class rewritten in place (rows, rate, ETA); elsewhere
// a plain line at most every few seconds and when a class is done, so CI logs stay readable. Rate
// and ETA count only this run's rows, so a resumed copy does not claim the killed run's work.
import type { CopyProgressEvent } from '../../engine/copy/copy-class.js';
import type { Terminal } from '../terminal.js';
import { humanDuration, thousands } from './words.js';

export function progressLine(e: CopyProgressEvent): string {
  const seconds = Math.max(e.elapsedMs / 1000, 0.001);
  // elapsed time is this run's, so the rate is too: rows a killed run copied came at no cost now
  const rate = Math.max(0, e.rows - e.resumedRows) / seconds;
  const share = e.estimate > 0 ? Math.min(100, Math.floor((e.rows / e.estimate) * 100)) : 100;
  const eta = !e.done && rate > 0 && e.estimate > e.rows ? `, ${humanDuration((e.estimate - e.rows) / rate)} left` : '';
  const total = e.done ? '' : ` of about ${thousands(e.estimate)} (${share}%)`;
  const resumed = e.resumedRows > 0 ? `, resumed at ${thousands(e.resumedRows)}` : '';
  return `class.${e.class}.copy: ${thousands(e.rows)} rows${total}, ${thousands(Math.round(rate))} rows/s${eta}${resumed}${e.done ? ', done' : ''}`;
}

export function copyProgressReporter(term: Terminal, everyMs = 5000): (e: CopyProgressEvent) => void {
  let last = 0;
  return (e) => {
    if (term.colorful || term.interactive) {
      term.out(`\r\x1b[2K${progressLine(e)}${e.done ? '\n' : ''}`);
      return;
    }
    const now = Date.now();
    if (!e.done && now - last < everyMs) return;
    last = now;
    term.out(`${progressLine(e)}\n`);
  };
}
