// What a shell pipeline sees: a reader that goes away early (`cutover plan x.yaml | head -1`)
// never gets a stack trace or an EPIPE error on stderr, and the exit code still says what the
// command found; output flags that contradict each other are one clear error before any work.
import { beforeAll, describe, expect, it } from 'vitest';
import { freshPair } from '../support/databases.js';
import { endToEndFile } from '../support/cutover-cli.js';
import { lockSection, planHead } from '../support/plan-folder.js';
import { runCli, runCliClosingStdout, STACK_TRACE, type CliResult } from '../support/run-cli.js';

const folder = endToEndFile();
let planFile: string;
let env: Record<string, string>;

beforeAll(async () => {
  const pair = await freshPair(
    `CREATE TABLE customer (customer_id int PRIMARY KEY, name text NOT NULL);
     INSERT INTO customer SELECT i, 'n' || i FROM generate_series(1, 20) i;`,
    `CREATE SCHEMA app; CREATE TABLE app.customers (id int PRIMARY KEY, name text NOT NULL);`, 'pipes');
  env = pair.env;
  planFile = folder.write('pipes.yaml', `${planHead({ name: 'pipes', target: 'round_tripped' })}${lockSection({ schema: 'detect', integrations: 'detect' })}classes:
  customers:
    source: { table: customer, key: [customer_id] }
    destination: { table: app.customers, key: [id] }
    columns: { id: customer_id, name: name }
    reverse: { customer_id: id, name: name }
`);
});

function expectQuiet(r: CliResult, status: number): void {
  expect(r.signal, r.stderr).toBeNull();
  expect(r.stderr, 'nothing on stderr when only stdout went away').toBe('');
  expect(r.status, r.stderr).toBe(status);
}

describe('a closed pipe', () => {
  it('validate --help | head -1 (the reader gone before the first line): exit 0, nothing on stderr', async () => {
    expectQuiet(await runCliClosingStdout(['validate', '--help'], 0), 0);
  });

  it('validate with the reader gone keeps its exit code: 0 for a valid plan, 1 for an invalid one', async () => {
    expectQuiet(await runCliClosingStdout(['validate', '--json', 'plans/examples/shop.yaml'], 0), 0);
    const invalid = await runCliClosingStdout(['validate', '--json', 'test/validate/corpus/rule-clean-days.yaml'], 0);
    expectQuiet(invalid, 1);
  });

  it('plan x.yaml | head -1: no stack trace, no EPIPE, and --detailed-exitcode still says 2 (changes)', async () => {
    expectQuiet(await runCliClosingStdout(['plan', planFile], 0, { env }), 0);
    expectQuiet(await runCliClosingStdout(['plan', planFile, '--detailed-exitcode'], 0, { env }), 2);
    const firstLine = await runCliClosingStdout(['plan', planFile], 20, { env });
    expectQuiet(firstLine, 0);
    expect(firstLine.stdout).toMatch(/^cutover compared/);
  });

  it('status --json | head -c 10: exit 0, nothing on stderr', async () => {
    const r = await runCliClosingStdout(['status', planFile, '--json'], 10, { env });
    expectQuiet(r, 0);
    expect(r.stdout).toBe('{\n  "forma');
    expectQuiet(await runCliClosingStdout(['status', planFile, '--json'], 0, { env }), 0);
  });
});

describe('output flags that contradict each other', () => {
  const usageError = (r: CliResult, message: RegExp) => {
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/^\s+hint: /m);
    expect(r.stderr.trim().split('\n'), 'one error and its hint').toHaveLength(2);
    expect(r.stderr).not.toMatch(STACK_TRACE);
  };

  it('plan --json --format markdown is an error (exit 1), before any database is read', async () => {
    // the plan file does not even exist: the flags are judged first
    usageError(await runCli(['plan', 'missing.yaml', '--json', '--format', 'markdown']), /^Error: --json and --format markdown ask for two outputs at once$/m);
    usageError(await runCli(['plan', 'missing.yaml', '--format=markdown', '--json']), /--json and --format markdown/);
  });

  it('an unknown --format is an error naming it; --format json points at --json', async () => {
    usageError(await runCli(['plan', 'missing.yaml', '--format', 'yaml']), /^Error: unknown --format yaml$/m);
    const json = await runCli(['plan', 'missing.yaml', '--format', 'json']);
    usageError(json, /unknown --format json/);
    expect(json.stderr).toMatch(/hint: .*--json/);
  });

  it('-out FILE with --json is allowed: the plan is saved and the JSON printed alone on stdout', async () => {
    const out = folder.path('saved.tfplan.json');
    const r = await runCli(['plan', planFile, '--json', '-out', out], { env: { NO_COLOR: '1', ...env } });
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { format_version: string }).format_version).toBe('1.1');
  });
});
