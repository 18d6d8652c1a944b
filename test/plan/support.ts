// Helpers for the end-to-end tests of `cutover plan`: a temporary folder for plan files, the CLI
// run with the database URLs in environment variables (the plan files say `url: ${SRC_URL}`, so
// no secret is ever in a file), and `plan --json` output parsed and validated against
// schemas/plan-output.schema.json every time.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { expect } from 'vitest';
import { expectNoSecrets, runCutover } from '../support/cutover-cli.js';
import { ROOT, type CliResult } from '../support/run-cli.js';

export { databaseSnapshot } from '../support/databases.js';
/** The gate at an address, e.g. `gate.locked`. */
export { expectExit, expectNoSecrets, gate as gateOf } from '../support/cutover-cli.js';
export { PlanFolder, urlEnv } from '../support/plan-folder.js';

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
  drift: { source_changes: string[]; new_connections: string[] };
  state_lock: { command: string; user: string; host: string; pid: number; backend_pid: number; since: string } | null;
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

/** `cutover plan FILE ARGS…`, with NO_COLOR so human output is plain whatever the terminal. */
export function runPlan(file: string, args: readonly string[], env: Record<string, string>): Promise<CliResult> {
  return runCutover(['plan', file, ...args], env, 60_000);
}

// ---------------------------------------------------------------------------------------------
// Plan files

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

