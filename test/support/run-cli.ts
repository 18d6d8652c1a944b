// Runs the built CLI (`node bin/cutover.js …`) the way a user does: a separate process, no shell,
// and an environment the test controls (only PATH unless the test adds more), so variables of the
// machine running the tests (a real DATABASE_URL, CUTOVER_DEBUG, NO_COLOR…) cannot leak in.
// Nothing is built here: `npm test` compiles dist/ before vitest starts.
import { spawn, type ChildProcessByStdio, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = path.join(ROOT, 'bin', 'cutover.js');

export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Added to the minimal environment (PATH only). */
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
}

export function minimalEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'SYSTEMROOT']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
}

export function assertBuilt(): void {
  if (!existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) {
    throw new Error('dist/ is missing: run `npx tsc -p tsconfig.json` (npm test does) before these tests');
  }
}

export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return spawnCli(args, options, minimalEnv(options.env), (child, out) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => out.push(chunk));
  });
}

/** Spawns the CLI and waits for it, gathering stderr; `readStdout` decides what of stdout is kept. */
function spawnCli(
  args: readonly string[], options: CliOptions, env: Record<string, string>,
  readStdout: (child: ChildProcessByStdio<null, Readable, Readable>, out: string[]) => void,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], shell: false });
    const out: string[] = [];
    let stderr = '';
    readStdout(child, out);
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout: out.join(''), stderr });
    });
  });
}

/** A CLI process whose stdout the test watches while it runs (to kill it, or to act at a step). */
export class LiveCli {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  readonly done: Promise<CliResult>;
  private watchers: { pattern: RegExp; resolve: () => void }[] = [];

  constructor(args: readonly string[], env: Record<string, string>, timeoutMs = 90_000) {
    this.child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: minimalEnv({ NO_COLOR: '1', ...env }), stdio: 'pipe', shell: false });
    this.child.stdin.end();
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk;
      this.watchers = this.watchers.filter((w) => {
        if (!w.pattern.test(this.stdout)) return true;
        w.resolve();
        return false;
      });
    });
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    this.done = new Promise((resolve, reject) => {
      this.child.on('error', reject);
      this.child.on('close', (status, signal) => {
        clearTimeout(timer);
        if (process.env.CUTOVER_TEST_DUMP) {
          process.stderr.write(`--- cutover ${args.join(' ')} → ${status ?? signal}\n${this.stdout}\n--- stderr\n${this.stderr}\n`);
        }
        resolve({ status, signal, stdout: this.stdout, stderr: this.stderr });
      });
    });
  }

  /** Resolves once stdout matches `pattern`; rejects if the process ends first. */
  waitFor(pattern: RegExp): Promise<void> {
    if (pattern.test(this.stdout)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.watchers.push({ pattern, resolve });
      void this.done.then((r) => reject(new Error(`the CLI ended (exit ${r.status}) before printing ${pattern}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`)));
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }
}

/** A line of a JavaScript stack trace: `    at fn (/path/file.js:1:2)` or `at node:internal/…:1:2`. */
export const STACK_TRACE = /^\s*at\s.*(?:[/\\]|node:|file:).*:\d+(?::\d+)?\)?\s*$/m;

/** Any ANSI escape sequence (colours, cursor movement). */
export const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/;

/**
 * The CLI with its stdout read as `| head -c BYTES` reads it: the first `bytes` are kept, then the
 * pipe is closed while the CLI may still be writing (at once when `bytes` is 0). Returns what was
 * read and the whole of stderr.
 */
export function runCliClosingStdout(args: readonly string[], bytes: number, options: CliOptions = {}): Promise<CliResult> {
  return spawnCli(args, options, minimalEnv({ NO_COLOR: '1', ...options.env }), (child, out) => {
    const close = () => child.stdout.destroy();
    if (bytes === 0) return close();
    let read = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (read.length >= bytes) return;
      read = (read + chunk).slice(0, bytes);
      out.splice(0, out.length, read);
      if (read.length >= bytes) close();
    });
  });
}
