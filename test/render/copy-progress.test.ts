// Copy progress lines: rate and ETA from this run's rows only, so a copy resumed after a kill does
// not report the killed run's rows as if it had copied them in the time since it started; a
// rewritten line on a terminal, plain periodic lines elsewhere.
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import type { CopyProgressEvent } from '../../engine/copy/copy-class.js';
import { copyProgressReporter, progressLine } from '../../cli/render/copy-progress.js';
import type { Terminal } from '../../cli/terminal.js';

const event = (overrides: Partial<CopyProgressEvent> = {}): CopyProgressEvent => ({
  class: 'ledger', rows: 200_000, resumedRows: 0, estimate: 300_000, bytes: 0, elapsedMs: 10_000, done: false, ...overrides,
});

function terminal(tty: boolean): Terminal & { written: string[] } {
  const written: string[] = [];
  return {
    written, out: (t) => written.push(t), err: () => undefined, color: new Chalk({ level: 0 }),
    colorful: tty, interactive: tty, env: {}, cwd: '/',
  };
}

describe('progressLine', () => {
  it('a fresh copy: rows, share of the estimate, rate and time left', () => {
    expect(progressLine(event())).toBe('class.ledger.copy: 200,000 rows of about 300,000 (66%), 20,000 rows/s, about 5 seconds left');
  });

  it('a resumed copy counts only the rows this run copied in the rate and the ETA', () => {
    // 150,000 rows were copied by the killed run; this run copied 50,000 in 10 s
    const line = progressLine(event({ resumedRows: 150_000 }));
    expect(line).toContain('5,000 rows/s');
    expect(line).toContain('about 20 seconds left');
    expect(line).toContain('200,000 rows of about 300,000 (66%)');
    expect(line).toContain('resumed at 150,000');
  });

  it('a resumed copy that is done reports this run\'s rate', () => {
    expect(progressLine(event({ rows: 300_000, resumedRows: 250_000, done: true }))).toBe(
      'class.ledger.copy: 300,000 rows, 5,000 rows/s, resumed at 250,000, done');
  });
});

describe('copyProgressReporter', () => {
  it('rewrites one line in place on a terminal', () => {
    const term = terminal(true);
    const report = copyProgressReporter(term);
    report(event({ rows: 100_000 }));
    report(event({ rows: 300_000, done: true }));
    expect(term.written).toEqual([
      '\r\x1b[2Kclass.ledger.copy: 100,000 rows of about 300,000 (33%), 10,000 rows/s, about 20 seconds left',
      '\r\x1b[2Kclass.ledger.copy: 300,000 rows, 30,000 rows/s, done\n',
    ]);
  });

  it('elsewhere prints plain lines, at most one per period, and always the last', () => {
    const term = terminal(false);
    const report = copyProgressReporter(term, 60_000);
    report(event({ rows: 100_000 }));
    report(event({ rows: 200_000 }));
    report(event({ rows: 300_000, resumedRows: 0, done: true }));
    expect(term.written).toEqual([
      'class.ledger.copy: 100,000 rows of about 300,000 (33%), 10,000 rows/s, about 20 seconds left\n',
      'class.ledger.copy: 300,000 rows, 30,000 rows/s, done\n',
    ]);
    expect(term.written.join('')).not.toContain('\r');
  });
});
