// Every kind of parity failure, found through the CLI. After a clean round trip the destination is
// tampered with behind cutover's back; deleting the classes' `class.X.parity` rows from
// cutover.resources is the operator's "check again" (the next apply re-creates them, which runs
// parity anew). The apply says which classes failed; `cutover.parity_results`, `status --json` and
// `plan --json` carry each difference with its sample keys (and the columns of a changed row), and
// `gate.dual_run` is blocked by them. The apply itself stops at the round_tripped proof (exit 3).
import { beforeAll, describe, expect, it } from 'vitest';
import { withClient } from '../support/databases.js';
import { endToEndFile } from '../support/cutover-cli.js';
import {
  cutover, DUAL_RUN, expectExit, freshPair, gate, parityResults, parseJson, planHead, type DifferenceJson, type Pair,
  type PlanJson, type StatusJson,
} from './support.js';

const NAME = 'crm-parity';

const SOURCE_SQL = `
CREATE TABLE customers (id int PRIMARY KEY, first_name text NOT NULL, last_name text NOT NULL, email text NOT NULL);
INSERT INTO customers SELECT g, 'First' || g, 'Last' || g, 'Person' || g || '@Example.com' FROM generate_series(1, 10) g;
CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES customers (id), amount numeric(10,2) NOT NULL);
INSERT INTO orders SELECT g, (g % 10) + 1, g * 2.5 FROM generate_series(1, 30) g;
CREATE TABLE items (id int PRIMARY KEY, sku text NOT NULL, qty int NOT NULL);
INSERT INTO items SELECT g, 'SKU-' || g, g FROM generate_series(1, 8) g;
`;

const DESTINATION_SQL = `
CREATE SCHEMA crm;
CREATE TABLE crm.customers (
  id int PRIMARY KEY, first_name text NOT NULL, last_name text NOT NULL, email text NOT NULL,
  display_name text GENERATED ALWAYS AS (first_name || ' ' || last_name) STORED);
CREATE TABLE crm.orders (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES crm.customers (id), amount numeric(10,2) NOT NULL);
-- status is the new system's own column, set by its default; a check keeps it to known values
CREATE TABLE crm.items (id int PRIMARY KEY, sku text NOT NULL, qty int NOT NULL, status text NOT NULL DEFAULT 'active');
`;

function plan(target: string): string {
  return `${planHead({ name: NAME, target, extra: target === 'dual_run' ? DUAL_RUN : '' })}classes:
  customers:
    source: { table: customers, key: [id] }
    destination: { table: crm.customers, key: [id] }
    columns: { id: id, first_name: first_name, last_name: last_name, email: lower(email) }
    computed:
      display_name: "first_name || ' ' || last_name"
    checks:
      - name: email is unique ignoring case
        destination: SELECT id FROM crm.customers WHERE lower(email) IN (SELECT lower(email) FROM crm.customers GROUP BY 1 HAVING count(*) > 1)
  orders:
    source: { table: orders, key: [id] }
    destination: { table: crm.orders, key: [id] }
    columns: { id: id, customer_id: customer_id, amount: amount }
  items:
    source: { table: items, key: [id] }
    destination: { table: crm.items, key: [id] }
    columns: { id: id, sku: sku, qty: qty }
    checks:
      - name: status is a known one
        destination: SELECT id FROM crm.items WHERE status NOT IN ('active', 'retired') ORDER BY id
`;
}

const folder = endToEndFile();
let pair: Pair;
const files = { roundTripped: '', dualRun: '' };

beforeAll(async () => {
  pair = await freshPair(SOURCE_SQL, DESTINATION_SQL);
  files.roundTripped = folder.write('round-tripped.yaml', plan('round_tripped'));
  files.dualRun = folder.write('dual-run.yaml', plan('dual_run'));
}, 60_000);

function kinds(differences: readonly DifferenceJson[]): string[] {
  return differences.map((d) => d.kind).sort();
}

function difference(differences: readonly DifferenceJson[], kind: string): DifferenceJson {
  const found = differences.filter((d) => d.kind === kind);
  expect(found, `one ${kind} among ${JSON.stringify(differences)}`).toHaveLength(1);
  return found[0]!;
}

describe('parity failures, detected through the CLI', () => {
  it('a clean round trip first: every class passes and gate.dual_run opens', async () => {
    const apply = await cutover(['apply', files.roundTripped, '--auto-approve'], pair.env);
    expectExit(apply, 0);
    expect(apply.stdout).not.toMatch(/parity FAILED/);
    const doc = parseJson<PlanJson>(await cutover(['plan', files.dualRun, '--json'], pair.env));
    expect(gate(doc, 'gate.dual_run')).toMatchObject({ status: 'open' });
    expect(doc.parity.map((p) => [p.class, p.passed]).sort()).toEqual([['customers', true], ['items', true], ['orders', true]]);
  });

  it('names every difference planted behind its back, with sample keys, and blocks gate.dual_run', async () => {
    await withClient(pair.destination, async (c) => {
      // items: a row lost, a row nobody copied, a column changed, the new system's own column broken
      await c.query(`DELETE FROM crm.items WHERE id = 4`);
      await c.query(`INSERT INTO crm.items (id, sku, qty) VALUES (99, 'SKU-99', 1)`);
      await c.query(`UPDATE crm.items SET sku = 'SKU-TWO' WHERE id = 2`);
      await c.query(`UPDATE crm.items SET status = 'lost' WHERE id = 5`);
      // customers: a generated column that stopped being computed, and a wrong value in it
      await c.query(`ALTER TABLE crm.customers ALTER COLUMN display_name DROP EXPRESSION`);
      await c.query(`UPDATE crm.customers SET display_name = 'Somebody Else' WHERE id = 3`);
      // orders: their customer 7 deleted with foreign keys not enforced (as a replica would)
      await c.query(`SET session_replication_role = replica`);
      await c.query(`DELETE FROM crm.customers WHERE id = 7`);
    });
    // "check again": forget the parity resources, so apply runs them anew
    await withClient(pair.destination, (c) => c.query(
      `DELETE FROM cutover.resources WHERE migration = $1 AND address LIKE 'class.%.parity'`, [NAME]));

    const apply = await cutover(['apply', files.roundTripped, '--auto-approve'], pair.env);
    // round_tripped stands on its proof: failed parity stops apply at it, each failure named with keys
    expectExit(apply, 3);
    expect(apply.stdout).toContain('Stopped at the round_tripped proof: phase round_tripped was reached before, but a check run again failed');
    expect(apply.stdout).not.toContain('Apply complete');
    expect(apply.stdout).toMatch(/✗ parity of class items: 1 row, rows missing from the destination\n\s+sample keys: 4/);
    expect(apply.stdout).toMatch(/✗ check "status is a known one" of class items: 1 row, rows returned\n\s+sample keys: 5/);
    expect(apply.stdout).toMatch(/✗ computed column display_name of class customers: 1 row/);
    expect(apply.stdout).toMatch(/✗ parity of class orders: 3 rows, rows whose relationship does not resolve/);
    for (const name of ['items', 'customers', 'orders']) expect(apply.stdout).toContain(`class.${name}.parity: Creation complete`);
    expect(apply.stdout).toMatch(/class items: parity FAILED \(source 8 rows, destination 8; .*1 missing/);
    expect(apply.stdout).toMatch(/class customers: parity FAILED \(source 10 rows, destination 9; .*1 missing/);
    expect(apply.stdout).toMatch(/class orders: parity FAILED \(source 30 rows, destination 30; 3 orphan\)/);

    const stored = await parityResults(pair.destination, NAME);
    const items = stored.get('items')!;
    expect(items.passed).toBe(false);
    expect(kinds(items.differences)).toEqual(['changed', 'check', 'extra', 'missing']);
    expect(difference(items.differences, 'missing')).toMatchObject({ count: 1, sampleKeys: [[4]] });
    expect(difference(items.differences, 'extra')).toMatchObject({ count: 1, sampleKeys: [[99]] });
    expect(difference(items.differences, 'changed')).toMatchObject({ count: 1, sampleKeys: [[2]], columns: ['sku'] });
    expect(difference(items.differences, 'check')).toMatchObject({ count: 1, sampleKeys: [[5]], detail: 'status is a known one' });

    const customers = stored.get('customers')!;
    expect(customers.passed).toBe(false);
    expect(kinds(customers.differences)).toEqual(['computed', 'missing']);
    expect(difference(customers.differences, 'missing')).toMatchObject({ count: 1, sampleKeys: [[7]] });
    expect(difference(customers.differences, 'computed')).toMatchObject({ count: 1, sampleKeys: [[3]], columns: ['display_name'] });

    const orders = stored.get('orders')!;
    expect(orders.passed).toBe(false);
    expect(kinds(orders.differences)).toEqual(['orphan']);
    // orders 6, 16 and 26 belong to customer 7
    const orphan = difference(orders.differences, 'orphan');
    expect(orphan.count).toBe(3);
    expect([...orphan.sampleKeys].sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual([[6], [16], [26]]);
    expect(orphan.detail).toMatch(/customer_id/);

    // status --json carries the same results
    const status = parseJson<StatusJson>(await cutover(['status', files.roundTripped, '--json'], pair.env));
    expect(status.parity.filter((p) => !p.passed).map((p) => p.class).sort()).toEqual(['customers', 'items', 'orders']);

    // and plan --json toward dual_run: every failure with its sample keys, the gate blocked by them
    const doc = parseJson<PlanJson>(await cutover(['plan', files.dualRun, '--json'], pair.env));
    const dualRun = gate(doc, 'gate.dual_run');
    expect(dualRun.status).toBe('blocked');
    for (const name of ['customers', 'items', 'orders']) expect(dualRun.reasons).toContain(`parity of class ${name} failed`);
    const planned = doc.parity.find((p) => p.class === 'items')!;
    expect(planned.differences.find((d) => d.kind === 'changed')).toMatchObject({ sample_keys: [[2]], columns: ['sku'] });
    expect(planned.differences.find((d) => d.kind === 'missing')).toMatchObject({ sample_keys: [[4]] });
    const human = await cutover(['plan', files.dualRun], pair.env);
    expect(human.stdout).toMatch(/✗ items failed/);
    expect(human.stdout).toMatch(/changed: 1 row in sku.*sample keys: .*2/);
    expect(human.stdout).toMatch(/orphan: 3 rows.*customer_id.*sample keys: /);
    expect(human.stdout).toMatch(/gate\.dual_run blocked/);
  }, 90_000);
});
