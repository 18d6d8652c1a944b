// `cutover plan --json` end to end on planted data: a source whose rows break the destination's
// schema in known ways (so many NULL emails, so many values outside an enum, …), the real CLI run
// once against both servers, and every preflight finding asserted with its exact count, share,
// sample keys and plan line.
import { beforeAll, describe, expect, it } from 'vitest';
import { databaseName, freshDatabase, withClient } from '../support/databases.js';
import { endToEndFile } from '../support/cutover-cli.js';
import { planHead } from '../support/plan-folder.js';
import type { CliResult } from '../support/run-cli.js';
import {
  expectExit, findingsOf, gateOf, lineOf, oneFinding, planDocument, runPlan, urlEnv, type PlanDocument,
} from './support.js';

const SOURCE_SQL = `
CREATE TABLE public.employee (employee_id int PRIMARY KEY, name text NOT NULL);
INSERT INTO public.employee VALUES (1, 'Ann'), (2, 'Bob'), (3, 'Cid'), (4, 'Dee');

CREATE TABLE public.customer (
  customer_id int PRIMARY KEY,
  first_name text NOT NULL,
  email text,
  status text,
  nickname text,
  balance numeric,
  age int,
  support_rep_id int,
  code text,
  seen_at timestamp,
  legacy text NOT NULL
);
INSERT INTO public.customer
SELECT i, 'F' || i, 'c' || i || '@example.com', 'active', 'nick', 10.50, 30, 1, 'C' || i,
       TIMESTAMP '2026-01-15 12:00' + i * interval '1 day', 'L'
  FROM generate_series(1, 20) AS i;
-- planted faults, each with its rows
UPDATE public.customer SET email = NULL WHERE customer_id IN (3, 7, 11);          -- null-into-not-null
UPDATE public.customer SET status = 'gone' WHERE customer_id = 4;                 -- outside-enum
UPDATE public.customer SET status = 'ACTIVE' WHERE customer_id = 9;               -- outside-enum (case)
UPDATE public.customer SET status = NULL WHERE customer_id = 20;                  -- not a finding
UPDATE public.customer SET nickname = 'toolong' WHERE customer_id = 5;            -- too-long
UPDATE public.customer SET nickname = 'abcdef' WHERE customer_id = 12;            -- too-long
UPDATE public.customer SET balance = 12345.67 WHERE customer_id = 6;              -- numeric-overflow
UPDATE public.customer SET balance = 1.234 WHERE customer_id = 8;                 -- numeric-rounding
UPDATE public.customer SET balance = 2.005 WHERE customer_id = 13;                -- numeric-rounding
UPDATE public.customer SET age = 17 WHERE customer_id = 2;                        -- check-violation
UPDATE public.customer SET age = 5 WHERE customer_id = 14;                        -- check-violation
UPDATE public.customer SET support_rep_id = 99 WHERE customer_id = 15;            -- orphan: no such employee
UPDATE public.customer SET support_rep_id = 3 WHERE customer_id = 16;             -- orphan: employee 3 is not copied
UPDATE public.customer SET support_rep_id = NULL WHERE customer_id = 17;          -- not a finding
UPDATE public.customer SET code = 'SAME' WHERE customer_id IN (1, 2);             -- duplicate
UPDATE public.customer SET code = 'DUP' WHERE customer_id IN (18, 19);            -- duplicate
UPDATE public.customer SET seen_at = '2026-03-08 02:30' WHERE customer_id = 8;    -- dst-gap in New York
UPDATE public.customer SET seen_at = '2026-11-01 01:30' WHERE customer_id = 9;    -- dst-overlap in New York

-- timestamps without a declared zone
CREATE TABLE public.visit (id int PRIMARY KEY, visited_at timestamp NOT NULL);
INSERT INTO public.visit SELECT i, TIMESTAMP '2026-02-01 10:00' + i * interval '1 hour' FROM generate_series(1, 5) AS i;

-- a class with a narrower destination column (bigint into integer; every value fits) and a NULL
CREATE TABLE public.account (id int PRIMARY KEY, score bigint, email text);
INSERT INTO public.account VALUES (1, 10, 'a@x'), (2, 20, NULL), (3, 30, 'c@x'), (4, 40, 'd@x');

-- a mapping that cuts what it reads: names of more than 5 characters lose their end
CREATE TABLE public.person (id int PRIMARY KEY, full_name text);
INSERT INTO public.person VALUES (1, 'Ann'), (2, 'Bartholomew'), (3, 'Cy'), (4, 'Maximilian');

-- a clean class, for contrast
CREATE TABLE public.product (product_id int PRIMARY KEY, title text NOT NULL, price numeric(8,2) NOT NULL);
INSERT INTO public.product SELECT i, 'P' || i, i * 1.25 FROM generate_series(1, 10) AS i;
`;

const DESTINATION_SQL = `
CREATE SCHEMA storefront;
CREATE TYPE storefront.status AS ENUM ('active', 'inactive');
CREATE TABLE storefront.employees (id int PRIMARY KEY, name text NOT NULL);
-- rows cutover did not write
INSERT INTO storefront.employees VALUES (100, 'Old One'), (101, 'Old Two');
CREATE TABLE storefront.customers (
  id int PRIMARY KEY,
  first_name text NOT NULL,
  email text NOT NULL,
  status storefront.status,
  nickname varchar(5),
  balance numeric(6,2),
  age int CONSTRAINT adult CHECK (age >= 18),
  support_rep_id int REFERENCES storefront.employees (id),
  code text,
  seen_at timestamptz,
  created_by text NOT NULL
);
-- a unique index that is not the key
CREATE UNIQUE INDEX customers_code_key ON storefront.customers (code);
CREATE TABLE storefront.visits (id int PRIMARY KEY, visited_at timestamptz NOT NULL);
CREATE TABLE storefront.accounts (id int PRIMARY KEY, score int4, email text NOT NULL);
CREATE TABLE storefront.people (id int PRIMARY KEY, name text);
CREATE TABLE storefront.products (id int PRIMARY KEY, title text NOT NULL, price numeric(10,2) NOT NULL);
`;

const PLAN = `${planHead({ name: 'preflight-e2e', target: 'round_tripped' })}classes:
  customers:
    source: { table: customer, key: [customer_id] }
    destination: { table: storefront.customers, key: [id] }
    columns:
      id: customer_id
      first_name: first_name
      email: email
      status: status
      nickname: nickname
      balance: balance
      age: age
      support_rep_id: support_rep_id
      code: code
      seen_at: seen_at
    dropped:
      legacy: the new system has no use for it
    timestamps:
      source_timezone: America/New_York
      ambiguous: error
      nonexistent: error
    reverse:
      customer_id: id
      first_name: first_name
      email: email
      status: status
      nickname: nickname
      balance: balance
      age: age
      support_rep_id: support_rep_id
      code: code
      seen_at: seen_at
  employees:
    source: { table: employee, key: [employee_id] }
    destination: { table: storefront.employees, key: [id] }
    where: employee_id <> 3
    columns:
      id: employee_id
      name: name
    reverse:
      employee_id: id
      name: name
  visits:
    source: { table: visit, key: [id] }
    destination: { table: storefront.visits, key: [id] }
    columns:
      id: id
      visited_at: visited_at
    reverse:
      id: id
      visited_at: visited_at
  accounts:
    source: { table: account, key: [id] }
    destination: { table: storefront.accounts, key: [id] }
    columns:
      id: id
      score: score
      email: email
    reverse:
      id: id
      score: score
      email: email
  people:
    source: { table: person, key: [id] }
    destination: { table: storefront.people, key: [id] }
    columns:
      id: id
      name: full_name::varchar(5)
    reverse:
      id: id
      full_name: name
  products:
    source: { table: product, key: [product_id] }
    destination: { table: storefront.products, key: [id] }
    columns:
      id: product_id
      title: title
      price: price
    reverse:
      product_id: id
      title: title
      price: price
`;

const folder = endToEndFile();
let document: PlanDocument;
let human: CliResult;
let status: number | null;

/** The line of `name:` inside a class's `columns:`. */
const columnLine = (cls: string, column: string) => lineOf(PLAN, new RegExp(`^      ${column}: `), new RegExp(`^  ${cls}:$`));

beforeAll(async () => {
  const [sourceUrl, destinationUrl] = await Promise.all([freshDatabase('source', 'planpre'), freshDatabase('destination', 'planpre')]);
  await withClient(sourceUrl, async (c) => {
    await c.query(SOURCE_SQL);
    // the applications' zone, which differs from the one the plan declares
    await c.query(`ALTER DATABASE ${c.escapeIdentifier(databaseName(sourceUrl))} SET timezone = 'Europe/Paris'`);
  });
  await withClient(destinationUrl, (c) => c.query(DESTINATION_SQL));
  const file = folder.write('plan.yaml', PLAN);
  const env = urlEnv(sourceUrl, destinationUrl);
  const [result, text] = await Promise.all([runPlan(file, ['--json'], env), runPlan(file, [], env)]);
  human = text;
  status = result.status;
  expectExit(result, 0);
  document = planDocument(result);
});

describe('plan --json: preflight findings on planted data', () => {
  it('exits 0 and prints a document valid against the output schema', () => {
    expect(status).toBe(0);
    expect(document.format_version).toBe('1.1');
    expect(document.plan).toMatchObject({ name: 'preflight-e2e', target: 'round_tripped', phase: 'none' });
  });

  it('null-into-not-null: NULLs mapped into a NOT NULL column, with share and the first keys', () => {
    const f = oneFinding(document, 'null-into-not-null', 'email', 'customers');
    expect(f).toMatchObject({
      class: 'customers', severity: 'error', count: 3, share: 3 / 20, sample_keys: [[3], [7], [11]],
      line: columnLine('customers', 'email'),
    });
    expect(f.message).toContain('NOT NULL');
  });

  it('null-into-not-null: a NOT NULL destination column nothing maps, every row, at most 5 keys', () => {
    const f = oneFinding(document, 'null-into-not-null', 'created_by');
    // the path is classes.customers.columns: a block mapping, so the finding points at its key
    expect(f).toMatchObject({
      class: 'customers', severity: 'error', count: 20, share: 1, sample_keys: [[1], [2], [3], [4], [5]],
      line: lineOf(PLAN, /^    columns:$/, /^  customers:$/),
    });
  });

  it('outside-enum: values the destination enum does not have (NULLs are not counted)', () => {
    expect(oneFinding(document, 'outside-enum', 'status')).toMatchObject({
      class: 'customers', severity: 'error', count: 2, share: 0.1, sample_keys: [[4], [9]], line: columnLine('customers', 'status'),
    });
  });

  it('too-long: text longer than varchar(5)', () => {
    expect(oneFinding(document, 'too-long', 'nickname')).toMatchObject({
      class: 'customers', severity: 'error', count: 2, share: 0.1, sample_keys: [[5], [12]], line: columnLine('customers', 'nickname'),
    });
  });

  it('numeric-overflow and numeric-rounding against numeric(6,2)', () => {
    expect(oneFinding(document, 'numeric-overflow', 'balance')).toMatchObject({
      class: 'customers', severity: 'error', count: 1, share: 0.05, sample_keys: [[6]], line: columnLine('customers', 'balance'),
    });
    expect(oneFinding(document, 'numeric-rounding', 'balance')).toMatchObject({
      class: 'customers', severity: 'error', count: 2, share: 0.1, sample_keys: [[8], [13]], line: columnLine('customers', 'balance'),
    });
  });

  it('check-violation: a destination CHECK evaluated over the mapped values', () => {
    const f = oneFinding(document, 'check-violation', 'age');
    expect(f).toMatchObject({
      class: 'customers', severity: 'error', count: 2, share: 0.1, sample_keys: [[2], [14]], line: columnLine('customers', 'age'),
    });
    expect(f.message).toContain('adult');
  });

  it('orphan: references to a key the referenced class does not copy (absent, or excluded by its where)', () => {
    const f = oneFinding(document, 'orphan', 'support_rep_id');
    expect(f).toMatchObject({
      class: 'customers', severity: 'error', count: 2, share: 0.1, sample_keys: [[15], [16]], line: columnLine('customers', 'support_rep_id'),
    });
    expect(f.message).toContain('employees');
  });

  it('duplicate: against a destination unique index that is not the key', () => {
    const f = oneFinding(document, 'duplicate', 'code');
    expect(f).toMatchObject({
      class: 'customers', severity: 'error', count: 4, share: 0.2, sample_keys: [[1], [2], [18], [19]], line: columnLine('customers', 'code'),
    });
    expect(f.message).toContain('customers_code_key');
    expect(findingsOf(document, 'duplicate', 'id')).toEqual([]);
  });

  it('timestamp-without-zone: timestamp into timestamptz without source_timezone', () => {
    const f = oneFinding(document, 'timestamp-without-zone', 'visited_at');
    expect(f).toMatchObject({ class: 'visits', severity: 'error', line: columnLine('visits', 'visited_at') });
    expect(f.message).toContain('source_timezone');
  });

  it('dst-gap and dst-overlap: local times that do not exist or exist twice, under policy error', () => {
    expect(oneFinding(document, 'dst-gap', 'seen_at')).toMatchObject({
      class: 'customers', severity: 'error', count: 1, share: 0.05, sample_keys: [[8]], line: columnLine('customers', 'seen_at'),
    });
    expect(oneFinding(document, 'dst-overlap', 'seen_at')).toMatchObject({
      class: 'customers', severity: 'error', count: 1, share: 0.05, sample_keys: [[9]], line: columnLine('customers', 'seen_at'),
    });
  });

  it('timezone-differs: a warning where the source database TimeZone is not source_timezone', () => {
    const f = oneFinding(document, 'timezone-differs');
    expect(f).toMatchObject({ class: 'customers', severity: 'warning', line: lineOf(PLAN, 'source_timezone: America/New_York') });
    expect(f.message).toContain('Europe/Paris');
  });

  it('destination-not-empty: a destination table holding rows cutover did not write', () => {
    expect(oneFinding(document, 'destination-not-empty')).toMatchObject({
      class: 'employees', severity: 'error', count: 2, line: lineOf(PLAN, 'table: storefront.employees'),
    });
  });

  it('reverse-not-null: a NOT NULL source column reverse leaves unset', () => {
    expect(oneFinding(document, 'reverse-not-null', 'legacy')).toMatchObject({
      class: 'customers', severity: 'error', line: lineOf(PLAN, /^    reverse:$/, /^  customers:$/),
    });
  });

  it('narrowing: a destination column narrower than its source is a warning with the headroom while every value fits', () => {
    const f = oneFinding(document, 'narrowing', 'score');
    expect(f).toMatchObject({ class: 'accounts', severity: 'warning', line: columnLine('accounts', 'score') });
    expect(f.message).toBe('`score` (integer) is narrower than its mapping (bigint), and every value fits: the largest magnitude is 40');
    expect(oneFinding(document, 'null-into-not-null', 'email', 'accounts')).toMatchObject({
      severity: 'error', count: 1, share: 0.25, sample_keys: [[2]], line: columnLine('accounts', 'email'),
    });
  });

  it('value-changed: a mapping that cuts what it reads, with the rows it changes', () => {
    const f = oneFinding(document, 'value-changed', 'name');
    expect(f).toMatchObject({
      class: 'people', severity: 'error', count: 2, share: 0.5, sample_keys: [[2], [4]], line: columnLine('people', 'name'),
    });
    expect(f.message).toContain('declare `full_name` in `lossy`');
  });

  it('the human output shows each finding with its severity, and no hint suggests a cast', () => {
    expectExit(human, 0);
    expect(human.stdout).toMatch(/warning.*narrowing, column score/);
    expect(human.stdout).toMatch(/error.*value-changed, column name/);
    const preflightSection = human.stdout.slice(human.stdout.indexOf('Preflight findings:'));
    expect(preflightSection).not.toMatch(/\bcast\b|::/);
  });

  it('reports nothing for the clean class, and nothing else at all', () => {
    expect(document.preflight.filter((f) => f.class === 'products')).toEqual([]);
    expect(document.preflight.map((f) => `${f.class}:${f.kind}:${f.column ?? ''}`).sort()).toEqual([
      'accounts:narrowing:score',
      'accounts:null-into-not-null:email',
      'customers:check-violation:age',
      'customers:dst-gap:seen_at',
      'customers:dst-overlap:seen_at',
      'customers:duplicate:code',
      'customers:null-into-not-null:created_by',
      'customers:null-into-not-null:email',
      'customers:numeric-overflow:balance',
      'customers:numeric-rounding:balance',
      'customers:orphan:support_rep_id',
      'customers:outside-enum:status',
      'customers:reverse-not-null:legacy',
      'customers:timezone-differs:',
      'customers:too-long:nickname',
      'employees:destination-not-empty:',
      'people:value-changed:name',
      'visits:timestamp-without-zone:visited_at',
    ]);
  });

  it('error findings block gate.round_tripped and count as data problems; the warning does not', () => {
    const errors = document.preflight.filter((f) => f.severity === 'error').length;
    expect(errors).toBe(16);
    expect(document.summary.data_problems).toBe(errors);
    const gate = gateOf(document, 'gate.round_tripped');
    expect(gate.status).toBe('blocked');
    expect([...gate.reasons].sort()).toEqual([
      '1 check-violation finding', '1 destination-not-empty finding', '1 dst-gap finding', '1 dst-overlap finding', '1 duplicate finding',
      '1 numeric-overflow finding', '1 numeric-rounding finding', '1 orphan finding', '1 outside-enum finding',
      '1 reverse-not-null finding', '1 timestamp-without-zone finding', '1 too-long finding', '1 value-changed finding',
      '3 null-into-not-null findings',
    ]);
    expect(gate.reasons.join('\n')).not.toMatch(/timezone-differs|narrowing/);
    // nothing past the blocked gate is planned
    expect(document.resource_changes.filter((c) => c.phase === 'round_tripped')).toEqual([]);
  });
});
