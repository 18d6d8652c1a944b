// Helpers for the end-to-end tests of `cutover plan`: a temporary folder for plan files, the CLI
// run with the database URLs in environment variables (the plan files say `url: ${SRC_URL}`, so
// no secret is ever in a file), and `plan --json` output parsed and validated against
// schemas/plan-output.schema.json every time.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type pg from 'pg';
import { expect } from 'vitest';
import { serverSecrets } from '../support/databases.js';
import { ROOT, runCli, STACK_TRACE, type CliResult } from '../support/run-cli.js';

// ---------------------------------------------------------------------------------------------
// The JSON document `cutover plan --json` prints (the parts the tests read)

export interface ResourceChangeJson {
  address: string;
  phase: string;
  actions: string[];
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  reason: string;
  line: number | null;
}

export interface GateJson {
  address: string;
  phase: string;
  status: 'open' | 'blocked' | 'deferred';
  reasons: string[];
  opens_at: string | null;
}

export interface FindingJson {
  class: string;
  column: string | null;
  kind: string;
  severity: 'error' | 'warning';
  message: string;
  count: number | null;
  share: number | null;
  sample_keys: unknown[][];
  line: number | null;
  col: number | null;
}

export interface PlanDocument {
  format_version: string;
  plan: { name: string; target: string; phase: string; now: string; plan_fingerprint: string; source_fingerprint: string };
  resource_changes: ResourceChangeJson[];
  gates: GateJson[];
  preflight: FindingJson[];
  parity: unknown[];
  windows: unknown[];
  summary: { add: number; change: number; destroy: number; gates_blocked: number; data_problems: number };
}

const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => void;
const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
const validateOutput = ajv.compile(JSON.parse(readFileSync(path.join(ROOT, 'schemas', 'plan-output.schema.json'), 'utf8')));

/**
 * The document `plan --json` printed on stdout: it must be one JSON document, valid against
 * schemas/plan-output.schema.json, with no secret in it.
 */
export function planDocument(result: CliResult): PlanDocument {
  let document: unknown;
  try {
    document = JSON.parse(result.stdout);
  } catch (e) {
    throw new Error(`plan --json did not print one JSON document (exit ${result.status}): ${(e as Error).message}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
  }
  const valid = validateOutput(document);
  expect(validateOutput.errors ?? [], 'plan --json output against schemas/plan-output.schema.json').toEqual([]);
  expect(valid).toBe(true);
  expectNoSecrets(result.stdout + result.stderr);
  return document as PlanDocument;
}

// ---------------------------------------------------------------------------------------------
// Running the CLI

/** The environment a plan file's `${SRC_URL}` and `${DST_URL}` are read from. */
export function urlEnv(sourceUrl: string, destinationUrl: string): Record<string, string> {
  return { SRC_URL: sourceUrl, DST_URL: destinationUrl };
}

/** `cutover plan FILE ARGS…`, with NO_COLOR so human output is plain whatever the terminal. */
export async function runPlan(file: string, args: readonly string[], env: Record<string, string>): Promise<CliResult> {
  const result = await runCli(['plan', file, ...args], { env: { NO_COLOR: '1', ...env }, timeoutMs: 60_000 });
  if (process.env.CUTOVER_TEST_DUMP) {
    process.stderr.write(`--- cutover plan ${args.join(' ')} → ${result.status}\n${result.stdout}\n--- stderr\n${result.stderr}\n`);
  }
  return result;
}

/** Fails the test with the CLI's own output when it exits with something else than `status`. */
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

// ---------------------------------------------------------------------------------------------
// What a database holds

/**
 * Everything in one database that plan could conceivably write: schemas, relations, triggers,
 * event triggers, functions, publications, and a hash of every table's rows. (Nothing
 * cluster-wide: other test files share the servers.)
 */
export async function databaseSnapshot(client: pg.Client): Promise<unknown> {
  const { rows } = await client.query(`
    SELECT (SELECT array_agg(nspname ORDER BY nspname) FROM pg_namespace) AS schemas,
           (SELECT array_agg(n.nspname || '.' || c.relname || ':' || c.relkind::text ORDER BY 1)
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')) AS relations,
           (SELECT array_agg(tgname ORDER BY tgname) FROM pg_trigger) AS triggers,
           (SELECT array_agg(evtname ORDER BY evtname) FROM pg_event_trigger) AS event_triggers,
           (SELECT count(*) FROM pg_proc) AS functions,
           (SELECT array_agg(pubname ORDER BY pubname) FROM pg_publication) AS publications`);
  const data: Record<string, string> = {};
  const tables = await client.query<{ t: string }>(
    `SELECT format('%I.%I', schemaname, relname) AS t FROM pg_stat_user_tables ORDER BY 1`);
  for (const { t } of tables.rows) {
    data[t] = (await client.query<{ h: string }>(`SELECT md5(coalesce(string_agg(x::text, ',' ORDER BY x::text), '')) AS h FROM ${t} x`)).rows[0]!.h;
  }
  return { catalog: rows[0], data };
}

// ---------------------------------------------------------------------------------------------
// Plan files

/** A temporary folder for one test file's plan files; `remove()` it in afterAll. */
export class PlanFolder {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-plan-test-'));

  /** Writes a plan file and returns its path. */
  write(name: string, yaml: string): string {
    const file = path.join(this.dir, name);
    writeFileSync(file, yaml);
    return file;
  }

  path(name: string): string {
    return path.join(this.dir, name);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The 1-based line of a plan file's text on which `needle` (a string, or a pattern matched
 * line by line) first appears, at or after the line where `after` appears when given.
 */
export function lineOf(yaml: string, needle: string | RegExp, after?: string | RegExp): number {
  const lines = yaml.split('\n');
  const matches = (line: string, what: string | RegExp) => (typeof what === 'string' ? line.includes(what) : what.test(line));
  let from = 0;
  if (after !== undefined) {
    from = lines.findIndex((line) => matches(line, after));
    if (from < 0) throw new Error(`lineOf: ${String(after)} is not in the plan`);
  }
  const i = lines.findIndex((line, n) => n >= from && matches(line, needle));
  if (i < 0) throw new Error(`lineOf: ${String(needle)} is not in the plan${after === undefined ? '' : ` after ${String(after)}`}`);
  return i + 1;
}

/** The findings of one kind (and column, and class, when given). */
export function findingsOf(document: PlanDocument, kind: string, column?: string | null, cls?: string): FindingJson[] {
  return document.preflight.filter((f) => f.kind === kind && (column === undefined || f.column === column) && (cls === undefined || f.class === cls));
}

/** The one finding of a kind (and column, and class): fails listing every finding when there is not exactly one. */
export function oneFinding(document: PlanDocument, kind: string, column?: string | null, cls?: string): FindingJson {
  const found = findingsOf(document, kind, column, cls);
  const all = document.preflight.map((f) => `${f.class}:${f.kind}:${f.column ?? ''}`);
  expect(found, `one ${cls ? `${cls} ` : ''}${kind}${column ? ` on ${column}` : ''} among ${JSON.stringify(all)}`).toHaveLength(1);
  return found[0]!;
}

/** The gate at an address, e.g. `gate.locked`. */
export function gateOf(document: PlanDocument, address: string): GateJson {
  const gate = document.gates.find((g) => g.address === address);
  expect(gate, `${address} among ${JSON.stringify(document.gates.map((g) => g.address))}`).toBeDefined();
  return gate!;
}
