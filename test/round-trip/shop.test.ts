// Phase two end to end through the real CLI: a shop of twelve related tables (a self-referencing
// manager column, a composite key, a many-to-many join table, a table of every awkward type) copied
// into another schema of the destination, with its foreign keys and a trigger that would double
// order totals if it fired. `apply` reaches round_tripped with every class's parity passed; then
// `plan --detailed-exitcode` and a second `apply` have nothing to do; the data is checked directly.
import { beforeAll, describe, expect, it } from 'vitest';
import { endToEndFile } from '../support/cutover-cli.js';
import type { CliResult } from '../support/run-cli.js';
import {
  count, cutover, expectExit, freshPair, parityResults, planHead, rows, type Pair,
} from './support.js';

const NAME = 'shop-round-trip';

const SOURCE_SQL = `
CREATE TYPE mood AS ENUM ('happy', 'meh', 'grumpy');
CREATE TABLE categories (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE products (
  id int PRIMARY KEY, category_id int NOT NULL REFERENCES categories (id),
  sku text NOT NULL UNIQUE, name text NOT NULL, price numeric(10,2) NOT NULL);
CREATE TABLE employees (
  id int PRIMARY KEY, name text NOT NULL, manager_id int REFERENCES employees (id), hired_on date NOT NULL);
CREATE TABLE customers (
  id int PRIMARY KEY, email text NOT NULL, name text NOT NULL, support_rep_id int REFERENCES employees (id), fax text);
CREATE TABLE addresses (
  id int PRIMARY KEY, customer_id int NOT NULL REFERENCES customers (id), line1 text NOT NULL, city text NOT NULL, country char(2) NOT NULL);
CREATE TABLE orders (
  id int PRIMARY KEY, customer_id int NOT NULL REFERENCES customers (id), placed_at timestamptz NOT NULL,
  total numeric(12,2) NOT NULL DEFAULT 0);
CREATE TABLE order_lines (
  order_id int NOT NULL REFERENCES orders (id), line_no int NOT NULL, product_id int NOT NULL REFERENCES products (id),
  qty int NOT NULL, amount numeric(12,2) NOT NULL, PRIMARY KEY (order_id, line_no));
CREATE TABLE invoices (id int PRIMARY KEY, order_id int NOT NULL REFERENCES orders (id), issued_at timestamp NOT NULL, amount numeric(12,2) NOT NULL);
CREATE TABLE payments (
  id int PRIMARY KEY, invoice_id int NOT NULL REFERENCES invoices (id), paid_at timestamptz NOT NULL,
  amount numeric(12,2) NOT NULL, method text NOT NULL);
CREATE TABLE tags (id int PRIMARY KEY, label text NOT NULL);
CREATE TABLE product_tags (product_id int REFERENCES products (id), tag_id int REFERENCES tags (id), PRIMARY KEY (product_id, tag_id));
CREATE TABLE samples (
  id uuid PRIMARY KEY, taken_at timestamp, reading numeric(14,4), note text, ok boolean, payload bytea, doc jsonb, ref uuid, mood mood);

INSERT INTO categories SELECT i, 'category ' || i FROM generate_series(1, 5) i;
INSERT INTO products SELECT i, (i % 5) + 1, 'SKU-' || lpad(i::text, 4, '0'), 'product ' || i, i * 1.25 FROM generate_series(1, 40) i;
-- managers with higher ids than their reports: copied in key order, a foreign key that fired
-- row by row would reject employee 1 before employee 12 exists
INSERT INTO employees SELECT i, 'employee ' || i, CASE WHEN i = 12 THEN NULL WHEN i <= 4 THEN 12 WHEN i <= 8 THEN 11 ELSE 12 END,
  DATE '2020-01-01' + i * 30 FROM generate_series(1, 12) i;
INSERT INTO customers SELECT i, 'Customer' || i || '@Example.COM', 'customer ' || i, (i % 11) + 1, CASE WHEN i % 7 = 0 THEN '555-0' || i END
  FROM generate_series(1, 60) i;
INSERT INTO addresses SELECT i, (i % 60) + 1, i || ' Main Street', CASE WHEN i % 2 = 0 THEN 'Boston' ELSE 'Zürich' END, CASE WHEN i % 2 = 0 THEN 'US' ELSE 'CH' END
  FROM generate_series(1, 80) i;
INSERT INTO orders (id, customer_id, placed_at) SELECT i, (i % 60) + 1, TIMESTAMPTZ '2026-01-01 00:00:00+00' + i * interval '7 hours' FROM generate_series(1, 150) i;
INSERT INTO order_lines SELECT o, l, ((o * 7 + l) % 40) + 1, l, l * (((o * 7 + l) % 40) + 1) * 1.25
  FROM generate_series(1, 150) o, generate_series(1, 4) l WHERE l <= (o % 4) + 1;
UPDATE orders SET total = (SELECT sum(amount) FROM order_lines WHERE order_id = orders.id);
INSERT INTO invoices SELECT i, i, TIMESTAMP '2026-01-10 12:00:00' + i * interval '2 days', (SELECT total FROM orders WHERE id = i)
  FROM generate_series(1, 120) i;
INSERT INTO payments SELECT i, i, TIMESTAMPTZ '2026-02-01 09:00:00+00' + i * interval '1 day', (SELECT amount FROM invoices WHERE id = i),
  (ARRAY['card', 'cash', 'transfer'])[(i % 3) + 1] FROM generate_series(1, 100) i;
INSERT INTO tags SELECT i, 'tag ' || i FROM generate_series(1, 8) i;
INSERT INTO product_tags SELECT p, t FROM generate_series(1, 40) p, generate_series(1, 8) t WHERE (p + t) % 3 = 0;
INSERT INTO samples VALUES
  ('00000000-0000-0000-0000-000000000001', '2026-01-15 12:00:00', 1234567890.1234, E'tab\\there, quote " and backslash \\\\', true,
   '\\x00ff10', '{"a": [1, 2, {"b": null}], "c": "é"}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'happy'),
  ('00000000-0000-0000-0000-000000000002', '2026-07-15 12:00:00', -0.0001, E'line one\\nline two', false,
   '\\x', '[]', NULL, 'grumpy'),
  ('00000000-0000-0000-0000-000000000003', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  ('00000000-0000-0000-0000-000000000004', '2026-11-01 01:30:00', 'NaN', '', true, '\\xdeadbeef', '"just a string"', gen_random_uuid(), 'meh'),
  ('00000000-0000-0000-0000-000000000005', '2026-03-08 02:30:00', 0, 'ünïcödé ✓ 日本', true, '\\x5c', '{"n": 1.50}', NULL, 'meh');
`;

const DESTINATION_SQL = `
CREATE SCHEMA store;
CREATE TYPE store.mood AS ENUM ('happy', 'meh', 'grumpy');
CREATE TYPE store.pay_method AS ENUM ('card', 'cash', 'transfer');
CREATE TABLE store.categories (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE store.products (
  id int PRIMARY KEY, category_id int NOT NULL REFERENCES store.categories (id),
  sku text NOT NULL UNIQUE, name text NOT NULL, price_cents bigint NOT NULL);
CREATE TABLE store.employees (
  id int PRIMARY KEY, full_name text NOT NULL, manager_id int REFERENCES store.employees (id), hired_on date NOT NULL);
CREATE TABLE store.customers (
  id int PRIMARY KEY, email text NOT NULL, name text NOT NULL, support_rep_id int REFERENCES store.employees (id));
CREATE TABLE store.addresses (
  id int PRIMARY KEY, customer_id int NOT NULL REFERENCES store.customers (id), line1 text NOT NULL, city text NOT NULL, country text NOT NULL);
CREATE TABLE store.orders (
  id int PRIMARY KEY, customer_id int NOT NULL REFERENCES store.customers (id), placed_at timestamptz NOT NULL,
  total numeric(12,2) NOT NULL DEFAULT 0);
CREATE TABLE store.order_lines (
  order_id int NOT NULL REFERENCES store.orders (id), line_no int NOT NULL, product_id int NOT NULL REFERENCES store.products (id),
  qty int NOT NULL, amount numeric(12,2) NOT NULL, PRIMARY KEY (order_id, line_no));
-- the new system keeps order totals itself: fired during the copy, this would double every total
CREATE FUNCTION store.add_line_to_total() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE store.orders SET total = total + NEW.amount WHERE id = NEW.order_id;
  RETURN NULL;
END $$;
CREATE TRIGGER add_line_to_total AFTER INSERT ON store.order_lines FOR EACH ROW EXECUTE FUNCTION store.add_line_to_total();
CREATE TABLE store.invoices (id int PRIMARY KEY, order_id int NOT NULL REFERENCES store.orders (id), issued_at timestamptz NOT NULL, amount numeric(12,2) NOT NULL);
CREATE TABLE store.payments (
  id int PRIMARY KEY, invoice_id int NOT NULL REFERENCES store.invoices (id), paid_at timestamptz NOT NULL,
  amount numeric(12,2) NOT NULL, method store.pay_method NOT NULL);
CREATE TABLE store.tags (id int PRIMARY KEY, label text NOT NULL);
CREATE TABLE store.product_tags (
  product_id int REFERENCES store.products (id), tag_id int REFERENCES store.tags (id), PRIMARY KEY (product_id, tag_id));
CREATE TABLE store.samples (
  id uuid PRIMARY KEY, taken_at timestamptz, reading numeric(14,4), note text, ok boolean, payload bytea, doc jsonb, ref uuid, mood store.mood);
`;

const NEW_YORK = `    timestamps: { source_timezone: America/New_York, ambiguous: earlier, nonexistent: forward }\n`;

/** One class: source table, its key, destination table and key, and the mapping. */
function cls(name: string, key: string[], columns: Record<string, string>, extra = '', destinationKey = key): string {
  const mapping = Object.entries(columns).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ');
  return `  ${name}:
    source: { table: ${name}, key: [${key.join(', ')}] }
    destination: { table: store.${name}, key: [${destinationKey.join(', ')}] }
    columns: { ${mapping} }
${extra}`;
}

function shopPlan(): string {
  const same = (...names: string[]) => Object.fromEntries(names.map((n) => [n, n]));
  return `${planHead({ name: NAME })}classes:
${cls('categories', ['id'], same('id', 'name'))}${cls('products', ['id'], { ...same('id', 'category_id', 'sku', 'name'), price_cents: '(price * 100)::bigint' })}${cls('employees', ['id'], { id: 'id', full_name: 'name', manager_id: 'manager_id', hired_on: 'hired_on' })}${cls('customers', ['id'], { id: 'id', email: 'lower(email)', name: 'name', support_rep_id: 'support_rep_id' }, '    dropped: { fax: nobody has sent a fax since 2009 }\n')}${cls('addresses', ['id'], { ...same('id', 'customer_id', 'line1', 'city'), country: 'country::text' })}${cls('orders', ['id'], same('id', 'customer_id', 'placed_at', 'total'))}${cls('order_lines', ['order_id', 'line_no'], same('order_id', 'line_no', 'product_id', 'qty', 'amount'))}${cls('invoices', ['id'], same('id', 'order_id', 'issued_at', 'amount'), NEW_YORK)}${cls('payments', ['id'], same('id', 'invoice_id', 'paid_at', 'amount', 'method'))}${cls('tags', ['id'], same('id', 'label'))}${cls('product_tags', ['product_id', 'tag_id'], same('product_id', 'tag_id'))}${cls('samples', ['id'], same('id', 'taken_at', 'reading', 'note', 'ok', 'payload', 'doc', 'ref', 'mood'), NEW_YORK)}`;
}

const CLASSES = ['categories', 'products', 'employees', 'customers', 'addresses', 'orders', 'order_lines', 'invoices', 'payments', 'tags', 'product_tags', 'samples'];

const folder = endToEndFile();
let pair: Pair;
let planFile: string;
let first: CliResult;

beforeAll(async () => {
  pair = await freshPair(SOURCE_SQL, DESTINATION_SQL);
  planFile = folder.write('shop.yaml', shopPlan());
  // five rows a batch: every class spans several checkpointed batches, composite keys included,
  // and no employee's manager is in the same batch as the employee
  first = await cutover(['apply', planFile, '--auto-approve'], { ...pair.env, CUTOVER_COPY_BATCH_ROWS: '5' });
}, 120_000);

describe('apply to round_tripped: a dozen related tables', () => {
  it('reaches round_tripped with every class copied and its parity passed', async () => {
    expectExit(first, 0);
    expect(first.stdout).toContain('Apply complete! Phase round_tripped reached.');
    expect(first.stdout).not.toMatch(/parity FAILED/);
    for (const name of CLASSES) {
      expect(first.stdout).toContain(`class.${name}.copy: Creation complete`);
      expect(first.stdout).toContain(`class.${name}.parity: Creation complete`);
    }
    const parity = await parityResults(pair.destination, NAME);
    expect([...parity.keys()].sort()).toEqual([...CLASSES].sort());
    for (const name of CLASSES) {
      const p = parity.get(name)!;
      expect(p.passed, `${name}: ${JSON.stringify(p.differences)}`).toBe(true);
      expect(p.destinationRows).toBe(p.sourceRows);
    }
    expect(parity.get('order_lines')!.sourceRows).toBe(375);
    expect(parity.get('product_tags')!.sourceRows).toBe(await count(pair.source, 'SELECT count(*) AS n FROM product_tags'));
  });

  it('then plan --detailed-exitcode has nothing to do (exit 0), nor has a second apply', async () => {
    const plan = await cutover(['plan', planFile, '--detailed-exitcode'], pair.env);
    expectExit(plan, 0);
    expect(plan.stdout).toContain('No changes.');
    const again = await cutover(['apply', planFile, '--auto-approve'], pair.env);
    expectExit(again, 0);
    expect(again.stdout).toContain('No changes.');
    expect(again.stdout).not.toMatch(/Creation complete|Creating\.\.\./);
  });

  it('refuses a CUTOVER_COPY_BATCH_ROWS that is not a positive whole number, in one line', async () => {
    const bad = await cutover(['apply', planFile, '--auto-approve'], { ...pair.env, CUTOVER_COPY_BATCH_ROWS: '10k' });
    expectExit(bad, 1);
    expect(bad.stderr).toContain('CUTOVER_COPY_BATCH_ROWS=10k is not a positive whole number of rows');
  });

  it('copies every row exactly once, with the mapped values', async () => {
    for (const name of CLASSES) {
      const source = await count(pair.source, `SELECT count(*) AS n FROM public.${name}`);
      expect(await count(pair.destination, `SELECT count(*) AS n FROM store.${name}`), name).toBe(source);
    }
    const [customer] = await rows<{ email: string; name: string }>(pair.destination, 'SELECT email, name FROM store.customers WHERE id = 7');
    expect(customer).toEqual({ email: 'customer7@example.com', name: 'customer 7' });
    const [product] = await rows<{ price_cents: string; sku: string }>(pair.destination, 'SELECT price_cents::text, sku FROM store.products WHERE id = 33');
    expect(product).toEqual({ price_cents: '4125', sku: 'SKU-0033' });
    const [address] = await rows<{ city: string; country: string }>(pair.destination, 'SELECT city, country FROM store.addresses WHERE id = 3');
    expect(address).toEqual({ city: 'Zürich', country: 'CH' });
    const methods = await rows<{ method: string; n: number }>(pair.destination, 'SELECT method::text, count(*)::int AS n FROM store.payments GROUP BY 1 ORDER BY 1');
    expect(methods).toEqual([{ method: 'card', n: 33 }, { method: 'cash', n: 34 }, { method: 'transfer', n: 33 }]);
    // invoices.issued_at: New York wall time (EST in January) → the UTC instant
    const [invoice] = await rows<{ at: string }>(pair.destination, `SELECT to_char(issued_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') AS at FROM store.invoices WHERE id = 1`);
    expect(invoice!.at).toBe('2026-01-12T17:00:00');
  });

  it('copies every awkward type byte for byte', async () => {
    const read = (url: string, table: string) => rows<Record<string, string | null>>(url, `
      SELECT id::text, reading::text, note, ok::text, encode(payload, 'hex') AS payload, doc::text, ref::text, mood::text
        FROM ${table} ORDER BY id`);
    expect(await read(pair.destination, 'store.samples')).toEqual(await read(pair.source, 'public.samples'));
    const instants = await rows<{ id: string; at: string | null }>(pair.destination,
      `SELECT id::text, to_char(taken_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"') AS at FROM store.samples ORDER BY id`);
    expect(instants.map((r) => r.at)).toEqual(['2026-01-15T17:00Z', '2026-07-15T16:00Z', null, '2026-11-01T05:30Z', '2026-03-08T07:30Z']);
  });

  it('copies a self-referencing class whatever the key order, and no destination trigger fires twice', async () => {
    const managers = await rows<{ id: number; manager_id: number | null }>(pair.destination, 'SELECT id, manager_id FROM store.employees ORDER BY id');
    expect(managers).toEqual((await rows<{ id: number; manager_id: number | null }>(pair.source, 'SELECT id, manager_id FROM employees ORDER BY id')));
    expect(managers[0]).toEqual({ id: 1, manager_id: 12 });
    // the copy session ran with session_replication_role = replica: add_line_to_total did not fire
    const totals = (url: string, schema: string) => rows<{ id: number; total: string }>(url, `SELECT id, total::text FROM ${schema}.orders ORDER BY id`);
    const sourceTotals = await totals(pair.source, 'public');
    expect(await totals(pair.destination, 'store')).toEqual(sourceTotals);
    expect(sourceTotals.find((o) => o.id === 3)!.total).toBe(
      (await rows<{ s: string }>(pair.source, 'SELECT sum(amount)::text AS s FROM order_lines WHERE order_id = 3'))[0]!.s);
    // and the destination's trigger is still there, working, for the new system's own writes
    expect(await count(pair.destination, `SELECT count(*) AS n FROM pg_trigger WHERE tgname = 'add_line_to_total' AND tgenabled = 'O'`)).toBe(1);
  });
});
