// Record class parity against real servers: a source and a destination holding the same data by
// hand (customers with an enum, a converted timestamp, a numeric of another scale, a computed
// column and checks; orders with a composite key and a foreign key; employees referencing
// themselves; a 200,000-row class), which passes; then every kind of difference planted on the
// destination and found with its sample keys; and results kept in state.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeMappings, type ExpressionType } from '../../engine/checks/expressions.js';
import { checkParity, type CheckParityInput } from '../../engine/checks/parity/check-parity.js';
import { familyOf } from '../../engine/checks/parity/normalise.js';
import type { QueryRunner } from '../../engine/db/query-runner.js';
import { startupOptions } from '../../engine/db/session-settings.js';
import type { ParityResult } from '../../engine/diff/plan-result.js';
import type { Catalog, CatalogColumn } from '../../engine/introspect/catalog.js';
import { introspect } from '../../engine/introspect/introspect.js';
import type { Plan, RecordClass } from '../../engine/plan/types.js';
import { readParity, writeParity } from '../../engine/state/parity-store.js';
import { ensureStateSchema } from '../../engine/state/state-store.js';
import { dropFreshDatabases, freshDatabase, withClient } from '../support/databases.js';

const BIG_ROWS = 200_000;

const SOURCE_SQL = `
CREATE TABLE public.customer (
  customer_id int PRIMARY KEY,
  first_name text NOT NULL,
  last_name text NOT NULL,
  email text,
  status text NOT NULL,
  balance numeric,
  note text,
  created timestamp,
  referrer_id int
);
INSERT INTO public.customer VALUES
  (1, 'Ann', 'Archer', 'Ann@Example.com', 'active', 1.5, 'vip', '2026-03-01 09:00', NULL),
  (2, 'Bob', 'Baker', 'bob@example.com', 'active', 20, NULL, '2026-07-04 12:30:15.25', 1),
  (3, 'Cid', 'Cole', 'cid@example.com', 'closed', 0.10, '', NULL, 1),
  (4, 'Dee', 'Dunn', NULL, 'active', NULL, 'a, "quoted" note', '2026-11-01 01:30', 2),
  (5, 'Eve', 'Event', 'eve@example.com', 'active', -3.25, 'x', '2026-01-01 00:00', NULL),
  (6, 'Fay', 'Fox', 'fay@example.com', 'closed', 7, NULL, '2026-03-08 02:30', NULL),
  (90, 'Test', 'One', 'test1@example.com', 'test', 0, NULL, NULL, NULL),
  (91, 'Test', 'Two', 'test2@example.com', 'test', 0, NULL, NULL, NULL);

CREATE TABLE public.orders (
  order_id int NOT NULL,
  line_no int NOT NULL,
  customer_id int NOT NULL,
  amount numeric(10,3) NOT NULL,
  placed_at timestamptz NOT NULL,
  PRIMARY KEY (order_id, line_no)
);
INSERT INTO public.orders VALUES
  (1, 1, 1, 2.500, '2026-02-01 10:00:00+01'),
  (1, 2, 1, 3.000, '2026-02-01 10:00:00+01'),
  (2, 1, 2, 4.250, '2026-02-02 23:59:59.5+00'),
  (3, 1, 4, 0.000, '2026-02-03 00:00:00-05');

CREATE TABLE public.staff (id int PRIMARY KEY, name text NOT NULL, boss int);
INSERT INTO public.staff VALUES (1, 'Root', NULL), (2, 'Mid', 1), (3, 'Leaf', 2), (4, 'Leaf2', 2);

CREATE TABLE public.tag (id int PRIMARY KEY, label text, price numeric, code text, day date, flag boolean);
INSERT INTO public.tag VALUES (1, 'short', 1.5, 'ab', '2026-01-01', true), (2, 'toolong', 2, 'abcd', 'infinity', false),
  (3, NULL, NULL, NULL, NULL, NULL);

CREATE TABLE public.big (id int PRIMARY KEY, label text NOT NULL, amount numeric(12,2), at timestamptz);
INSERT INTO public.big
  SELECT i, 'row ' || i, (i % 1000) / 4.0, TIMESTAMPTZ '2026-01-01 00:00:00+00' + i * interval '1 minute'
    FROM generate_series(1, ${BIG_ROWS}) AS i;
ANALYZE public.big;
`;

const DESTINATION_SQL = `
CREATE SCHEMA storefront;
CREATE TYPE storefront.status AS ENUM ('active', 'closed');
CREATE TABLE storefront.customers (
  id int PRIMARY KEY,
  first_name text NOT NULL,
  last_name text NOT NULL,
  email text,
  status storefront.status NOT NULL,
  balance numeric(10,2),
  note text,
  created_at timestamptz,
  referrer_id int REFERENCES storefront.customers (id),
  display_name text
);
-- created: America/New_York wall time → UTC instant (EST -5, EDT -4; 2026-03-08 02:30 is in the
-- spring-forward gap, read forward; 2026-11-01 01:30 is in the overlap, read earlier)
INSERT INTO storefront.customers VALUES
  (1, 'Ann', 'Archer', 'ann@example.com', 'active', 1.50, 'vip', '2026-03-01 14:00:00+00', NULL, 'Ann Archer'),
  (2, 'Bob', 'Baker', 'bob@example.com', 'active', 20.00, NULL, '2026-07-04 16:30:15.25+00', 1, 'Bob Baker'),
  (3, 'Cid', 'Cole', 'cid@example.com', 'closed', 0.1, '', NULL, 1, 'Cid Cole'),
  (4, 'Dee', 'Dunn', NULL, 'active', NULL, 'a, "quoted" note', '2026-11-01 05:30:00+00', 2, 'Dee Dunn'),
  (5, 'Eve', 'Event', 'eve@example.com', 'active', -3.25, 'x', '2026-01-01 05:00:00+00', NULL, 'Eve Event'),
  (6, 'Fay', 'Fox', 'fay@example.com', 'closed', 7, NULL, '2026-03-08 07:30:00+00', NULL, 'Fay Fox');

CREATE TABLE storefront.orders (
  order_id bigint NOT NULL,
  line int NOT NULL,
  customer_id int NOT NULL REFERENCES storefront.customers (id),
  amount numeric(10,2) NOT NULL,
  placed_at timestamptz NOT NULL,
  PRIMARY KEY (order_id, line)
);
INSERT INTO storefront.orders VALUES
  (1, 1, 1, 2.5, '2026-02-01 09:00:00+00'),
  (1, 2, 1, 3, '2026-02-01 09:00:00+00'),
  (2, 1, 2, 4.25, '2026-02-02 23:59:59.5+00'),
  (3, 1, 4, 0, '2026-02-03 05:00:00+00');

CREATE TABLE storefront.employees (id int PRIMARY KEY, name text NOT NULL, manager_id int);
INSERT INTO storefront.employees VALUES (1, 'Root', NULL), (2, 'Mid', 1), (3, 'Leaf', 2), (4, 'Leaf2', 2);

CREATE DOMAIN storefront.price AS numeric(10,2) CHECK (VALUE >= 0);
CREATE TABLE storefront.tags (id int PRIMARY KEY, label varchar(5), price storefront.price, code char(4), day date, flag boolean);
-- tag 2's label could not have been copied into varchar(5): a truncated value must not pass
INSERT INTO storefront.tags VALUES (1, 'short', 1.50, 'ab', '2026-01-01', true), (2, 'toolo', 2.00, 'abcd', 'infinity', false),
  (3, NULL, NULL, NULL, NULL, NULL);

CREATE TABLE storefront.big (id int PRIMARY KEY, label text NOT NULL, amount numeric(12,2), at timestamptz);
INSERT INTO storefront.big
  SELECT i, 'row ' || i, (i % 1000) / 4.0, TIMESTAMPTZ '2026-01-01 00:00:00+00' + i * interval '1 minute'
    FROM generate_series(1, ${BIG_ROWS}) AS i;
ANALYZE storefront.big;
`;

const customers: RecordClass = {
  source: { table: 'customer', key: ['customer_id'] },
  destination: { table: 'storefront.customers', key: ['id'] },
  where: "status <> 'test'",
  columns: {
    id: 'customer_id',
    first_name: 'first_name',
    last_name: 'last_name',
    email: 'lower(email)',
    status: 'status',
    balance: 'balance',
    note: 'note',
    created_at: 'created',
    referrer_id: 'referrer_id',
  },
  timestamps: { source_timezone: 'America/New_York', ambiguous: 'earlier', nonexistent: 'forward' },
  computed: { display_name: "first_name || ' ' || last_name" },
  checks: [
    {
      name: 'email is unique ignoring case',
      destination: `SELECT id FROM storefront.customers
        WHERE lower(email) IN (SELECT lower(email) FROM storefront.customers GROUP BY 1 HAVING count(*) > 1) ORDER BY id;`,
    },
    { name: 'no negative balance below -10', destination: 'SELECT id FROM storefront.customers WHERE balance < -10 ORDER BY id' },
  ],
};

const orders: RecordClass = {
  source: { table: 'orders', key: ['order_id', 'line_no'] },
  destination: { table: 'storefront.orders', key: ['order_id', 'line'] },
  columns: { order_id: 'order_id', line: 'line_no', customer_id: 'customer_id', amount: 'amount::numeric(10,2)', placed_at: 'placed_at' },
};

const employees: RecordClass = {
  source: { table: 'staff', key: ['id'] },
  destination: { table: 'storefront.employees', key: ['id'] },
  columns: { id: 'id', name: 'name', manager_id: 'boss' },
  relationships: [{ columns: ['manager_id'], references: 'employees' }],
};

const tags: RecordClass = {
  source: { table: 'tag', key: ['id'] },
  destination: { table: 'storefront.tags', key: ['id'] },
  columns: { id: 'id', label: 'label', price: 'price', code: 'code', day: 'day', flag: 'flag' },
};

const big: RecordClass = {
  source: { table: 'big', key: ['id'] },
  destination: { table: 'storefront.big', key: ['id'] },
  columns: { id: 'id', label: 'label', amount: 'amount', at: 'at' },
};

function planOf(classes: Record<string, RecordClass>): Plan {
  return {
    version: 1, name: 'parity-test', target: 'round_tripped',
    source: { url: 'unused', schemas: ['public'] }, destination: { url: 'unused' }, classes,
  };
}

const PLAN = planOf({ customers, orders, employees, tags, big });

/** Counts statements and the rows each returned, to show what crosses the wire. */
class Counting implements QueryRunner {
  statements: { text: string; rows: number }[] = [];
  constructor(private readonly client: pg.Client) {}
  async query<R>(text: string, values?: unknown[]): Promise<{ rows: R[]; rowCount?: number | null }> {
    const r = await this.client.query(text, values);
    this.statements.push({ text, rows: r.rows.length });
    return { rows: r.rows as R[], rowCount: r.rowCount };
  }
  reset(): void {
    this.statements = [];
  }
}

let sourceUrl: string;
let destinationUrl: string;
let source: pg.Client;
let destination: pg.Client;
let sourceCatalog: Catalog;
let destinationCatalog: Catalog;
let types: Map<string, Map<string, ExpressionType>>;

async function session(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, options: startupOptions() });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

async function parity(className: string, plan: Plan = PLAN, extra: Partial<CheckParityInput> = {}): Promise<ParityResult> {
  return checkParity({
    plan, className, source, destination, sourceCatalog, destinationCatalog,
    types: types.get(className), checkedAt: new Date('2026-12-01T12:00:00Z'), ...extra,
  });
}

/** Runs `plant` on the destination, then `fn`, then `undo`, whatever happens. */
async function planted<T>(plant: string, undo: string, fn: () => Promise<T>): Promise<T> {
  await withClient(destinationUrl, (c) => c.query(plant));
  try {
    return await fn();
  } finally {
    await withClient(destinationUrl, (c) => c.query(undo));
  }
}

const kinds = (r: ParityResult) => r.differences.map((d) => d.kind).sort();
const difference = (r: ParityResult, kind: string) => r.differences.find((d) => d.kind === kind);

beforeAll(async () => {
  sourceUrl = await freshDatabase('source', 'parity');
  destinationUrl = await freshDatabase('destination', 'parity');
  await Promise.all([
    withClient(sourceUrl, (c) => c.query(SOURCE_SQL)),
    withClient(destinationUrl, (c) => c.query(DESTINATION_SQL)),
  ]);
  source = await session(sourceUrl);
  destination = await session(destinationUrl);
  sourceCatalog = await introspect(source, ['public']);
  destinationCatalog = await introspect(destination, ['storefront']);
  const described = await describeMappings(source, PLAN, sourceCatalog, destinationCatalog, () => ({ line: 1, col: 1 }));
  // (tags.label: text into varchar(5) is for preflight to count, not an error)
  expect(described.findings.filter((f) => f.severity === 'error')).toEqual([]);
  types = described.types;
}, 120_000);

afterAll(async () => {
  await source?.end().catch(() => undefined);
  await destination?.end().catch(() => undefined);
  await dropFreshDatabases();
});

describe('a correct copy', () => {
  it('passes every class, with the counts and the rows excluded by `where`', async () => {
    const c = await parity('customers');
    expect(c).toEqual({
      class: 'customers', passed: true, checkedAt: '2026-12-01T12:00:00.000Z',
      sourceRows: 6, destinationRows: 6, excludedRows: 2, differences: [],
    });
    const o = await parity('orders');
    expect(o).toMatchObject({ passed: true, sourceRows: 4, destinationRows: 4, excludedRows: 0, differences: [] });
    const e = await parity('employees');
    expect(e).toMatchObject({ passed: true, sourceRows: 4, destinationRows: 4, differences: [] });
  });

  it('reads the source in its own read-only snapshot and ends it', async () => {
    const counting = new Counting(source);
    await parity('customers', PLAN, { source: counting });
    const texts = counting.statements.map((s) => s.text);
    expect(texts[0]).toBe('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    expect(texts.at(-1)).toBe('ROLLBACK');
    // the table is read twice (the `where` count, the buckets): nothing differs, nothing else is read
    expect(texts.filter((t) => t.includes('FROM ONLY "public"."customer" AS src')).length).toBe(2);
    expect(texts.length).toBeLessThanOrEqual(7);
    const status = await source.query<{ s: string }>(`SELECT current_setting('transaction_isolation') AS s`);
    expect(status.rows[0]!.s).toBe('read committed');

    counting.reset();
    await source.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      await parity('customers', PLAN, { source: counting, sourceInSnapshot: true });
      expect(counting.statements.some((s) => /^(BEGIN|ROLLBACK)/.test(s.text))).toBe(false);
    } finally {
      await source.query('ROLLBACK');
    }
  });

  it('treats 1.5 and 1.50 in numeric(10,2) as equal, and numeric(10,3) 2.500 cast to numeric(10,2) as 2.50', async () => {
    // customer 1: source numeric 1.5, destination numeric(10,2) 1.50; orders: numeric(10,3) → (10,2)
    const c = await parity('customers');
    expect(difference(c, 'changed')).toBeUndefined();
    const o = await parity('orders');
    expect(difference(o, 'changed')).toBeUndefined();
  });
});

describe('normalisation to the destination types', () => {
  it('compares domains by their base type, char(n) as text, and never truncates to varchar(n)', async () => {
    for (const hash of ['native', 'portable'] as const) {
      const r = await parity('tags', PLAN, { hash });
      expect(r.differences).toEqual([{ kind: 'changed', count: 1, sampleKeys: [[2]], columns: ['label'] }]);
    }
  });

  it('classifies destination column types', () => {
    const column = (type: string, baseType: string, category: string, extra: Partial<CatalogColumn> = {}): CatalogColumn => ({
      name: 'c', type, baseType, category, notNull: false, hasDefault: false, generated: false, identity: false,
      maxLength: null, precision: null, scale: null, enumLabels: null, ...extra,
    });
    expect(familyOf(column('character varying(40)', 'varchar', 'S'))).toEqual({ kind: 'builtin', base: 'varchar', cast: 'character varying' });
    expect(familyOf(column('character(4)', 'bpchar', 'S'))).toEqual({ kind: 'builtin', base: 'bpchar', cast: 'bpchar' });
    expect(familyOf(column('numeric(10,2)', 'numeric', 'N'))).toEqual({ kind: 'builtin', base: 'numeric', cast: 'numeric(10,2)' });
    expect(familyOf(column('timestamp(3) with time zone', 'timestamptz', 'D'))).toEqual({ kind: 'builtin', base: 'timestamptz', cast: 'timestamp(3) with time zone' });
    expect(familyOf(column('interval year to month', 'interval', 'T'))).toMatchObject({ kind: 'builtin', base: 'interval' });
    expect(familyOf(column('integer[]', '_int4', 'A'))).toEqual({ kind: 'builtin', base: 'array', cast: 'integer[]' });
    expect(familyOf(column('"char"', 'char', 'Z'))).toMatchObject({ kind: 'builtin' });
    expect(familyOf(column('storefront.price', 'numeric', 'N', { precision: 10, scale: 2 }))).toEqual({ kind: 'domain', base: 'numeric', cast: 'numeric(10,2)' });
    expect(familyOf(column('cents', 'int8', 'N'))).toEqual({ kind: 'domain', base: 'int8', cast: 'pg_catalog."int8"' });
    expect(familyOf(column('storefront.status', 'status', 'E'))).toEqual({ kind: 'text' });
    expect(familyOf(column('public.citext', 'citext', 'S'))).toEqual({ kind: 'text' });
  });
});

describe('planted differences', () => {
  it('finds a missing row by its composite key', async () => {
    const r = await planted(
      'DELETE FROM storefront.orders WHERE order_id = 1 AND line = 2',
      "INSERT INTO storefront.orders VALUES (1, 2, 1, 3, '2026-02-01 09:00:00+00')",
      () => parity('orders'));
    expect(r.passed).toBe(false);
    expect(r.sourceRows).toBe(4);
    expect(r.destinationRows).toBe(3);
    // order_id is bigint on the destination (a string), line an integer (a number)
    expect(r.differences).toEqual([{ kind: 'missing', count: 1, sampleKeys: [['1', 2]] }]);
  });

  it('finds an extra row', async () => {
    const r = await planted(
      "INSERT INTO storefront.customers VALUES (999, 'Zed', 'Zulu', 'zed@example.com', 'active', 0, NULL, NULL, NULL, 'Zed Zulu')",
      'DELETE FROM storefront.customers WHERE id = 999',
      () => parity('customers'));
    expect(r).toMatchObject({ passed: false, sourceRows: 6, destinationRows: 7, excludedRows: 2 });
    expect(r.differences).toEqual([{ kind: 'extra', count: 1, sampleKeys: [[999]] }]);
  });

  it('finds a changed row and names the column', async () => {
    const r = await planted(
      "UPDATE storefront.customers SET email = 'bob@elsewhere.com' WHERE id = 2",
      "UPDATE storefront.customers SET email = 'bob@example.com' WHERE id = 2",
      () => parity('customers'));
    expect(r.passed).toBe(false);
    expect(r.sourceRows).toBe(r.destinationRows);
    expect(r.differences).toEqual([{ kind: 'changed', count: 1, sampleKeys: [[2]], columns: ['email'] }]);
  });

  it('finds a timestamp shifted by an hour and an enum with another label', async () => {
    const r = await planted(
      `UPDATE storefront.customers SET created_at = created_at + interval '1 hour' WHERE id = 1;
       UPDATE storefront.customers SET status = 'closed' WHERE id = 5`,
      `UPDATE storefront.customers SET created_at = created_at - interval '1 hour' WHERE id = 1;
       UPDATE storefront.customers SET status = 'active' WHERE id = 5`,
      () => parity('customers'));
    expect(r.differences).toEqual([{ kind: 'changed', count: 2, sampleKeys: [[1], [5]], columns: ['status', 'created_at'] }]);
  });

  it('tells NULL from the empty string', async () => {
    // customer 2's note is NULL in the source, customer 3's is ''
    const r = await planted(
      "UPDATE storefront.customers SET note = CASE id WHEN 2 THEN '' WHEN 3 THEN NULL END WHERE id IN (2, 3)",
      "UPDATE storefront.customers SET note = CASE id WHEN 2 THEN NULL WHEN 3 THEN '' END WHERE id IN (2, 3)",
      () => parity('customers'));
    expect(r.differences).toEqual([{ kind: 'changed', count: 2, sampleKeys: [[2], [3]], columns: ['note'] }]);
  });

  it('finds an orphan through a plan relationship (a self-reference)', async () => {
    const r = await planted(
      'UPDATE storefront.employees SET manager_id = 77 WHERE id = 4',
      'UPDATE storefront.employees SET manager_id = 2 WHERE id = 4',
      () => parity('employees'));
    // the mapped row differs too: the source still says 2
    expect(kinds(r)).toEqual(['changed', 'orphan']);
    const orphan = difference(r, 'orphan')!;
    expect(orphan).toMatchObject({ count: 1, sampleKeys: [[4]] });
    expect(orphan.detail).toContain('relationship to employees');
    expect(orphan.detail).toContain('manager_id');
  });

  it('finds an orphan through a destination foreign key', async () => {
    const superuser = await withClient(destinationUrl, async (c) =>
      (await c.query<{ s: boolean }>('SELECT rolsuper AS s FROM pg_roles WHERE rolname = current_user')).rows[0]!.s);
    if (!superuser) return; // a foreign key can be broken only with triggers off (as the copy runs)
    const r = await planted(
      `SET session_replication_role = replica; UPDATE storefront.orders SET customer_id = 55 WHERE order_id = 3`,
      `SET session_replication_role = replica; UPDATE storefront.orders SET customer_id = 4 WHERE order_id = 3`,
      () => parity('orders'));
    const orphan = difference(r, 'orphan')!;
    expect(orphan).toMatchObject({ count: 1, sampleKeys: [['3', 1]] });
    expect(orphan.detail).toContain('foreign key');
    expect(orphan.detail).toContain('storefront.customers');
  });

  it('finds a wrong computed column', async () => {
    const r = await planted(
      "UPDATE storefront.customers SET display_name = 'Wrong' WHERE id = 4; UPDATE storefront.customers SET display_name = NULL WHERE id = 6",
      "UPDATE storefront.customers SET display_name = first_name || ' ' || last_name WHERE id IN (4, 6)",
      () => parity('customers'));
    expect(r.passed).toBe(false);
    expect(r.differences).toEqual([{ kind: 'computed', count: 2, sampleKeys: [[4], [6]], columns: ['display_name'] }]);
  });

  it('reports a violated check with its keys', async () => {
    const r = await planted(
      "UPDATE storefront.customers SET email = 'ANN@example.com' WHERE id = 5",
      "UPDATE storefront.customers SET email = 'eve@example.com' WHERE id = 5",
      () => parity('customers'));
    expect(kinds(r)).toEqual(['changed', 'check']);
    expect(difference(r, 'check')).toEqual({ kind: 'check', count: 2, sampleKeys: [[1], [5]], detail: 'email is unique ignoring case' });
  });

  it('reports a check that cannot run as a failed check, and carries on', async () => {
    const plan = planOf({
      ...PLAN.classes,
      customers: {
        ...customers,
        checks: [
          { name: 'refers to a missing table', destination: 'SELECT id FROM storefront.no_such_table' },
          ...customers.checks!,
          { name: 'too many negatives', destination: 'SELECT id, balance FROM storefront.customers WHERE balance < 0' },
        ],
      },
    });
    const r = await parity('customers', plan);
    expect(r.passed).toBe(false);
    expect(r.differences).toHaveLength(2);
    const [failed, violated] = r.differences;
    expect(failed).toMatchObject({ kind: 'check', count: 0, sampleKeys: [] });
    expect(failed!.detail).toContain('refers to a missing table');
    expect(failed!.detail).toContain('relation "storefront.no_such_table" does not exist');
    // two columns: not shaped like the key, so the numeric is a string as numerics always are
    expect(violated).toEqual({ kind: 'check', count: 1, sampleKeys: [[5, '-3.25']], detail: 'too many negatives' });
  });

  it('counts rows the `where` excludes and ignores them', async () => {
    const plan = planOf({ ...PLAN.classes, customers: { ...customers, where: "status = 'active'" } });
    const r = await parity('customers', plan);
    // closed (3, 6) and test (90, 91) are excluded; the destination's closed rows become extra
    expect(r).toMatchObject({ sourceRows: 4, destinationRows: 6, excludedRows: 4, passed: false });
    expect(r.differences).toEqual([{ kind: 'extra', count: 2, sampleKeys: [[3], [6]] }]);
  });
});

describe('hashing', () => {
  it('finds the same differences with the portable (md5) hash as with the native one', async () => {
    for (const hash of ['native', 'portable'] as const) {
      expect(await parity('customers', PLAN, { hash })).toMatchObject({ passed: true, sourceRows: 6, destinationRows: 6 });
      expect(await parity('orders', PLAN, { hash })).toMatchObject({ passed: true });
    }
    const r = await planted(
      `UPDATE storefront.customers SET note = CASE id WHEN 2 THEN '' WHEN 3 THEN NULL END WHERE id IN (2, 3);
       UPDATE storefront.customers SET balance = 0.11 WHERE id = 3;
       DELETE FROM storefront.orders WHERE order_id = 2`,
      `UPDATE storefront.customers SET note = CASE id WHEN 2 THEN NULL WHEN 3 THEN '' END WHERE id IN (2, 3);
       UPDATE storefront.customers SET balance = 0.10 WHERE id = 3;
       INSERT INTO storefront.orders VALUES (2, 1, 2, 4.25, '2026-02-02 23:59:59.5+00')`,
      async () => {
        const out = [];
        for (const hash of ['native', 'portable'] as const) {
          out.push({ customers: await parity('customers', PLAN, { hash }), orders: await parity('orders', PLAN, { hash }) });
        }
        return out;
      });
    for (const x of r) {
      expect(x.customers.differences).toEqual([{ kind: 'changed', count: 2, sampleKeys: [[2], [3]], columns: ['balance', 'note'] }]);
      expect(x.orders.differences).toEqual([{ kind: 'missing', count: 1, sampleKeys: [['2', 1]] }]);
    }
  });

  it('agrees on the fast hash when both servers compute it alike', async () => {
    const counting = new Counting(source);
    await parity('employees', PLAN, { source: counting });
    const buckets = counting.statements.filter((s) => s.text.startsWith('SELECT b, count(*)'));
    expect(buckets).toHaveLength(1);
    expect(buckets[0]!.text).toContain('hashint4extended(');
    expect(buckets[0]!.text).not.toContain('md5(');
  });
});

describe('whole tables and failures', () => {
  it('counts every row missing from an empty destination table', async () => {
    const r = await planted(
      'DELETE FROM storefront.employees',
      "INSERT INTO storefront.employees VALUES (1, 'Root', NULL), (2, 'Mid', 1), (3, 'Leaf', 2), (4, 'Leaf2', 2)",
      () => parity('employees'));
    expect(r).toMatchObject({ passed: false, sourceRows: 4, destinationRows: 0 });
    expect(r.differences).toEqual([{ kind: 'missing', count: 4, sampleKeys: [[1], [2], [3], [4]] }]);
  });

  it('reports a mapping the source cannot evaluate as a clear failure, and leaves the session usable', async () => {
    const plan = planOf({ ...PLAN.classes, employees: { ...employees, columns: { ...employees.columns, manager_id: 'boss / (id - 3)' } } });
    await expect(parity('employees', plan)).rejects.toThrow(/parity of class employees: the source rows cannot be read through the mapping: division by zero/);
    const status = await source.query<{ one: number }>('SELECT 1 AS one');
    expect(status.rows[0]!.one).toBe(1);
  });
});

describe('a 200,000-row class', () => {
  it('passes, then locates the one changed row without reading the others', async () => {
    const sourceRunner = new Counting(source);
    const destinationRunner = new Counting(destination);
    let started = performance.now();
    const clean = await parity('big', PLAN, { source: sourceRunner, destination: destinationRunner });
    const cleanMs = performance.now() - started;
    expect(clean).toMatchObject({ passed: true, sourceRows: BIG_ROWS, destinationRows: BIG_ROWS, differences: [] });

    sourceRunner.reset();
    destinationRunner.reset();
    const r = await planted(
      'UPDATE storefront.big SET amount = amount + 0.01 WHERE id = 123457',
      'UPDATE storefront.big SET amount = amount - 0.01 WHERE id = 123457',
      async () => {
        started = performance.now();
        const result = await parity('big', PLAN, { source: sourceRunner, destination: destinationRunner });
        const ms = performance.now() - started;
        console.log(`parity of ${BIG_ROWS} rows: clean ${cleanMs.toFixed(0)} ms; with one changed row ${ms.toFixed(0)} ms`);
        return result;
      });
    expect(r.differences).toEqual([{ kind: 'changed', count: 1, sampleKeys: [[123457]], columns: ['amount'] }]);
    // what crossed the wire: the buckets, then one bucket's rows (~50 of 200,000)
    for (const runner of [sourceRunner, destinationRunner]) {
      const rows = runner.statements.map((s) => s.rows);
      expect(Math.max(...rows)).toBeLessThanOrEqual(4096);
      const narrowing = runner.statements.filter((s) => s.text.includes('= ANY($1::int[])'));
      expect(narrowing.length).toBe(1);
      expect(narrowing[0]!.rows).toBeLessThan(200);
    }
  }, 120_000);

  it('names the columns of a few hundred changed rows, fetching the sampled rows by key', async () => {
    // ~200 buckets of ~50 rows: too many rows to read whole, few enough for one statement per side
    const r = await planted(
      "UPDATE storefront.big SET label = label || '!', at = at + interval '1 second' WHERE id BETWEEN 1000 AND 1199",
      "UPDATE storefront.big SET label = rtrim(label, '!'), at = at - interval '1 second' WHERE id BETWEEN 1000 AND 1199",
      () => parity('big'));
    expect(r.differences).toEqual([
      { kind: 'changed', count: 200, sampleKeys: Array.from({ length: 20 }, (_, i) => [1000 + i]), columns: ['label', 'at'] },
    ]);
  }, 120_000);

  it('counts tens of thousands of differences, streaming keys and hashes bucket by bucket', async () => {
    const r = await planted(
      `DELETE FROM storefront.big WHERE id <= 30000;
       UPDATE storefront.big SET label = 'relabelled' WHERE id > 100000 AND id <= 110000;
       INSERT INTO storefront.big VALUES (${BIG_ROWS + 1}, 'new', 1, now()), (${BIG_ROWS + 2}, 'new', 2, now())`,
      `INSERT INTO storefront.big
         SELECT i, 'row ' || i, (i % 1000) / 4.0, TIMESTAMPTZ '2026-01-01 00:00:00+00' + i * interval '1 minute'
           FROM generate_series(1, 30000) AS i;
       UPDATE storefront.big SET label = 'row ' || id WHERE id > 100000 AND id <= 110000;
       DELETE FROM storefront.big WHERE id > ${BIG_ROWS}`,
      async () => {
        const started = performance.now();
        const result = await parity('big');
        console.log(`parity of ${BIG_ROWS} rows with 40,002 differences: ${(performance.now() - started).toFixed(0)} ms`);
        return result;
      });
    expect(r).toMatchObject({ passed: false, sourceRows: BIG_ROWS, destinationRows: BIG_ROWS - 30000 + 2 });
    const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => [from + i]);
    expect(r.differences).toEqual([
      { kind: 'missing', count: 30000, sampleKeys: range(1, 20) },
      { kind: 'extra', count: 2, sampleKeys: [[BIG_ROWS + 1], [BIG_ROWS + 2]] },
      { kind: 'changed', count: 10000, sampleKeys: range(100001, 20), columns: ['label'] },
    ]);
  }, 120_000);
});

describe('parity results in state', () => {
  it('are written, replaced and read back per class', async () => {
    await withClient(destinationUrl, async (db) => {
      await ensureStateSchema(db, 'cutover_state');
      const first = await parity('orders');
      const second: ParityResult = { ...first, class: 'customers', passed: false, differences: [{ kind: 'extra', count: 1, sampleKeys: [[9]] }] };
      await writeParity(db, 'cutover_state', 'parity-test', first);
      await writeParity(db, 'cutover_state', 'parity-test', second);
      await writeParity(db, 'cutover_state', 'parity-test', { ...first, checkedAt: '2026-12-02T00:00:00.000Z' });
      await writeParity(db, 'cutover_state', 'another', first);
      const read = await readParity(db, 'cutover_state', 'parity-test');
      expect(read).toEqual([second, { ...first, checkedAt: '2026-12-02T00:00:00.000Z' }]);
      const row = await db.query<{ passed: boolean; checked_at: Date }>(
        `SELECT passed, checked_at FROM cutover_state.parity_results WHERE migration = 'parity-test' AND class = 'orders'`);
      expect(row.rows[0]!.passed).toBe(true);
      expect(row.rows[0]!.checked_at.toISOString()).toBe('2026-12-02T00:00:00.000Z');
    });
  });
});
