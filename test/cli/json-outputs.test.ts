// Every --json document (validate, plan, status), from real CLI runs before and after an apply,
// is valid against its schema in schemas/ (additionalProperties: false, so a stray or camelCase
// key fails), uses snake_case keys throughout, and carries a `major.minor` format_version;
// status --json does not embed the whole plan.
import { beforeAll, describe, expect, it } from 'vitest';
import { freshPair } from '../support/databases.js';
import { cutover, endToEndFile, expectExit } from '../support/cutover-cli.js';
import { expectOutput } from '../support/output-schemas.js';
import { lockSection, planHead } from '../support/plan-folder.js';

const folder = endToEndFile();
let planFile: string;
let env: Record<string, string>;

interface StatusDocument {
  format_version: string;
  plan: { name: string; phase: string; plan_fingerprint: string };
  phase_times: Record<string, string>;
  pending_changes: { address: string }[];
  gates: { address: string; status: string }[];
  parity: { class: string; passed: boolean; source_rows: number }[];
  resources: { address: string; applied_at: string }[];
  events: { kind: string; outcome: string }[];
}

beforeAll(async () => {
  const pair = await freshPair(
    `CREATE TABLE customer (customer_id int PRIMARY KEY, name text NOT NULL);
     INSERT INTO customer SELECT i, 'n' || i FROM generate_series(1, 20) i;`,
    `CREATE SCHEMA app; CREATE TABLE app.customers (id int PRIMARY KEY, "fullName" text NOT NULL);`, 'jsonout');
  env = pair.env;
  // a destination column in camelCase: the user's names are kept as they are, cutover's are snake_case
  planFile = folder.write('json.yaml', `${planHead({ name: 'json-out', target: 'round_tripped' })}${lockSection({ schema: 'detect', integrations: 'detect' })}classes:
  customers:
    source: { table: customer, key: [customer_id] }
    destination: { table: app.customers, key: [id] }
    columns: { id: customer_id, fullName: name }
    reverse: { customer_id: id, name: '"fullName"' }
`);
});

describe('--json documents against their schemas', () => {
  it('validate --json: valid, invalid and unreadable files', async () => {
    const r = await cutover(['validate', '--json', planFile, 'test/validate/corpus/rule-clean-days.yaml', 'missing.yaml'], env);
    expectExit(r, 1);
    const doc = expectOutput<{ format_version: string; files: { valid: boolean; classes: number | null; error: unknown; diagnostics: { hint: string | null }[] }[] }>('validate', r.stdout);
    expect(doc.format_version).toBe('2.0');
    expect(doc.files.map((f) => f.valid)).toEqual([true, false, false]);
    expect(doc.files[0]).toMatchObject({ classes: 1, error: null, diagnostics: [] });
    expect(doc.files[2]).toMatchObject({ classes: null, error: { code: 'plan.not-found' } });
  });

  it('plan --json and status --json before and after apply', async () => {
    const plan0 = await cutover(['plan', planFile, '--json'], env);
    expectExit(plan0, 0);
    expect(expectOutput<{ format_version: string }>('plan', plan0.stdout).format_version).toBe('1.1');

    const status0 = await cutover(['status', planFile, '--json'], env);
    expectExit(status0, 0);
    const before = expectOutput<StatusDocument>('status', status0.stdout);
    expect(before.format_version).toBe('2.0');
    expect(before.plan).toMatchObject({ name: 'json-out', phase: 'none' });
    expect(before.pending_changes.map((c) => c.address)).toContain('class.customers.copy');
    expect(status0.stdout, 'no change attributes in status').not.toContain('destination_table');

    expectExit(await cutover(['apply', planFile, '--auto-approve'], env), 0);

    expectOutput('plan', (await cutover(['plan', planFile, '--json'], env)).stdout);
    const after = expectOutput<StatusDocument>('status', (await cutover(['status', planFile, '--json'], env)).stdout);
    expect(after.plan.phase).toBe('round_tripped');
    expect(Object.keys(after.phase_times)).toEqual(['locked', 'round_tripped']);
    expect(after.pending_changes).toEqual([]);
    expect(after.parity).toMatchObject([{ class: 'customers', passed: true, source_rows: 20 }]);
    expect(after.resources.map((x) => x.address)).toContain('class.customers.parity');
    expect(after.events.at(-1)).toMatchObject({ kind: 'apply', outcome: 'ok' });
  }, 120_000);
});
