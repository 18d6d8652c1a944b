// Runs the built CLI (`node bin/cutover.js …`) the way a user does: a separate process, no shell,
// and an environment the test controls (only PATH unless the test adds more), so variables of the
// machine running the tests (a real DATABASE_URL, CUTOVER_DEBUG, NO_COLOR…) cannot leak in.
// Nothing is built here: `npm test` compiles dist/ before vitest starts.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
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
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? ROOT,
      env: minimalEnv(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: false,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
}

/** A line of a JavaScript stack trace: `    at fn (/path/file.js:1:2)` or `at node:internal/…:1:2`. */
export const STACK_TRACE = /^\s*at\s.*(?:[/\\]|node:|file:).*:\d+(?::\d+)?\)?\s*$/m;

/** Any ANSI escape sequence (colours, cursor movement). */
export const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/;
