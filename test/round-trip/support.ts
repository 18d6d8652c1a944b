// Helpers for the end-to-end tests of phase two (`apply` to `round_tripped`): a fresh source and
// destination database per test file, plan files in a temporary folder that name the databases
// through `${SRC_URL}` / `${DST_URL}` (no secret is ever in a file), the real CLI run as a separate
// process (to completion, or watched while it runs so a test can kill it or write beside it), and
// queries that read what cutover left in state.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { freshDatabase, serverSecrets, withClient } from '../support/databases.js';
import { BIN, minimalEnv, ROOT, runCli, STACK_TRACE, type CliResult } from '../support/run-cli.js';

// ---------------------------------------------------------------------------------------------
// Databases

export interface Pair {
  source: string;
  destination: string;
  /** what plan files read their URLs from */
  env: Record<string, string>;
}

/** A fresh source and destination database, set up with `sourceSql` / `destinationSql`. */
export async function freshPair(sourceSql: string, destinationSql: string): Promise<Pair> {
  const [source, destination] = await Promise.all([freshDatabase('source', 'rt_src'), freshDatabase('destination', 'rt_dst')]);
  await Promise.all([
    withClient(source, (c) => c.query(sourceSql)),
    withClient(destination, (c) => c.query(destinationSql)),
  ]);
  return { source, destination, env: { SRC_URL: source, DST_URL: destination } };
}

/** The rows of one query on `url`. */
export async function rows<T extends Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  return withClient(url, async (c) => (await c.query<T>(sql, params)).rows);
}

/** One integer from a query returning one row with column `n`. */
export async function count(url: string, sql: string, params: unknown[] = []): Promise<number> {
  const found = await rows<{ n: string | number }>(url, sql, params);
  return Number(found[0]?.n);
}

// ---------------------------------------------------------------------------------------------
// Plan files

/** A temporary folder for one test file's plan files; `remove()` it in afterAll. */
export class PlanFolder {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-round-trip-test-'));

  write(name: string, yaml: string): string {
    const file = path.join(this.dir, name);
    writeFileSync(file, yaml);
    return file;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The head of a plan: name, target, URLs from the environment, state schema, lock. */
export function planHead(o: { name: string; target?: string; data?: string; extra?: string }): string {
  return `version: 1
name: ${o.name}
target: ${o.target ?? 'round_tripped'}
source:
  url: \${SRC_URL}
  schemas: [public]
destination:
  url: \${DST_URL}
lock:
  schema: enforce
  integrations: enforce
  data:
${o.data ?? '    mode: pause'}
${o.extra ?? ''}`;
}

/** `dual_run` section, so a plan may aim for target dual_run (its gate is what the tests read). */
export const DUAL_RUN = `dual_run:
  window: 2d
  compare_every: 1h
`;

// ---------------------------------------------------------------------------------------------
// Running the CLI

/** `cutover ARGS…` with the pair's URLs in the environment and plain output; never a secret. */
export async function cutover(args: readonly string[], env: Record<string, string>, timeoutMs = 90_000): Promise<CliResult> {
  const result = await runCli(args, { env: { NO_COLOR: '1', ...env }, timeoutMs });
  if (process.env.CUTOVER_TEST_DUMP) {
    process.stderr.write(`--- cutover ${args.join(' ')} → ${result.status}\n${result.stdout}\n--- stderr\n${result.stderr}\n`);
  }
  expectNoSecrets(result.stdout + result.stderr);
  return result;
}

/** Fails with the CLI's own output when it exits with something else than `status`; never a stack trace. */
export function expectExit(result: CliResult, status: number): void {
  expect(result.status, `exit status; stdout:\n${result.stdout}\nstderr:\n${result.stderr}`).toBe(status);
  expect(result.stdout + result.stderr).not.toMatch(STACK_TRACE);
}

/** No password of the test servers anywhere in text. */
export function expectNoSecrets(text: string): void {
  for (const secret of serverSecrets()) {
    expect(text.includes(secret), 'a server password appears in the output').toBe(false);
    expect(text.includes(encodeURIComponent(secret)), 'a server password appears in the output').toBe(false);
  }
}

export function parseJson<T>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch (e) {
    throw new Error(`expected one JSON document (exit ${result.status}): ${(e as Error).message}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
  }
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

/**
 * Polls `probe` every `everyMs` until it returns true, the process `while` names ends, or
 * `timeoutMs` passes; returns whether the probe came true.
 */
export async function pollUntil(probe: () => Promise<boolean>, o: { while?: LiveCli; everyMs?: number; timeoutMs?: number } = {}): Promise<boolean> {
  const deadline = Date.now() + (o.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (await probe()) return true;
    if (o.while && !o.while.running) return false;
    await new Promise((r) => setTimeout(r, o.everyMs ?? 25));
  }
  return false;
}

/**
 * Watches a class's checkpoint in cutover.copy_progress while `apply` runs, and resolves true as
 * soon as a batch is committed and the class is not done (a copy caught mid-way), or false when
 * the process ends or the class finishes first.
 */
export async function caughtMidCopy(destination: string, migration: string, className: string, apply: LiveCli): Promise<boolean> {
  return withClient(destination, (c) => pollUntil(async () => {
    const found = await c.query<{ rows: string; done: boolean }>(
      'SELECT rows::text AS rows, done FROM cutover.copy_progress WHERE migration = $1 AND class = $2', [migration, className])
      .catch(() => ({ rows: [] as { rows: string; done: boolean }[] })); // before the state schema exists
    const row = found.rows[0];
    return !!row && Number(row.rows) > 0 && !row.done;
  }, { while: apply, everyMs: 10 }));
}

// ---------------------------------------------------------------------------------------------
// State and JSON documents (the parts these tests read)

export interface CopyProgressRow {
  class: string;
  rows: number;
  done: boolean;
}

/** cutover.copy_progress of a migration, by class. */
export async function copyProgress(destination: string, migration: string): Promise<Map<string, CopyProgressRow>> {
  const found = await rows<{ class: string; rows: string; done: boolean }>(destination,
    `SELECT class, rows::text AS rows, done FROM cutover.copy_progress WHERE migration = $1`, [migration]);
  return new Map(found.map((r) => [r.class, { class: r.class, rows: Number(r.rows), done: r.done }]));
}

export interface DifferenceJson {
  kind: string;
  count: number;
  sampleKeys: unknown[][];
  columns?: string[];
  detail?: string;
}

export interface ParityJson {
  class: string;
  passed: boolean;
  sourceRows: number;
  destinationRows: number;
  differences: DifferenceJson[];
}

/** cutover.parity_results of a migration, by class. */
export async function parityResults(destination: string, migration: string): Promise<Map<string, ParityJson>> {
  const found = await rows<{ result: ParityJson }>(destination, `SELECT result FROM cutover.parity_results WHERE migration = $1`, [migration]);
  return new Map(found.map((r) => [r.result.class, r.result]));
}

export interface GateJson {
  address: string;
  phase: string;
  status: 'open' | 'blocked' | 'deferred';
  reasons: string[];
}

export interface PlanJson {
  plan: { name: string; target: string; phase: string };
  resource_changes: { address: string; actions: string[] }[];
  gates: GateJson[];
  parity: {
    class: string;
    passed: boolean;
    source_rows: number;
    destination_rows: number;
    differences: { kind: string; count: number; sample_keys: unknown[][]; columns: string[] | null; detail: string | null }[];
  }[];
  summary: { add: number; change: number; destroy: number; gates_blocked: number; data_problems: number };
}

export interface StatusJson {
  phase: string;
  plan: { gates: GateJson[]; parity: ParityJson[] };
  resources: { address: string; phase: string }[];
}

export function gate(doc: { gates: GateJson[] }, address: string): GateJson {
  const found = doc.gates.find((g) => g.address === address);
  expect(found, `${address} among ${JSON.stringify(doc.gates)}`).toBeDefined();
  return found!;
}
