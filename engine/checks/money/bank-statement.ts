// The bank's side of money reconciliation: a CSV of `date,currency,amount` (major units, one line
// per entry; several lines of one day and currency are added up), read from a file beside the plan
// or from the standard output of a command. Both are streamed line by line: a statement of any
// length costs memory per day and currency, never per line.
//
// - header: optional. A first line whose first field is `date` is a header; with one, the columns
//   are found by name (`date`, `currency`, `amount`, any order, other columns ignored), so a bank's
//   export with extra columns can be used as it is. Without one, every line is exactly three fields.
// - fields may be double-quoted (`"1,234.50"` is not accepted though: amounts are plain decimals,
//   `-12.5`, `+3`, `.25`); blank lines and lines starting with `#` are skipped; CRLF is fine.
// - amounts are rounded to the class's minor units half away from zero (as PostgreSQL's round).
// - a line that does not parse is counted and the first 20 are listed with their line numbers; the
//   rest of the statement is still read.
// - a command runs as `/bin/sh -c COMMAND` in the plan's folder, with a 60 s limit (its whole
//   process group is killed then). A non-zero exit, a signal, a timeout or a failure to start makes
//   the statement unreadable (reported as a problem by the caller, never thrown). The command's
//   environment is cutover's minus the database credentials (PGPASSWORD, PGPASSFILE, and any
//   variable holding the plan's database URLs or their passwords): a bank export has no business
//   with them. Its stderr is kept (last 2 KB only) for the problem's detail, with those secrets and
//   the values of secret-looking variables (`*PASS*`, `*SECRET*`, `*TOKEN*`, `*KEY*`,
//   `*CREDENTIAL*`) replaced by `***`. CUTOVER_MIGRATION, CUTOVER_CLASS and CUTOVER_MINOR_UNITS
//   are set for it.
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { isIsoDay, toMinor } from './amounts.js';
import { scrubText, secretEnvironmentValues } from '../../secrets.js';

export interface RunCommandOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** called for each line of standard output, in order, as it arrives */
  onStdoutLine: (line: string) => void;
}

export interface CommandOutcome {
  /** null when killed by a signal or never started */
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** the last part of standard error, unscrubbed (the caller scrubs) */
  stderrTail: string;
  /** why the command could not be started at all */
  spawnError?: string;
}

/** Runs a shell command, streaming its stdout line by line. Injectable for tests. */
export type RunCommand = (command: string, options: RunCommandOptions) => Promise<CommandOutcome>;

export const BANK_COMMAND_TIMEOUT_MS = 60_000;
const STDERR_TAIL = 2048;
const KILL_GRACE_MS = 2_000;

/** The default RunCommand: `/bin/sh -c command` in its own process group. */
export const runShellCommand: RunCommand = (command, options) => new Promise<CommandOutcome>((resolve) => {
  let stderr = '';
  let timedOut = false;
  let settled = false;
  let timer: NodeJS.Timeout | undefined;
  let killer: NodeJS.Timeout | undefined;
  const finish = (outcome: CommandOutcome) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    clearTimeout(killer);
    resolve(outcome);
  };
  const child = spawn('/bin/sh', ['-c', command], {
    cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
  });
  // the whole group: a pipeline or a background job of the command must not outlive it
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      /* already gone */
    }
  };
  timer = setTimeout(() => {
    timedOut = true;
    killGroup('SIGTERM');
    killer = setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
  }, options.timeoutMs);
  child.on('error', (e) => finish({ exitCode: null, signal: null, timedOut, stderrTail: stderr, spawnError: e.message }));
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL);
  });
  const lines = lineSplitter(options.onStdoutLine);
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', lines.push);
  // 'close' comes after the process exited and its stdio closed, so every line has been seen
  child.on('close', (code, signal) => {
    lines.end();
    finish({ exitCode: code, signal, timedOut, stderrTail: stderr });
  });
});

export interface BankStatement {
  /** `file statements/bank.csv` or `command` (never the command text: it may hold a secret) */
  origin: string;
  /** `day\u0000currency` → amount in minor units */
  totals: Map<string, bigint>;
  /** data lines read (header, blank and comment lines not counted) */
  lines: number;
  invalidCount: number;
  /** the first 20 lines that did not parse */
  invalid: { line: number; reason: string }[];
  /** set when the statement could not be read (missing file, failed command): totals are unusable */
  error?: string;
}

export function dayCurrencyKey(day: string | null, currency: string | null): string {
  return `${day ?? ''}\u0000${currency ?? ''}`;
}

/** Splits one CSV line: fields separated by commas, optionally double-quoted (`""` inside quotes). */
export function splitCsvLine(line: string): string[] | null {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) return null;
        if (line[i] === '"') {
          if (line[i + 1] === '"') { field += '"'; i += 2; continue; }
          i++;
          break;
        }
        field += line[i++];
      }
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (i < line.length && line[i] !== ',') return null;
    } else {
      const end = line.indexOf(',', i);
      field = (end < 0 ? line.slice(i) : line.slice(i, end)).trim();
      i = end < 0 ? line.length : end;
    }
    fields.push(field);
    if (i >= line.length) return fields;
    i++; // the comma
  }
}

/** Feeds lines one at a time; keeps per-day totals only. */
export class StatementParser {
  readonly totals = new Map<string, bigint>();
  lines = 0;
  invalidCount = 0;
  readonly invalid: { line: number; reason: string }[] = [];
  private lineNo = 0;
  private columns: { date: number; currency: number; amount: number } | null = null;
  private width = 3;
  private seenContent = false;

  constructor(private readonly minorUnits: number) {}

  private bad(reason: string): void {
    this.invalidCount++;
    if (this.invalid.length < 20) this.invalid.push({ line: this.lineNo, reason });
  }

  push(raw: string): void {
    this.lineNo++;
    const line = (this.lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw).trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = splitCsvLine(line);
    if (!fields) return this.bad('unbalanced quotes');
    if (!this.seenContent) {
      this.seenContent = true;
      if (fields[0]!.toLowerCase() === 'date') {
        const names = fields.map((f) => f.toLowerCase());
        const at = (name: string) => names.indexOf(name);
        if (at('currency') < 0 || at('amount') < 0) return this.bad('the header names no `currency` or no `amount` column');
        this.columns = { date: 0, currency: at('currency'), amount: at('amount') };
        this.width = fields.length;
        return;
      }
    }
    this.lines++;
    const cols = this.columns ?? { date: 0, currency: 1, amount: 2 };
    if (this.columns ? fields.length < this.width : fields.length !== 3) {
      return this.bad(`expected ${this.columns ? this.width : 3} fields (date,currency,amount), found ${fields.length}`);
    }
    const day = fields[cols.date]!;
    const currency = fields[cols.currency]!;
    const amountText = fields[cols.amount]!;
    if (!isIsoDay(day)) return this.bad(`\`${day.slice(0, 40)}\` is not a date (YYYY-MM-DD)`);
    if (currency === '') return this.bad('the currency is empty');
    const amount = toMinor(amountText, this.minorUnits);
    if (amount === null) return this.bad(`\`${amountText.slice(0, 40)}\` is not a plain decimal amount`);
    const key = dayCurrencyKey(day, currency);
    this.totals.set(key, (this.totals.get(key) ?? 0n) + amount);
  }

  result(origin: string, error?: string): BankStatement {
    return { origin, totals: this.totals, lines: this.lines, invalidCount: this.invalidCount, invalid: this.invalid, error };
  }
}

async function readLines(input: Readable, onLine: (line: string) => void): Promise<void> {
  const lines = lineSplitter(onLine);
  for await (const chunk of input) lines.push(chunk as string);
  lines.end();
}

/** Text in chunks to lines ended by \n, \r\n or \r, as node:readline splits them (the engine
 * has no terminal code, so not readline itself). A \r at a chunk's end waits for the next chunk,
 * which may start with its \n. */
function lineSplitter(onLine: (line: string) => void): { push(chunk: string): void; end(): void } {
  let partial = '';
  return {
    push(chunk) {
      const lines = (partial + chunk).split(/\r\n|\n|\r(?!$)/);
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    },
    end() {
      const last = partial.replace(/\r$/, '');
      partial = '';
      if (last !== '') onLine(last);
    },
  };
}

export interface BankStatementSource {
  /** `bank_statement` of the money section */
  statement: string | { run: string };
  planDir: string;
  minorUnits: number;
  /** the plan's database URLs (and anything else to keep out of the child's environment and output) */
  secrets: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** added to the command's environment (CUTOVER_MIGRATION, CUTOVER_CLASS, …) */
  variables?: Record<string, string>;
  runCommand?: RunCommand;
  timeoutMs?: number;
}

/** The command's environment: cutover's, without the database credentials. */
export function commandEnvironment(env: NodeJS.ProcessEnv, secrets: readonly string[]): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || name === 'PGPASSWORD' || name === 'PGPASSFILE') continue;
    if (secrets.some((s) => s.length >= 3 && value.includes(s))) continue;
    out[name] = value;
  }
  return out;
}

/** Reads the statement, never throwing for what the statement itself does wrong. */
export async function readBankStatement(src: BankStatementSource): Promise<BankStatement> {
  const parser = new StatementParser(src.minorUnits);
  const env = src.env ?? process.env;
  // what the statement's reading says may quote the plan's secrets or the environment's
  const hidden = [...src.secrets, ...secretEnvironmentValues(env)];
  if (typeof src.statement === 'string') {
    const file = path.resolve(src.planDir, src.statement);
    const origin = `file ${src.statement}`;
    try {
      await readLines(createReadStream(file, { encoding: 'utf8' }), (line) => parser.push(line));
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.code === 'EISDIR' ? 'it is a folder' : err.message;
      return parser.result(origin, `the bank statement ${src.statement} cannot be read: ${scrubText(why, hidden)}`);
    }
    return parser.result(origin);
  }
  const run = src.runCommand ?? runShellCommand;
  const timeoutMs = src.timeoutMs ?? BANK_COMMAND_TIMEOUT_MS;
  const outcome = await run(src.statement.run, {
    cwd: src.planDir,
    env: { ...commandEnvironment(env, src.secrets), ...src.variables },
    timeoutMs,
    onStdoutLine: (line) => parser.push(line),
  });
  const stderr = scrubText(outcome.stderrTail.trim(), hidden);
  const said = stderr ? `; it said: ${stderr.split('\n').slice(-5).join(' / ')}` : '';
  let error: string | undefined;
  if (outcome.spawnError !== undefined) error = `the bank statement command (bank_statement.run) could not start: ${scrubText(outcome.spawnError, hidden)}`;
  else if (outcome.timedOut) error = `the bank statement command (bank_statement.run) did not finish within ${Math.round(timeoutMs / 1000)} s and was stopped${said}`;
  else if (outcome.exitCode !== 0) {
    const how = outcome.exitCode === null ? `was killed by ${outcome.signal ?? 'a signal'}` : `exited with code ${outcome.exitCode}`;
    error = `the bank statement command (bank_statement.run) ${how}${said}`;
  }
  return parser.result('command', error);
}
