// Preflight against real servers: a source with planted faults (so many NULL emails, so many values
// outside an enum, …) and a destination schema with the constraints they break; every finding's
// count, share and sample keys asserted exactly, and clean data giving no findings at all.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Session } from '../../engine/db/connect.js';
import type { Finding } from '../../engine/diff/plan-result.js';
import type { Catalog } from '../../engine/introspect/catalog.js';
import { introspect } from '../../engine/introspect/introspect.js';
import type { Plan, RecordClass } from '../../engine/plan/types.js';
import { describeMappings } from '../../engine/checks/expressions.js';
import { preflight } from '../../engine/checks/preflight.js';
import { gapPredicate, overlapPredicate } from '../../engine/checks/preflight/dst.js';
import { dropFreshDatabases, freshDatabase, withClient } from '../support/databases.js';
import { positions } from '../support/positions.js';
import { ROOT } from '../support/run-cli.js';

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
  score bigint,
  age int,
  support_rep_id int,
  code text,
  seen_at timestamp,
  legacy text NOT NULL
);
INSERT INTO public.customer
SELECT i, 'F' || i, 'c' || i || '@example.com', 'active', 'nick', 10.50, 100, 30, 1, 'C' || i,
       TIMESTAMP '2026-01-15 12:00' + i * interval '1 day', 'L'
  FROM generate_series(1, 20) AS i;
-- planted faults
UPDATE public.customer SET email = NULL WHERE customer_id IN (3, 7, 11);
UPDATE public.customer SET status = 'gone' WHERE customer_id = 4;
UPDATE public.customer SET status = 'ACTIVE' WHERE customer_id = 9;
UPDATE public.customer SET status = NULL WHERE customer_id = 20;
UPDATE public.customer SET nickname = 'toolong' WHERE customer_id = 5;
UPDATE public.customer SET nickname = 'abcdef' WHERE customer_id = 12;
UPDATE public.customer SET balance = 12345.67 WHERE customer_id = 6;
UPDATE public.customer SET balance = 1.234 WHERE customer_id = 8;
UPDATE public.customer SET balance = 2.005 WHERE customer_id = 13;
UPDATE public.customer SET score = 3000000000 WHERE customer_id = 10;
UPDATE public.customer SET age = 17 WHERE customer_id = 2;
UPDATE public.customer SET age = 5 WHERE customer_id = 14;
UPDATE public.customer SET age = NULL WHERE customer_id = 19;
UPDATE public.customer SET support_rep_id = 99 WHERE customer_id = 15;
UPDATE public.customer SET support_rep_id = 3 WHERE customer_id = 16;
UPDATE public.customer SET support_rep_id = NULL WHERE customer_id = 17;
UPDATE public.customer SET code = 'SAME' WHERE customer_id IN (1, 2);
UPDATE public.customer SET code = 'DUP' WHERE customer_id IN (18, 19);
UPDATE public.customer SET seen_at = '2026-03-08 02:30' WHERE customer_id = 8;
UPDATE public.customer SET seen_at = '2026-11-01 01:30' WHERE customer_id = 9;

-- clean twins: same shapes, no faults
CREATE TABLE public.clean_employee (LIKE public.employee INCLUDING ALL);
INSERT INTO public.clean_employee SELECT * FROM public.employee;
CREATE TABLE public.clean_customer (LIKE public.customer INCLUDING ALL);
INSERT INTO public.clean_customer
SELECT i, 'F' || i, 'c' || i || '@example.com', 'active', 'nick', 10.50, 100, 30, 1 + i % 3, 'C' || i,
       TIMESTAMP '2026-01-15 12:00' + i * interval '1 day', 'L'
  FROM generate_series(1, 20) AS i;

-- references declared only in the plan, and an inheritance parent
CREATE TABLE public.note (author_id int, seq int, customer_id int, PRIMARY KEY (author_id, seq));
INSERT INTO public.note VALUES (1, 1, 1), (1, 2, 15), (2, 1, NULL), (2, 2, 999), (0, 9, 999);
CREATE TABLE public.base (id int PRIMARY KEY, v text);
CREATE TABLE public.derived () INHERITS (public.base);
INSERT INTO public.base VALUES (1, NULL), (2, 'b');
INSERT INTO public.derived VALUES (3, NULL), (4, NULL), (5, 'e');

-- a mapping that fails on one row
CREATE TABLE public.reading (id int PRIMARY KEY, raw text, note text);
INSERT INTO public.reading VALUES (1, '10', 'a'), (2, '20', NULL), (3, 'x', 'c'), (4, '40', NULL);

-- declared narrowing: into narrower destination columns, every value of contact fits; contact_spill
-- adds row 11, which does not fit any of them
CREATE TABLE public.contact (
  id int PRIMARY KEY, name varchar(40), note text, amount numeric(12,4), big bigint, seen timestamp(6),
  ratio float8, born timestamp
);
INSERT INTO public.contact
SELECT i, 'name ' || i, 'note', i * 1.5, i * 1000, TIMESTAMP '2026-01-01 10:00:00.123' + i * interval '1 day', 0.5,
       TIMESTAMP '2000-01-01' + i * interval '1 day'
  FROM generate_series(1, 10) AS i;
CREATE TABLE public.contact_spill (LIKE public.contact INCLUDING ALL);
INSERT INTO public.contact_spill SELECT * FROM public.contact;
INSERT INTO public.contact_spill VALUES
  (11, 'a name thirty-one characters ok', 'a longer note', 1.2345, 3000000000, '2026-01-01 10:00:00.1234',
   0.1234567891, '2000-01-01 10:00');

-- mappings that cut or round what they read
CREATE TABLE public.person (id int PRIMARY KEY, full_name text, total numeric(10,2), seen timestamp);
INSERT INTO public.person VALUES
  (1, 'Ann', 9.00, '2026-01-01 00:00'), (2, 'Bartholomew', 9.99, '2026-01-01 10:30'),
  (3, 'Cy', 1.25, '2026-01-02 00:00'), (4, NULL, NULL, NULL);
`;

const DESTINATION_SQL = `
CREATE SCHEMA storefront;
CREATE TYPE storefront.status AS ENUM ('active', 'inactive');
CREATE TABLE storefront.employees (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE storefront.customers (
  id int PRIMARY KEY,
  first_name text NOT NULL,
  email text NOT NULL,
  status storefront.status,
  nickname varchar(5),
  balance numeric(6,2),
  score int4,
  age int CONSTRAINT adult CHECK (age >= 18),
  support_rep_id int REFERENCES storefront.employees (id),
  code text UNIQUE,
  seen_at timestamptz,
  created_by text NOT NULL,
  CONSTRAINT not_inactive CHECK (status <> 'inactive'::storefront.status),
  -- reads a column nothing maps: NULL there, so it holds
  CONSTRAINT has_creator CHECK (created_by <> '' AND age < 200)
);
CREATE UNIQUE INDEX customers_email_active ON storefront.customers (email) WHERE status = 'active';

CREATE TABLE storefront.clean_employees (LIKE storefront.employees INCLUDING ALL);
CREATE TABLE storefront.clean_customers (
  id int PRIMARY KEY,
  first_name text NOT NULL,
  email text NOT NULL UNIQUE,
  status storefront.status,
  nickname varchar(5),
  balance numeric(6,2),
  score int4,
  age int CHECK (age >= 18),
  support_rep_id int REFERENCES storefront.clean_employees (id),
  code text UNIQUE,
  seen_at timestamptz,
  created_by text NOT NULL DEFAULT 'cutover'
);

CREATE TABLE storefront.notes (author_id int, seq int, customer_id int, PRIMARY KEY (author_id, seq));
CREATE TABLE storefront.bases (id int PRIMARY KEY, v text NOT NULL);
CREATE TABLE storefront.readings (
  id int PRIMARY KEY, value int, note text NOT NULL,
  -- fails at run time on id 2 (division by zero): cannot be evaluated
  CONSTRAINT odd CHECK (100 / (id - 2) > -1000)
);

CREATE TABLE storefront.contacts (
  id int PRIMARY KEY, name varchar(20), note varchar(10), amount numeric(10,2), big int, seen timestamp(3),
  ratio real, born date
);
CREATE TABLE storefront.contact_spills (LIKE storefront.contacts INCLUDING ALL);
CREATE TABLE storefront.people (
  id int PRIMARY KEY, a text, b text, c numeric, d numeric, e int, f text, g date, h timestamp, cents bigint, lowered text, t time, shifted timestamp
);
`;

const customerColumns = {
  id: 'customer_id',
  first_name: 'first_name',
  email: 'email',
  status: 'status',
  nickname: 'nickname',
  balance: 'balance',
  score: 'score',
  age: 'age',
  support_rep_id: 'support_rep_id',
  code: 'code',
  seen_at: 'seen_at',
};

function planOf(classes: Record<string, RecordClass>): Plan {
  return {
    version: 1,
    name: 'preflight-test',
    target: 'round_tripped',
    source: { url: 'unused', schemas: ['public'] },
    destination: { url: 'unused' },
    classes,
  };
}

const faulty = planOf({
  customers: {
    source: { table: 'customer', key: ['customer_id'] },
    destination: { table: 'storefront.customers', key: ['id'] },
    columns: customerColumns,
    timestamps: { source_timezone: 'America/New_York', ambiguous: 'error' },
    reverse: {
      customer_id: 'id', first_name: 'first_name', email: 'email', status: 'status', nickname: 'nickname',
      balance: 'balance', score: 'score', age: 'age', support_rep_id: 'support_rep_id', code: 'code', seen_at: 'seen_at',
    },
  },
  employees: {
    source: { table: 'employee', key: ['employee_id'] },
    destination: { table: 'storefront.employees', key: ['id'] },
    where: 'employee_id <> 3',
    columns: { id: 'employee_id', name: 'name' },
  },
});

const clean = planOf({
  customers: {
    source: { table: 'clean_customer', key: ['customer_id'] },
    destination: { table: 'storefront.clean_customers', key: ['id'] },
    columns: customerColumns,
    timestamps: { source_timezone: 'Europe/Paris', ambiguous: 'error', nonexistent: 'error' },
    relationships: [{ columns: ['support_rep_id'], references: 'employees' }],
    reverse: {
      customer_id: 'id', first_name: 'first_name', email: 'email', status: 'status', nickname: 'nickname', legacy: "'L'",
    },
  },
  employees: {
    source: { table: 'clean_employee', key: ['employee_id'] },
    destination: { table: 'storefront.clean_employees', key: ['id'] },
    columns: { id: 'employee_id', name: 'name' },
  },
});

let sourceUrl: string;
let source: Session;
let sourceCatalog: Catalog;
let destinationCatalog: Catalog;

beforeAll(async () => {
  sourceUrl = await freshDatabase('source', 'preflight');
  const destinationUrl = await freshDatabase('destination', 'preflight');
  await withClient(sourceUrl, async (c) => {
    await c.query(SOURCE_SQL);
    await c.query(`ALTER DATABASE "${(await c.query('SELECT current_database() AS d')).rows[0].d}" SET timezone = 'Europe/Paris'`);
  });
  await withClient(destinationUrl, (c) => c.query(DESTINATION_SQL));
  source = await connect({ side: 'source', url: sourceUrl }, { readOnly: true, purpose: 'test' });
  sourceCatalog = await introspect(source.client, ['public']);
  destinationCatalog = await withClient(destinationUrl, (c) => introspect(c, ['storefront']));
});

afterAll(async () => {
  await source?.close();
  await dropFreshDatabases();
});

const byKind = (findings: Finding[], kind: string, column?: string) =>
  findings.filter((f) => f.kind === kind && (column === undefined || f.column === column));

function one(findings: Finding[], kind: string, column?: string): Finding {
  const found = byKind(findings, kind, column);
  expect(found, `${kind}${column ? ` on ${column}` : ''} in ${JSON.stringify(findings.map((f) => [f.kind, f.column]))}`).toHaveLength(1);
  return found[0]!;
}

describe('preflight data findings', () => {
  let findings: Finding[];
  const { locate, at } = positions(3);

  beforeAll(async () => {
    findings = await preflight(source.client, faulty, sourceCatalog, destinationCatalog, new Map([['storefront.employees', { count: 4, sampleKeys: [] }]]), locate);
  });

  it('counts NULLs mapped into a NOT NULL column, with share and the first keys', () => {
    const f = one(findings, 'null-into-not-null', 'email');
    expect(f).toMatchObject({
      class: 'customers', severity: 'error', count: 3, share: 3 / 20, sampleKeys: [[3], [7], [11]],
      ...at('classes', 'customers', 'columns', 'email'),
    });
    expect(f.message).toContain('NOT NULL');
  });

  it('reports a NOT NULL destination column that nothing maps, for every row', () => {
    expect(one(findings, 'null-into-not-null', 'created_by')).toMatchObject({
      count: 20, share: 1, sampleKeys: [[1], [2], [3], [4], [5]], ...at('classes', 'customers', 'columns'),
    });
  });

  it('finds values outside the destination enum, ignoring NULLs', () => {
    expect(one(findings, 'outside-enum', 'status')).toMatchObject({ severity: 'error', count: 2, share: 0.1, sampleKeys: [[4], [9]] });
  });

  it('finds text longer than varchar(n)', () => {
    expect(one(findings, 'too-long', 'nickname')).toMatchObject({ severity: 'error', count: 2, share: 0.1, sampleKeys: [[5], [12]] });
  });

  it('finds numeric overflow and rounding against numeric(p,s) and integer ranges', () => {
    expect(one(findings, 'numeric-overflow', 'balance')).toMatchObject({ severity: 'error', count: 1, share: 0.05, sampleKeys: [[6]] });
    expect(one(findings, 'numeric-rounding', 'balance')).toMatchObject({ severity: 'error', count: 2, share: 0.1, sampleKeys: [[8], [13]] });
    expect(one(findings, 'numeric-overflow', 'score')).toMatchObject({ count: 1, sampleKeys: [[10]] });
    expect(byKind(findings, 'numeric-rounding', 'score')).toHaveLength(0);
  });

  it('evaluates destination CHECK constraints over the mapped values', () => {
    const f = one(findings, 'check-violation', 'age');
    expect(f).toMatchObject({ severity: 'error', count: 2, share: 0.1, sampleKeys: [[2], [14]], ...at('classes', 'customers', 'columns', 'age') });
    expect(f.message).toContain('adult');
  });

  it('says which CHECK constraints it could not evaluate on the source', () => {
    const f = one(findings, 'check-not-evaluated');
    expect(f).toMatchObject({ class: 'customers', severity: 'warning', column: 'status' });
    expect(f.message).toContain('not_inactive');
  });

  it('finds orphan references through the referenced class mapping and where', () => {
    const f = one(findings, 'orphan', 'support_rep_id');
    expect(f).toMatchObject({ severity: 'error', count: 2, share: 0.1, sampleKeys: [[15], [16]] });
    expect(f.message).toContain('employees');
  });

  it('finds duplicates against unique indexes, and skips partial ones with a warning', () => {
    expect(one(findings, 'duplicate', 'code')).toMatchObject({ severity: 'error', count: 4, share: 0.2, sampleKeys: [[1], [2], [18], [19]] });
    expect(byKind(findings, 'duplicate', 'id')).toHaveLength(0);
    const partial = one(findings, 'duplicate-not-evaluated', 'email');
    expect(partial.severity).toBe('warning');
    expect(partial.message).toContain('customers_email_active');
  });

  it('finds local times in a daylight-saving gap or overlap when the policy is error', () => {
    expect(one(findings, 'dst-gap', 'seen_at')).toMatchObject({ severity: 'error', count: 1, share: 0.05, sampleKeys: [[8]] });
    expect(one(findings, 'dst-overlap', 'seen_at')).toMatchObject({ severity: 'error', count: 1, share: 0.05, sampleKeys: [[9]] });
  });

  it('warns when the source TimeZone differs from source_timezone', () => {
    expect(one(findings, 'timezone-differs')).toMatchObject({
      class: 'customers', severity: 'warning', ...at('classes', 'customers', 'timestamps', 'source_timezone'),
    });
  });

  it('refuses non-empty destination tables', () => {
    expect(one(findings, 'destination-not-empty')).toMatchObject({
      class: 'employees', severity: 'error', count: 4, ...at('classes', 'employees', 'destination', 'table'),
    });
  });

  it('finds NOT NULL source columns that reverse leaves unset', () => {
    expect(one(findings, 'reverse-not-null', 'legacy')).toMatchObject({
      class: 'customers', severity: 'error', ...at('classes', 'customers', 'reverse'),
    });
  });

  it('reports nothing else', () => {
    const kinds = findings.map((f) => `${f.kind}:${f.column ?? ''}`).sort();
    expect(kinds).toEqual([
      'check-not-evaluated:status', 'check-violation:age', 'destination-not-empty:', 'dst-gap:seen_at', 'dst-overlap:seen_at',
      'duplicate-not-evaluated:email', 'duplicate:code', 'null-into-not-null:created_by', 'null-into-not-null:email',
      'numeric-overflow:balance', 'numeric-overflow:score', 'numeric-rounding:balance', 'orphan:support_rep_id',
      'outside-enum:status', 'reverse-not-null:legacy', 'timezone-differs:', 'too-long:nickname',
    ]);
  });
});

describe('clean data', () => {
  it('gives no findings', async () => {
    const { locate } = positions(3);
    const plan = { ...clean, classes: { ...clean.classes, customers: { ...clean.classes.customers!, timestamps: { source_timezone: 'Europe/Paris' } } } };
    const findings = await preflight(source.client, plan, sourceCatalog, destinationCatalog, new Map([['storefront.clean_employees', { count: 0, sampleKeys: [] }]]), locate);
    // narrower destination columns that every value fits: warnings, never errors
    expect(findings.map((f) => `${f.severity}:${f.kind}:${f.column}`)).toEqual([
      'warning:narrowing:nickname', 'warning:narrowing:balance', 'warning:narrowing:score',
    ]);
  });

  it('checks clean data in a constant number of queries', async () => {
    const { locate } = positions(3);
    const described = await describeMappings(source.client, clean, sourceCatalog, destinationCatalog, locate);
    let queries = 0;
    const counting = { query: (text: string, values?: unknown[]) => { queries++; return source.client.query(text, values); } };
    const findings = await preflight(counting as never, clean, sourceCatalog, destinationCatalog, new Map(), locate, described);
    expect(findings.filter((f) => f.kind !== 'timezone-differs' && f.kind !== 'narrowing')).toEqual([]);
    // BEGIN, zones, CHECK descriptions, one aggregate per class (2), ROLLBACK
    expect(queries).toBe(6);
  });
});

describe('mappings that fail on some rows', () => {
  it('names the failing mapping and still checks the other columns', async () => {
    const { locate, at } = positions(3);
    const plan = planOf({
      readings: {
        source: { table: 'reading', key: ['id'] },
        destination: { table: 'storefront.readings', key: ['id'] },
        columns: { id: 'id', value: 'raw::int', note: 'note' },
      },
    });
    const findings = await preflight(source.client, plan, sourceCatalog, destinationCatalog, new Map(), locate);
    expect(findings.map((f) => [f.kind, f.column])).toEqual([
      ['mapping-failed', 'value'], ['check-not-evaluated', 'id'], ['null-into-not-null', 'note'],
    ]);
    expect(findings[0]).toMatchObject({ severity: 'error', ...at('classes', 'readings', 'columns', 'value') });
    expect(findings[0]!.message).toContain('invalid input syntax for type integer');
    expect(findings[1]).toMatchObject({ severity: 'warning' });
    expect(findings[1]!.message).toMatch(/CHECK constraint odd .*division by zero/);
    expect(findings[2]).toMatchObject({ count: 2, share: 0.5, sampleKeys: [[2], [4]] });
  });
});

/** describeMappings' findings and preflight's, as `plan` reports them */
async function everyFinding(plan: Plan, destinationCounts = new Map<string, { count: number; sampleKeys: unknown[][] }>(), { locate } = positions(3)): Promise<Finding[]> {
  const described = await describeMappings(source.client, plan, sourceCatalog, destinationCatalog, locate);
  const found = [...described.findings, ...(await preflight(source.client, plan, sourceCatalog, destinationCatalog, destinationCounts, locate, described))];
  seen.push(...found);
  return found;
}

/** every finding the tests below produced, for the check on what their messages suggest */
const seen: Finding[] = [];

const contactColumns = { id: 'id', name: 'name', note: 'note', amount: 'amount', big: 'big', seen: 'seen', ratio: 'ratio', born: 'born' };

describe('destination columns narrower than their source', () => {
  it('are a warning saying the headroom when every value fits', async () => {
    const findings = await everyFinding(planOf({
      contacts: { source: { table: 'contact', key: ['id'] }, destination: { table: 'storefront.contacts', key: ['id'] }, columns: contactColumns },
    }));
    expect(findings.map((f) => `${f.severity}:${f.kind}:${f.column}`).sort()).toEqual([
      'warning:narrowing:amount', 'warning:narrowing:big', 'warning:narrowing:born', 'warning:narrowing:name',
      'warning:narrowing:note', 'warning:narrowing:ratio', 'warning:narrowing:seen',
    ]);
    const message = (column: string) => one(findings, 'narrowing', column).message;
    expect(message('name')).toMatch(/character varying\(20\).*character varying\(40\).*every value fits.*the longest is 7 characters/);
    expect(message('note')).toMatch(/the longest is 4 characters/);
    expect(message('amount')).toMatch(/numeric\(10,2\).*the largest magnitude is 15 and the most decimal places 1/);
    expect(message('big')).toMatch(/the largest magnitude is 10000/);
    expect(message('seen')).toMatch(/the most fractional-second digits is 3/);
    expect(message('ratio')).toMatch(/every value converts to real unchanged/);
    expect(message('born')).toMatch(/every value is at midnight/);
  });

  it('are an error with counts and keys for the values that do not fit', async () => {
    const findings = await everyFinding(planOf({
      spills: { source: { table: 'contact_spill', key: ['id'] }, destination: { table: 'storefront.contact_spills', key: ['id'] }, columns: contactColumns },
    }));
    expect(findings.map((f) => `${f.severity}:${f.kind}:${f.column}`).sort()).toEqual([
      'error:numeric-overflow:big', 'error:numeric-rounding:amount', 'error:precision-loss:ratio', 'error:seconds-rounding:seen',
      'error:time-dropped:born', 'error:too-long:name', 'error:too-long:note',
    ]);
    for (const f of findings) expect(f).toMatchObject({ count: 1, share: 1 / 11, sampleKeys: [[11]] });
    expect(one(findings, 'too-long', 'name').message).toContain('longer than 20 characters');
  });
});

describe('mappings that change the values they read', () => {
  const people: RecordClass = {
    source: { table: 'person', key: ['id'] },
    destination: { table: 'storefront.people', key: ['id'] },
    columns: {
      id: 'id',
      a: 'left(full_name, 5)',
      b: 'full_name::varchar(5)',
      c: 'round(total, 1)',
      d: 'total::numeric(10,1)',
      e: 'total::int',
      f: 'substr(full_name, 2)',
      g: 'seen::date',
      h: "date_trunc('hour', seen)",
      // a unit change, a case change and a shift are not cuts, even where one row looks like one
      // (Bartholomew's 10:30 shifted is midnight)
      cents: '(total * 100)::bigint',
      lowered: 'lower(full_name)',
      shifted: "seen - interval '10 hours 30 minutes'",
    },
  };

  it('are errors with the count and keys of the rows whose value changes', async () => {
    const where = positions(3);
    const { at } = where;
    const findings = await everyFinding(planOf({ people }), new Map(), where);
    const changed = Object.fromEntries(byKind(findings, 'value-changed').map((f) => [f.column, f.sampleKeys]));
    expect(changed).toEqual({
      a: [[2]], b: [[2]], c: [[2], [3]], d: [[2], [3]], e: [[2], [3]], f: [[1], [2], [3]], g: [[2]], h: [[2]],
    });
    expect(findings.filter((f) => f.kind !== 'value-changed')).toEqual([]);
    const a = one(findings, 'value-changed', 'a');
    expect(a).toMatchObject({ severity: 'error', count: 1, share: 0.25, ...at('classes', 'people', 'columns', 'a') });
    expect(a.message).toMatch(/`full_name`/);
    expect(a.message).toMatch(/lossy/);
    expect(one(findings, 'value-changed', 'c')).toMatchObject({ count: 2, share: 0.5 });
  });

  it('are reported as declared, not as a problem, when lossy names the reverse column they affect', async () => {
    const findings = await everyFinding(planOf({
      people: {
        ...people,
        columns: { id: 'id', a: 'left(full_name, 5)', c: 'round(total, 1)', e: 'total::int' },
        reverse: { id: 'id', full_name: 'a', total: 'c' },
        lossy: { full_name: 'the new system keeps five characters' },
      },
    }));
    expect(findings.map((f) => `${f.severity}:${f.kind}:${f.column}`).sort()).toEqual([
      'error:value-changed:c', 'error:value-changed:e', 'warning:value-changed:a',
    ]);
    const a = one(findings, 'value-changed', 'a');
    expect(a).toMatchObject({ count: 1, sampleKeys: [[2]] });
    expect(a.message).toContain('the new system keeps five characters');
  });

  it('declares a conversion that drops every date the same way', async () => {
    const findings = await everyFinding(planOf({
      times: {
        source: { table: 'customer', key: ['customer_id'] },
        destination: { table: 'storefront.people', key: ['id'] },
        columns: { id: 'customer_id', t: 'seen_at' },
        reverse: { customer_id: 'id', seen_at: "'2026-01-01'::date + t" },
        lossy: { seen_at: 'only the time of day is kept' },
      },
    }));
    const f = one(findings, 'lossy-cast', 't');
    expect(f.severity).toBe('warning');
    expect(f.message).toContain('declared in `lossy` for `seen_at`: only the time of day is kept');
  });
});

describe('hints', () => {
  // a cast to a bounded type (`::varchar(20)`, `::numeric(10,2)`, `::int`) truncates or rounds
  // silently: no finding may suggest one
  const SUGGESTS_CAST = /\bcast|::|\bcoerce/i;

  it('of every finding kind suggest no cast', async () => {
    await everyFinding(faulty, new Map([['storefront.employees', { count: 4, sampleKeys: [] }]]));
    await everyFinding(planOf({
      times: {
        source: { table: 'customer', key: ['customer_id'] },
        destination: { table: 'storefront.people', key: ['id'] },
        columns: { id: 'customer_id', t: 'seen_at', e: 'first_name' },
      },
      visits: {
        source: { table: 'customer', key: ['customer_id'] },
        destination: { table: 'storefront.clean_customers', key: ['id'] },
        columns: { id: 'customer_id', first_name: 'first_name', email: "coalesce(email, '')", seen_at: 'seen_at' },
      },
    }));
    const kinds = new Set(seen.map((f) => f.kind));
    for (const kind of [
      'type-incompatible', 'lossy-cast', 'timestamp-without-zone', 'narrowing', 'too-long', 'numeric-overflow', 'numeric-rounding',
      'seconds-rounding', 'precision-loss', 'time-dropped', 'value-changed', 'null-into-not-null', 'outside-enum', 'check-violation',
      'orphan', 'duplicate', 'dst-gap', 'dst-overlap', 'destination-not-empty', 'reverse-not-null',
    ]) expect(kinds, kind).toContain(kind);
    for (const f of seen) expect(f.message, `${f.kind}: ${f.message}`).not.toMatch(SUGGESTS_CAST);
  });

  it('written anywhere in the engine or the CLI suggest no cast', () => {
    // prose, outside comments, telling the reader to cast
    const advice = /\bcast(ing)?\s+(it|them|explicitly|the value|in the expression)\b/i;
    const offending: string[] = [];
    for (const dir of ['engine', 'cli']) {
      for (const file of readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })) {
        if (!file.endsWith('.ts')) continue;
        readFileSync(path.join(ROOT, dir, file), 'utf8').split('\n').forEach((line, i) => {
          if (!/^\s*(\/\/|\*|\/\*)/.test(line) && advice.test(line)) offending.push(`${dir}/${file}:${i + 1}: ${line.trim()}`);
        });
      }
    }
    expect(offending).toEqual([]);
  });
});

describe('plan relationships and inheritance', () => {
  it('finds orphans of a relationship the destination does not declare, through the referenced class where', async () => {
    const { locate, at } = positions(3);
    const plan = planOf({
      notes: {
        source: { table: 'note', key: ['author_id', 'seq'] },
        destination: { table: 'storefront.notes', key: ['author_id', 'seq'] },
        columns: { author_id: 'author_id', seq: 'seq', customer_id: 'customer_id' },
        relationships: [{ columns: ['customer_id'], references: 'customers' }],
      },
      customers: {
        source: { table: 'clean_customer', key: ['customer_id'] },
        destination: { table: 'storefront.clean_customers', key: ['id'] },
        where: 'customer_id <= 10',
        columns: { id: 'customer_id', first_name: 'first_name', email: 'email' },
      },
    });
    const findings = await preflight(source.client, plan, sourceCatalog, destinationCatalog, new Map(), locate);
    expect(findings).toEqual([{
      class: 'notes', column: 'customer_id', kind: 'orphan', severity: 'error',
      message: expect.stringContaining('relationship to class customers'),
      count: 3, share: 3 / 5, sampleKeys: [[0, 9], [1, 2], [2, 2]],
      ...at('classes', 'notes', 'relationships', 0),
    }]);
  });

  it('reads an inheritance parent without its children', async () => {
    const { locate } = positions(3);
    const plan = planOf({
      bases: { source: { table: 'base', key: ['id'] }, destination: { table: 'storefront.bases', key: ['id'] }, columns: { id: 'id', v: 'v' } },
    });
    const findings = await preflight(source.client, plan, sourceCatalog, destinationCatalog, new Map(), locate);
    expect(findings).toMatchObject([{ kind: 'null-into-not-null', column: 'v', count: 1, share: 0.5, sampleKeys: [[1]] }]);
  });
});

describe('time zones', () => {
  it('reports a source_timezone PostgreSQL does not know, and skips its DST checks', async () => {
    const { locate, at } = positions(3);
    const plan = planOf({
      customers: { ...faulty.classes.customers!, timestamps: { source_timezone: 'Mars/Olympus_Mons' }, reverse: undefined },
    });
    const findings = await preflight(source.client, plan, sourceCatalog, destinationCatalog, new Map(), locate);
    expect(one(findings, 'timezone-invalid')).toMatchObject({
      class: 'customers', severity: 'error', ...at('classes', 'customers', 'timestamps', 'source_timezone'),
    });
    expect(one(findings, 'timezone-invalid').message).toContain('Mars/Olympus_Mons');
    expect(byKind(findings, 'dst-gap')).toHaveLength(0);
    expect(byKind(findings, 'timezone-differs')).toHaveLength(0);
    expect(one(findings, 'null-into-not-null', 'email').count).toBe(3);
  });

  it('skips DST checks where the policy resolves them', async () => {
    const { locate } = positions(3);
    const plan = planOf({
      customers: {
        ...faulty.classes.customers!,
        timestamps: { source_timezone: 'America/New_York', ambiguous: 'earlier', nonexistent: 'forward' },
      },
    });
    const findings = await preflight(source.client, plan, sourceCatalog, destinationCatalog, new Map(), locate);
    expect(byKind(findings, 'dst-gap')).toHaveLength(0);
    expect(byKind(findings, 'dst-overlap')).toHaveLength(0);
  });
});

describe('daylight-saving predicates', () => {
  const cases: [string, string, boolean, boolean][] = [
    ['America/New_York', '2026-03-08 02:30', true, false],
    ['America/New_York', '2026-11-01 01:30', false, true],
    ['America/New_York', '2026-03-08 01:59', false, false],
    ['America/New_York', '2026-03-08 03:00', false, false],
    ['America/New_York', '2026-11-01 00:59', false, false],
    ['America/New_York', '2026-11-01 01:00', false, true],
    ['America/New_York', '2026-11-01 02:00', false, false],
    ['America/New_York', '2026-07-01 12:00', false, false],
    // a 30-minute shift: Lord Howe Island
    ['Australia/Lord_Howe', '2026-10-04 02:15', true, false],
    ['Australia/Lord_Howe', '2026-04-05 01:45', false, true],
    ['Australia/Lord_Howe', '2026-04-05 02:15', false, false],
    ['UTC', '2026-03-08 02:30', false, false],
  ];
  it.each(cases)('%s %s: gap %s, overlap %s', async (zone, local, gap, overlap) => {
    const t = `TIMESTAMP '${local}'`;
    // the predicates must not depend on the session's TimeZone
    for (const session of ['UTC', 'Asia/Tokyo', 'America/New_York']) {
      await source.client.query(`SET TimeZone = '${session}'`);
      const { rows } = await source.client.query(`SELECT ${gapPredicate(t, zone)} AS gap, ${overlapPredicate(t, zone)} AS overlap`);
      expect(rows[0]).toEqual({ gap, overlap });
    }
    await source.client.query(`SET TimeZone = 'UTC'`);
  });
});
