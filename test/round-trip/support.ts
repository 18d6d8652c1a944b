// Helpers for the end-to-end tests of phase two (`apply` to `round_tripped`): a fresh source and
// destination database per test file, plan files in a temporary folder that name the databases
// through `${SRC_URL}` / `${DST_URL}` (no secret is ever in a file), the real CLI run as a separate
// process (to completion, or watched while it runs so a test can kill it or write beside it), and
// queries that read what cutover left in state.
import { freshPair as freshDatabasePair, withClient, type Pair } from '../support/databases.js';
import type { GateJson } from '../support/cutover-cli.js';
import { lockSection, planHead as sharedPlanHead } from '../support/plan-folder.js';
import type { LiveCli } from '../support/run-cli.js';

export type { Pair };
export { cutover, expectExit, expectNoSecrets, gate, parseJson, type GateJson } from '../support/cutover-cli.js';
export { PlanFolder } from '../support/plan-folder.js';
export { LiveCli } from '../support/run-cli.js';

// ---------------------------------------------------------------------------------------------
// Databases

/** A fresh source and destination database, set up with `sourceSql` / `destinationSql`. */
export function freshPair(sourceSql: string, destinationSql: string): Promise<Pair> {
  return freshDatabasePair(sourceSql, destinationSql, 'rt');
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

/** The head of a plan: name, target (default round_tripped), URLs from the environment, lock; then `extra`. */
export function planHead(o: { name: string; target?: string; data?: string; extra?: string }): string {
  return sharedPlanHead({ name: o.name, target: o.target ?? 'round_tripped' }) + lockSection({ data: o.data }) + (o.extra ?? '');
}

/** `dual_run` section, so a plan may aim for target dual_run (its gate is what the tests read). */
export const DUAL_RUN = `dual_run:
  window: 2d
  compare_every: 1h
`;

// ---------------------------------------------------------------------------------------------
// Watching the CLI while it runs

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
  plan: { phase: string };
  gates: GateJson[];
  parity: PlanJson['parity'];
  resources: { address: string; phase: string }[];
}
