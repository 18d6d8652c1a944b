// `cutover plan` end to end on a clean pair of databases with target `locked`: the gate opens and
// the lock resources are planned; the human, JSON and Markdown outputs, --detailed-exitcode and
// -out; and plan writes nothing, to the source above all.
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshPair, withClient } from '../support/databases.js';
import { endToEndFile } from '../support/cutover-cli.js';
import { planHead } from '../support/plan-folder.js';
import type { CliResult } from '../support/run-cli.js';
import {
  databaseSnapshot as snapshot, expectExit, expectNoSecrets, gateOf, planDocument, runPlan, urlEnv, type PlanDocument,
} from './support.js';

const SOURCE_SQL = `
CREATE TABLE public.customer (customer_id int PRIMARY KEY, name text NOT NULL, email text);
INSERT INTO public.customer SELECT i, 'N' || i, 'c' || i || '@example.com' FROM generate_series(1, 50) AS i;
CREATE TABLE public.invoice (invoice_id int PRIMARY KEY, customer_id int NOT NULL REFERENCES public.customer, total numeric(10,2) NOT NULL);
INSERT INTO public.invoice SELECT i, 1 + i % 50, i * 2.5 FROM generate_series(1, 200) AS i;
`;

const DESTINATION_SQL = `
CREATE SCHEMA app;
CREATE TABLE app.customers (id int PRIMARY KEY, name text NOT NULL, email text);
CREATE TABLE app.invoices (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES app.customers, total_cents bigint NOT NULL);
`;

const plan = (lockMode: 'enforce' | 'detect') => `${planHead({ name: 'clean-pair', target: 'locked' })}lock:
  schema: ${lockMode}
  integrations: ${lockMode}
classes:
  customers:
    source: { table: customer, key: [customer_id] }
    destination: { table: app.customers, key: [id] }
    columns: { id: customer_id, name: name, email: email }
    reverse: { customer_id: id, name: name, email: email }
  invoices:
    source: { table: invoice, key: [invoice_id] }
    destination: { table: app.invoices, key: [id] }
    columns: { id: invoice_id, customer_id: customer_id, total_cents: (total * 100)::bigint }
    reverse: { invoice_id: id, customer_id: customer_id, total: total_cents / 100.0 }
`;

const folder = endToEndFile();
let sourceUrl: string;
let destinationUrl: string;
let lockMode: 'enforce' | 'detect';
let before: { source: unknown; destination: unknown };
let json: CliResult;
let human: CliResult;
let markdown: CliResult;
let saved: CliResult;
let unwritable: CliResult;
let document: PlanDocument;
const newOut = () => folder.path('new.tfplan.json');
const existingOut = () => folder.path('existing.tfplan.json');
const markdownOut = () => folder.path('markdown.tfplan.json');

beforeAll(async () => {
  ({ source: sourceUrl, destination: destinationUrl } = await freshPair(SOURCE_SQL, DESTINATION_SQL, 'planout'));
  // Schema and integration locks need event triggers, which need a superuser (the embedded test
  // servers' role is one); against other servers the clean plan is the one that says `detect`.
  const superuser = await withClient(sourceUrl, async (c) => (await c.query<{ s: boolean }>('SELECT rolsuper AS s FROM pg_roles WHERE rolname = current_user')).rows[0]!.s);
  lockMode = superuser ? 'enforce' : 'detect';
  before = {
    source: await withClient(sourceUrl, snapshot),
    destination: await withClient(destinationUrl, snapshot),
  };
  // an older saved plan that anyone could read: -out must leave it readable by its owner only
  writeFileSync(existingOut(), '{}\n');
  chmodSync(existingOut(), 0o644);

  const file = folder.write('plan.yaml', plan(lockMode));
  const env = urlEnv(sourceUrl, destinationUrl);
  [json, human, markdown, saved, unwritable] = await Promise.all([
    runPlan(file, ['--json', '-out', existingOut()], env),
    runPlan(file, ['--detailed-exitcode'], env),
    runPlan(file, ['--format', 'markdown', '-out', markdownOut()], env),
    runPlan(file, ['-out', newOut()], env),
    runPlan(file, ['-out', folder.path('no-such-dir/plan.json')], env),
  ]);
  expectExit(json, 0);
  document = planDocument(json);
});

const lockAddresses = () => ['source.support', 'lock.fingerprint', ...(lockMode === 'enforce' ? ['lock.schema', 'lock.integrations'] : []), 'lock.data'];

describe('plan on a clean pair, target locked', () => {
  it('gate.locked is open, with no findings, and the lock resources are planned', () => {
    expect(document.preflight).toEqual([]);
    expect(document.gates).toEqual([{ address: 'gate.locked', phase: 'locked', status: 'open', reasons: [], opens_at: null }]);
    expect(gateOf(document, 'gate.locked').status).toBe('open');
    expect(document.resource_changes.map((c) => c.address)).toEqual(lockAddresses());
    for (const change of document.resource_changes) {
      expect(change).toMatchObject({ phase: 'locked', actions: ['create'], before: null, reason: 'phase locked installs it' });
    }
    const lock = document.resource_changes.find((c) => c.address === 'lock.data')!;
    expect(lock.after).toEqual({ mode: 'pause', rules: [], ends: null, tables: ['customer', 'invoice'] });
    expect(document.summary).toEqual({ add: lockAddresses().length, change: 0, destroy: 0, gates_blocked: 0, data_problems: 0 });
    expect(document.plan).toMatchObject({ name: 'clean-pair', target: 'locked', phase: 'none' });
  });

  it('plan writes nothing: neither database changed, and no cutover schema exists on either', async () => {
    expect(await withClient(sourceUrl, snapshot)).toEqual(before.source);
    expect(await withClient(destinationUrl, snapshot)).toEqual(before.destination);
    for (const url of [sourceUrl, destinationUrl]) {
      const { rows } = await withClient(url, (c) => c.query(`SELECT nspname FROM pg_namespace WHERE nspname = 'cutover'`));
      expect(rows).toEqual([]);
    }
  });

  it('--detailed-exitcode: exit 2 with changes; terraform-shaped human output and summary line', () => {
    expectExit(human, 2);
    expect(human.stderr).toBe('');
    expectNoSecrets(human.stdout);
    const lines = human.stdout.split('\n');
    for (const address of lockAddresses()) expect(lines).toContain(`  # ${address} will be created`);
    expect(human.stdout).toContain('+ create');
    expect(human.stdout).toContain('✓ gate.locked open');
    expect(human.stdout).toMatch(/\+ resource "lock\.data" \{/);
    expect(human.stdout.trimEnd().split('\n').pop()).toBe(`Plan: ${lockAddresses().length} to add, 0 to change, 0 to destroy.`);
    // without the flag, changes are not an error
    expect(json.status).toBe(0);
  });

  it('--format markdown: the summary line first, details in <details>', () => {
    expectExit(markdown, 0);
    expectNoSecrets(markdown.stdout + markdown.stderr + readFileSync(markdownOut(), 'utf8'));
    const text = markdown.stdout;
    const summary = `**Plan: ${lockAddresses().length} to add, 0 to change, 0 to destroy.**`;
    // the title, then the verdict before anything else
    expect(text.split('\n').filter((l) => l.trim() !== '').slice(0, 2)).toEqual(['### cutover plan: `clean-pair` → `locked`', summary]);
    expect(text).toContain('<details>');
    expect(text.indexOf(summary)).toBeLessThan(text.indexOf('<details>'));
    expect(text).toContain('# lock.data will be created');
    expect(text.length).toBeLessThan(60_000);
    // with -out, the markdown stays pure (it is pasted into a comment as it is); the note is on stderr
    expect(text.trimEnd().endsWith('</details>')).toBe(true);
    expect(markdown.stderr).toContain(`Saved the plan to ${markdownOut()}`);
    expect(statSync(markdownOut()).mode & 0o777).toBe(0o600);
  });

  it('-out FILE: a JSON saved plan, mode 0600, with no password in it', () => {
    expectExit(saved, 0);
    expectNoSecrets(saved.stdout + saved.stderr);
    expect(saved.stdout).toContain(`Saved the plan to ${newOut()}`);
    const text = readFileSync(newOut(), 'utf8');
    expectNoSecrets(text);
    expect(statSync(newOut()).mode & 0o777).toBe(0o600);
    const file = JSON.parse(text);
    expect(file).toMatchObject({ format_version: 1, state_serial: 0, result: { name: 'clean-pair', target: 'locked', phase: 'none' } });
    expect(file.result.changes.map((c: { address: string }) => c.address)).toEqual(lockAddresses());
    expect(file.plan_file_sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('-out over an existing file: replaced, and readable by its owner only', () => {
    const text = readFileSync(existingOut(), 'utf8');
    expectNoSecrets(text);
    expect(JSON.parse(text).result.name).toBe('clean-pair');
    expect(statSync(existingOut()).mode & 0o777).toBe(0o600);
  });

  it('-out into a directory that does not exist: one clear error, exit 1', () => {
    expectExit(unwritable, 1);
    expect(unwritable.stdout).toBe('');
    expect(unwritable.stderr.split('\n')[0]).toBe(`Error: cannot write the saved plan to ${folder.path('no-such-dir/plan.json')}: no such directory`);
    expect(readdirSync(folder.dir).sort()).toEqual(['existing.tfplan.json', 'markdown.tfplan.json', 'new.tfplan.json', 'plan.yaml']);
  });
});
