// Running the built CLI as the end-to-end tests do, and reading what it printed: plain output
// (NO_COLOR), the run echoed to stderr when CUTOVER_TEST_DUMP is set, never a server password in
// it, never a stack trace, and JSON documents parsed with the CLI's output in the error.
import { afterAll, beforeAll, expect } from 'vitest';
import { dropFreshDatabases, serverSecrets } from './databases.js';
import { PlanFolder } from './plan-folder.js';
import { assertBuilt, runCli, STACK_TRACE, type CliResult } from './run-cli.js';

/**
 * The usual set-up of an end-to-end test file: the CLI must be built, and a plan folder is made
 * for the file; after all its tests the folder is removed and its fresh databases dropped.
 */
export function endToEndFile(): PlanFolder {
  const folder = new PlanFolder();
  beforeAll(() => assertBuilt());
  afterAll(async () => {
    folder.remove();
    await dropFreshDatabases();
  });
  return folder;
}

/** `cutover ARGS…` with `env` added to the environment and plain output (no check of what it printed). */
export async function runCutover(args: readonly string[], env: Record<string, string>, timeoutMs = 90_000): Promise<CliResult> {
  const result = await runCli(args, { env: { NO_COLOR: '1', ...env }, timeoutMs });
  if (process.env.CUTOVER_TEST_DUMP) {
    process.stderr.write(`--- cutover ${args.join(' ')} → ${result.status}\n${result.stdout}\n--- stderr\n${result.stderr}\n`);
  }
  return result;
}

/** `cutover ARGS…` as runCutover, failing if a server password appears in what it printed. */
export async function cutover(args: readonly string[], env: Record<string, string>, timeoutMs = 90_000): Promise<CliResult> {
  const result = await runCutover(args, env, timeoutMs);
  expectNoSecrets(result.stdout + result.stderr);
  return result;
}

/** Fails with the CLI's own output when it exits with something else than `status`; never a stack trace. */
export function expectExit(result: CliResult, status: number): void {
  expect(result.status, `exit status; stdout:\n${result.stdout}\nstderr:\n${result.stderr}`).toBe(status);
  expect(result.stdout + result.stderr).not.toMatch(STACK_TRACE);
}

/** No password of the test servers anywhere in text (nor `extra` strings). */
export function expectNoSecrets(text: string, extra: readonly string[] = []): void {
  for (const secret of [...serverSecrets(), ...extra]) {
    expect(text.includes(secret), 'a server password appears in the output').toBe(false);
    expect(text.includes(encodeURIComponent(secret)), 'a server password appears in the output').toBe(false);
  }
}

/** The one JSON document the CLI printed on stdout. */
export function parseJson<T>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch (e) {
    throw new Error(`expected one JSON document (exit ${result.status}): ${(e as Error).message}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
  }
}

/** A gate as `plan --json` and `status --json` print it (the parts every test reads). */
export interface GateJson {
  address: string;
  phase: string;
  status: 'open' | 'blocked' | 'deferred';
  reasons: string[];
}

/** The gate at an address, e.g. `gate.locked`; fails listing the gates there are when it is missing. */
export function gate<G extends { address: string }>(doc: { gates: G[] }, address: string): G {
  const found = doc.gates.find((g) => g.address === address);
  expect(found, `${address} among ${JSON.stringify(doc.gates.map((g) => g.address))}`).toBeDefined();
  return found!;
}
