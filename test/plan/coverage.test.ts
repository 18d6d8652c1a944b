// `cutover plan` end to end on what the plan fails to account for, or gets wrong about the live
// databases: a table nobody classified, a source column nobody maps, a trigger nobody listed, a
// destination column that is not there, an expression that does not parse, a lossy cast. Each is
// reported with its class and the YAML line to fix; a partitioned table is one class, its
// partitions never asked for.
import { beforeAll, describe, expect, it } from 'vitest';
import { freshPair } from '../support/databases.js';
import { endToEndFile } from '../support/cutover-cli.js';
import { planHead } from '../support/plan-folder.js';
import type { CliResult } from '../support/run-cli.js';
import {
  expectExit, expectNoSecrets, gateOf, lineOf, oneFinding, planDocument, runPlan, type PlanDocument,
} from './support.js';

const SOURCE_SQL = `
CREATE TABLE public.customer (customer_id int PRIMARY KEY, name text NOT NULL, email text, fax text, opened_at timestamp);
INSERT INTO public.customer SELECT i, 'N' || i, 'c' || i || '@example.com', NULL, TIMESTAMP '2026-01-01 09:00' + i * interval '1 day' FROM generate_series(1, 5) AS i;

CREATE FUNCTION public.touch_customer() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.name := trim(NEW.name); RETURN NEW; END $$;
CREATE TRIGGER customer_touch BEFORE INSERT OR UPDATE ON public.customer FOR EACH ROW EXECUTE FUNCTION public.touch_customer();

-- nobody classified or ignored it
CREATE TABLE public.shipping_note (id int PRIMARY KEY, body text);

-- a partitioned table: one class; its partitions are not asked for
CREATE TABLE public.measurement (id int NOT NULL, taken_on date NOT NULL, value numeric, PRIMARY KEY (id, taken_on))
  PARTITION BY RANGE (taken_on);
CREATE TABLE public.measurement_2025 PARTITION OF public.measurement FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE public.measurement_2026 PARTITION OF public.measurement FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
INSERT INTO public.measurement VALUES (1, '2025-06-01', 1.5), (2, '2026-06-01', 2.5);
`;

const DESTINATION_SQL = `
CREATE SCHEMA app;
CREATE TABLE app.customers (id int PRIMARY KEY, name text NOT NULL, email text, opened_at time);
CREATE TABLE app.measurements (id int NOT NULL, taken_on date NOT NULL, value numeric, PRIMARY KEY (id, taken_on));
`;

const PLAN = `${planHead({ name: 'coverage-e2e', target: 'round_tripped' })}classes:
  customers:
    source: { table: customer, key: [customer_id] }
    destination: { table: app.customers, key: [id] }
    columns:
      id: customer_id
      name: name
      email: lower(email) ||
      opened_at: opened_at
      nickname: name
    reverse:
      customer_id: id
      name: name
      email: email
      opened_at: opened_at
  measurements:
    source: { table: measurement, key: [id, taken_on] }
    destination: { table: app.measurements, key: [id, taken_on] }
    columns:
      id: id
      taken_on: taken_on
      value: value
    reverse:
      id: id
      taken_on: taken_on
      value: value
custom_code:
  - { source: function public.touch_customer(), retired: the new service trims names itself }
`;

const folder = endToEndFile();
let json: CliResult;
let human: CliResult;
let document: PlanDocument;

beforeAll(async () => {
  const { env } = await freshPair(SOURCE_SQL, DESTINATION_SQL, 'plancov');
  const file = folder.write('plan.yaml', PLAN);
  [json, human] = await Promise.all([runPlan(file, ['--json'], env), runPlan(file, [], env)]);
  expectExit(json, 0);
  document = planDocument(json);
});

describe('plan: coverage and mapping findings, with class and plan line', () => {
  it('an unclassified table, pointing at classes', () => {
    const f = oneFinding(document, 'unclassified-table');
    // a finding about a block mapping points at its key
    expect(f).toMatchObject({ class: '', severity: 'error', line: lineOf(PLAN, /^classes:$/) });
    expect(f.message).toContain('public.shipping_note');
  });

  it('a partitioned table is one class: its partitions are not asked for', () => {
    expect(JSON.stringify(document.preflight)).not.toMatch(/measurement_202[56]/);
    expect(document.preflight.filter((f) => f.class === 'measurements')).toEqual([]);
  });

  it('an unmapped source column, pointing at the class columns', () => {
    const f = oneFinding(document, 'unmapped-column', 'fax');
    expect(f).toMatchObject({ class: 'customers', severity: 'error', line: lineOf(PLAN, /^    columns:$/, /^  customers:$/) });
    expect(f.message).toContain('source column fax of public.customer is neither read');
    expect(f.message).toContain('add `fax: fax` under classes.customers.columns');
    // email is read, even by an expression that does not parse
    expect(document.preflight.filter((x) => x.kind === 'unmapped-column').map((x) => x.column)).toEqual(['fax']);
  });

  it('an unlisted trigger, pointing at custom_code; the listed function is not reported', () => {
    const f = oneFinding(document, 'custom-code-unlisted');
    expect(f).toMatchObject({ class: '', severity: 'error', line: lineOf(PLAN, /^custom_code:$/) });
    expect(f.message).toContain('trigger public.customer.customer_touch');
  });

  it('a missing destination column, at its mapping', () => {
    const f = oneFinding(document, 'destination-column-missing', 'nickname');
    expect(f).toMatchObject({ class: 'customers', severity: 'error', line: lineOf(PLAN, 'nickname: name') });
    expect(f.message).toContain('app.customers');
  });

  it('an expression that does not parse, at its mapping', () => {
    const f = oneFinding(document, 'expression-invalid', 'email');
    expect(f).toMatchObject({ class: 'customers', severity: 'error', line: lineOf(PLAN, 'email: lower(email) ||') });
    expect(f.message).toMatch(/syntax error/);
  });

  it('a lossy cast, at its mapping', () => {
    const f = oneFinding(document, 'lossy-cast', 'opened_at');
    expect(f).toMatchObject({ class: 'customers', severity: 'error', line: lineOf(PLAN, 'opened_at: opened_at') });
    expect(f.message).toContain('timestamp without time zone into time without time zone drops the date');
  });

  it('nothing else; coverage findings block gate.locked, and nothing is planned', () => {
    expect(document.preflight.map((f) => `${f.class}:${f.kind}:${f.column ?? ''}`).sort()).toEqual([
      ':custom-code-unlisted:', ':unclassified-table:', 'customers:destination-column-missing:nickname',
      'customers:expression-invalid:email', 'customers:lossy-cast:opened_at', 'customers:unmapped-column:fax',
    ]);
    const gate = gateOf(document, 'gate.locked');
    expect(gate.status).toBe('blocked');
    expect([...gate.reasons].sort()).toEqual(['1 custom-code-unlisted finding', '1 unclassified-table finding', '1 unmapped-column finding']);
    expect(document.gates.map((g) => g.address)).toEqual(['gate.locked']);
    expect(document.resource_changes).toEqual([]);
    expect(document.summary).toEqual({ add: 0, change: 0, destroy: 0, gates_blocked: 1, data_problems: 6 });
  });

  it('the human output lists each finding with its kind and plan line, and the summary', () => {
    expectExit(human, 0);
    expectNoSecrets(human.stdout + human.stderr);
    for (const f of document.preflight) {
      const facts = [f.kind, ...(f.column ? [`column ${f.column}`] : []), `plan line ${f.line}`].join(', ');
      expect(human.stdout).toContain(facts);
    }
    expect(human.stdout).toContain('✗ gate.locked blocked');
    // findings of no class are headed as such, not by an empty line
    expect(human.stdout).toMatch(/^Preflight findings:\n {2}\(plan-wide\)\n/m);
    expect(human.stdout).not.toMatch(/^\s+$/m);
    expect(human.stdout.trimEnd().split('\n').pop()).toBe('No changes. 1 gate blocked. 6 data problems.');
  });
});
