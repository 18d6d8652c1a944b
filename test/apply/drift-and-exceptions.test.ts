// Changes to a locked source. With `detect` locks a direct ALTER TABLE goes through, and the next
// plan reports it: the round_tripped gate is blocked naming the column, and apply stops there
// (exit 3). The documented way is an accommodated exception: `cutover exception apply` runs the
// change through the enforced schema lock and re-baselines the fingerprint, so the gate opens.
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { withClient } from '../support/databases.js';
import { endToEndFile } from '../support/cutover-cli.js';
import {
  canEnforce, cutover, DESTINATION_SQL, expectExit, freshPair, gate, objectNames, parseJson, rejection, shopPlan, SOURCE_SQL, sourceObjects,
  type Pair, type PlanJson, type StatusJson,
} from './support.js';

const folder = endToEndFile();

async function hasColumn(url: string, table: string, column: string): Promise<boolean> {
  return withClient(url, async (c) => (await c.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND column_name = $2`,
    [table, column])).rows[0]!.n === 1);
}

describe('drift in detect mode', () => {
  it('an ALTER TABLE made directly on the source blocks gate.round_tripped naming the column; apply exits 1 (the column is unmapped)', async () => {
    const name = 'shop-detect';
    const pair = await freshPair();
    const plan = (target: string) => shopPlan({ name, target, schemaLock: 'detect', integrationsLock: 'detect' });
    const locked = await cutover(['apply', folder.write('detect.yaml', plan('locked')), '--auto-approve'], pair.env);
    expectExit(locked, 0);
    const objects = await sourceObjects(pair.source);
    expect(objects.eventTriggers).toEqual([]); // detect: nothing rejects DDL
    expect(objects.triggers).toContain(`customers:${objectNames(name).dataLock}`);

    await withClient(pair.source, (c) => c.query('ALTER TABLE customers ADD COLUMN loyalty_tier text'));

    const next = folder.write('detect-next.yaml', plan('round_tripped'));
    const json = parseJson<PlanJson>(await cutover(['plan', next, '--json'], pair.env));
    expect(json.plan.phase).toBe('locked');
    const roundTripped = gate(json, 'gate.round_tripped');
    expect(roundTripped.status).toBe('blocked');
    expect(roundTripped.reasons).toContain('source changed since the lock: table public.customers: column loyalty_tier added');
    // the new column is also one the plan neither maps nor drops: an error plan can see, so apply refuses (exit 1)
    expect(gate(json, 'gate.locked').reasons).toEqual(['1 unmapped-column finding']);
    expect(json.resource_changes).toEqual([]);

    const applied = await cutover(['apply', next, '--auto-approve'], pair.env);
    expectExit(applied, 1);
    expect(applied.stderr).toContain('gate.locked is closed by what plan can already see (1 unmapped-column finding), so nothing was changed');
    expect(applied.stdout).toContain('column loyalty_tier added');
  }, 90_000);
});

describe('an accommodated exception, applied through the enforced lock', () => {
  const name = 'shop-exception';
  const exception = `    - id: CHG-1042
      change: ALTER TABLE customers ADD COLUMN loyalty_tier text
      decision: accommodated
      reviewed_by: dana@example.com
      maps_to: customers.loyalty_tier`;
  const dropped = { loyalty_tier: 'the new shop computes tiers from order history' };
  let pair: Pair;
  let enforceable = true;
  /** the plan after the exception's pull request: the exception, and the column dropped */
  const reviewed = (target: string) => folder.write(`exception-${target}.yaml`, shopPlan({ name, target, exceptions: exception, customersDropped: dropped }));

  beforeAll(async () => {
    pair = await freshPair();
    enforceable = await canEnforce(pair.source);
    if (!enforceable) return;
    const r = await cutover(['apply', folder.write('exception-lock.yaml', shopPlan({ name })), '--auto-approve'], pair.env);
    expectExit(r, 0);
  }, 60_000);

  it('runs the change through the schema lock (exit 0), re-baselines the fingerprint and says so once', async (ctx) => {
    if (!enforceable) ctx.skip();
    // an application with the same role cannot make the change …
    const app = new pg.Client({ connectionString: pair.source, application_name: 'shop-app' });
    await app.connect();
    try {
      expect(await rejection(app, 'ALTER TABLE customers ADD COLUMN loyalty_tier text')).toContain('is locked by migration shop-exception');
    } finally {
      await app.end();
    }
    // … the exception process can
    const applied = await cutover(['exception', 'apply', reviewed('locked'), 'CHG-1042'], pair.env);
    expectExit(applied, 0);
    expect(applied.stdout).toContain('Exception CHG-1042 applied and the source fingerprint re-baselined.');
    expect(applied.stdout).toContain('table public.customers: column loyalty_tier added');
    expect(applied.stdout).toContain('Classes to copy again: customers');
    expect(await hasColumn(pair.source, 'customers', 'loyalty_tier')).toBe(true);
    expect((await sourceObjects(pair.source)).eventTriggers).toHaveLength(3); // the lock stays

    const again = await cutover(['exception', 'apply', reviewed('locked'), 'CHG-1042'], pair.env);
    expectExit(again, 0);
    expect(again.stdout).toContain('Exception CHG-1042 was already applied; nothing to do.');
  }, 90_000);

  it('leaves gate.round_tripped open (no drift), and plan at locked with "No changes."', async (ctx) => {
    if (!enforceable) ctx.skip();
    const json = parseJson<PlanJson>(await cutover(['plan', reviewed('round_tripped'), '--json'], pair.env));
    const roundTripped = gate(json, 'gate.round_tripped');
    expect(roundTripped.reasons.filter((r) => r.startsWith('source changed since the lock'))).toEqual([]);
    expect(roundTripped.status).toBe('open');

    // the applied exception is a record in state, not a resource to destroy (so apply, which
    // acts on this same plan, has nothing to do either)
    const plan = await cutover(['plan', reviewed('locked'), '--detailed-exitcode'], pair.env);
    expectExit(plan, 0);
    expect(plan.stdout).toContain('No changes. The destination matches the plan.');

    const status = parseJson<StatusJson>(await cutover(['status', reviewed('locked'), '--json'], pair.env));
    expect(status.drift).toEqual([]);
    const event = status.events.find((e) => e.kind === 'exception');
    expect(event).toMatchObject({ address: 'exception.CHG-1042', outcome: 'ok' });
    expect(event!.detail.fingerprint_changes).toEqual(['table public.customers: column loyalty_tier added']);
  }, 90_000);

  it('refuses (exit 1) and rolls back an exception whose change the plan does not account for', async (ctx) => {
    if (!enforceable) ctx.skip();
    const unaccounted = `${exception}
    - id: CHG-1043
      change: ALTER TABLE orders ADD COLUMN channel text
      decision: accommodated
      reviewed_by: dana@example.com
      maps_to: customers.loyalty_tier`;
    const file = folder.write('exception-unaccounted.yaml', shopPlan({ name, exceptions: unaccounted, customersDropped: dropped }));
    const r = await cutover(['exception', 'apply', file, 'CHG-1043'], pair.env);
    expectExit(r, 1);
    expect(r.stderr).toMatch(/^Error: exception CHG-1043 was not applied: the plan does not yet account for what it adds: .*channel/m);
    expect(await hasColumn(pair.source, 'orders', 'channel')).toBe(false);
  }, 60_000);
});

describe('an exception that changes a table already copied', () => {
  it('marks only that class: the next apply really copies it again (uncopy, then copy) and parity passes', async (ctx) => {
    const name = 'shop-recopy';
    const pair = await freshPair(SOURCE_SQL, `${DESTINATION_SQL} ALTER TABLE shop.customers ADD COLUMN note text;`);
    if (!(await canEnforce(pair.source))) ctx.skip();
    const before = shopPlan({ name, target: 'round_tripped' });
    expectExit(await cutover(['apply', folder.write('recopy-before.yaml', before), '--auto-approve'], pair.env), 0);

    const exception = `    - id: CHG-1
      change: ALTER TABLE customers ADD COLUMN note text DEFAULT 'n/a'
      decision: accommodated
      reviewed_by: dana@example.com
      maps_to: customers.note`;
    const reviewed = folder.write('recopy-reviewed.yaml', shopPlan({ name, target: 'round_tripped', exceptions: exception })
      .replace('columns: { id: id, email: email, name: name }', 'columns: { id: id, email: email, name: name, note: note }'));
    const applied = await cutover(['exception', 'apply', reviewed, 'CHG-1'], pair.env);
    expectExit(applied, 0);
    expect(applied.stdout).toContain('Classes to copy again: customers\n');

    const json = parseJson<PlanJson>(await cutover(['plan', reviewed, '--json'], pair.env));
    const copies = json.resource_changes.filter((c) => c.address.endsWith('.copy')).map((c) => ({ address: c.address, actions: c.actions }));
    expect(copies).toEqual([{ address: 'class.customers.copy', actions: ['delete', 'create'] }]);

    // a row cutover did not write holds the re-copy back, and nothing is deleted
    await withClient(pair.destination, (c) => c.query(`INSERT INTO shop.customers VALUES (3, 'eve@example.com', 'Eve', 'mine')`));
    const refused = await cutover(['apply', reviewed, '--auto-approve'], pair.env);
    expectExit(refused, 1);
    expect(refused.stdout + refused.stderr).toContain('recopy-foreign-rows');
    expect(await withClient(pair.destination, async (c) => (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM shop.customers')).rows[0]!.n)).toBe(3);
    await withClient(pair.destination, (c) => c.query('DELETE FROM shop.customers WHERE id = 3'));

    const again = await cutover(['apply', reviewed, '--auto-approve'], pair.env);
    expectExit(again, 0);
    const notes = await withClient(pair.destination, async (c) => (await c.query<{ note: string | null }>('SELECT note FROM shop.customers ORDER BY id')).rows);
    expect(notes).toEqual([{ note: 'n/a' }, { note: 'n/a' }]);
    const after = await cutover(['plan', reviewed, '--detailed-exitcode'], pair.env);
    expectExit(after, 0);
    expect(after.stdout).toContain('No changes.');
  }, 180_000);
});

describe('an exception over unreviewed drift', () => {
  it('is refused (exit 1, nothing changed) naming the drift, which plan still reports', async () => {
    const name = 'shop-drifted';
    const pair = await freshPair();
    const plan = (exceptions?: string) => shopPlan({ name, schemaLock: 'detect', integrationsLock: 'detect', exceptions, customersDropped: exceptions ? { loyalty_tier: 'computed by the new shop' } : undefined });
    expectExit(await cutover(['apply', folder.write('drifted-lock.yaml', plan()), '--auto-approve'], pair.env), 0);
    await withClient(pair.source, (c) => c.query('CREATE UNIQUE INDEX orders_placed_at ON orders (customer_id, placed_at)'));

    const file = folder.write('drifted.yaml', plan(`    - id: CHG-7
      change: ALTER TABLE customers ADD COLUMN loyalty_tier text
      decision: accommodated
      reviewed_by: dana@example.com
      maps_to: customers.loyalty_tier`));
    const r = await cutover(['exception', 'apply', file, 'CHG-7'], pair.env);
    expectExit(r, 1);
    expect(r.stderr).toMatch(/exception CHG-7 was not applied: the source changed since the lock outside this exception: table public\.orders: .*orders_placed_at/);
    expect(await hasColumn(pair.source, 'customers', 'loyalty_tier')).toBe(false);
    const status = parseJson<StatusJson>(await cutover(['status', file, '--json'], pair.env));
    expect(status.drift.join('\n')).toContain('orders_placed_at');
    expect(status.events.some((e) => e.kind === 'exception')).toBe(false);
  }, 90_000);
});
