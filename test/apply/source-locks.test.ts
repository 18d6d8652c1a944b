// The locks cutover installs on the source, tried the way an application would meet them: over a
// connection with the very role cutover itself uses (exemption goes by backend, never by role).
// Schema lock and integration lock (enforce), the data lock in pause mode, and a freeze whose
// rule lets one class take inserts — which change capture records.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withClient } from '../support/databases.js';
import { endToEndFile } from '../support/cutover-cli.js';
import { application, canEnforce, cutover, expectExit, freshPair, objectNames, rejection, shopPlan, type Pair } from './support.js';

const folder = endToEndFile();

describe('pause mode, schema and integration locks enforced', () => {
  const name = 'shop-pause';
  let pair: Pair;
  let app: pg.Client;
  let enforceable = true;

  beforeAll(async () => {
    pair = await freshPair();
    enforceable = await canEnforce(pair.source);
    if (!enforceable) return;
    const r = await cutover(['apply', folder.write('pause.yaml', shopPlan({ name })), '--auto-approve'], pair.env);
    expectExit(r, 0);
    app = await application(pair.source);
    // the same role as cutover's own sessions
    const { rows } = await app.query<{ user: string }>('SELECT current_user AS user');
    expect(rows[0]!.user).toBe(decodeURIComponent(new URL(pair.source).username));
  }, 60_000);
  afterAll(async () => {
    await app?.end().catch(() => undefined);
  });

  it('rejects CREATE, ALTER and DROP TABLE in a locked schema, naming the migration', async (ctx) => {
    if (!enforceable) ctx.skip();
    for (const sql of [
      'CREATE TABLE public.loyalty (id int PRIMARY KEY)',
      'ALTER TABLE customers ADD COLUMN loyalty_tier text',
      'DROP TABLE order_lines',
      'CREATE INDEX ON customers (email)',
    ]) {
      const message = await rejection(app, sql);
      expect(message, sql).toMatch(/^cutover: .* is rejected: schema public is locked by migration shop-pause$/);
    }
    const { rows } = await app.query<{ t: string | null; c: string | null; l: string | null }>(
      `SELECT to_regclass('public.order_lines')::text AS t, to_regclass('public.loyalty')::text AS l,
              (SELECT attname::text FROM pg_attribute WHERE attrelid = 'customers'::regclass AND attname = 'loyalty_tier') AS c`);
    expect(rows[0]).toEqual({ t: 'order_lines', l: null, c: null });
  });

  it('still allows temporary tables and REFRESH MATERIALIZED VIEW', async (ctx) => {
    if (!enforceable) ctx.skip();
    await app.query('CREATE TEMPORARY TABLE scratch (id int PRIMARY KEY, note text)');
    await app.query(`INSERT INTO scratch VALUES (1, 'working notes')`);
    await app.query('ALTER TABLE scratch ADD COLUMN extra int');
    await app.query('DROP TABLE scratch');
    await app.query('REFRESH MATERIALIZED VIEW customer_order_counts');
  });

  it('rejects CREATE EXTENSION and CREATE PUBLICATION (integration lock)', async (ctx) => {
    if (!enforceable) ctx.skip();
    for (const [sql, tag] of [
      ['CREATE EXTENSION IF NOT EXISTS pgcrypto', 'CREATE EXTENSION'],
      ['CREATE PUBLICATION shop_feed FOR TABLE orders', 'CREATE PUBLICATION'],
    ]) {
      expect(await rejection(app, sql!), sql).toBe(`cutover: ${tag} is rejected: integrations of this database are locked by migration shop-pause`);
    }
    const { rows } = await app.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM pg_publication)::int + (SELECT count(*) FROM pg_extension WHERE extname = 'pgcrypto')::int AS n`);
    expect(rows[0]!.n).toBe(0);
  });

  it('rejects every write in pause mode: insert, update, delete, truncate', async (ctx) => {
    if (!enforceable) ctx.skip();
    for (const [sql, op, table] of [
      [`INSERT INTO customers VALUES (3, 'cy@example.com', 'Cy')`, 'INSERT', 'customers'],
      [`UPDATE orders SET placed_at = now() WHERE id = 10`, 'UPDATE', 'orders'],
      [`DELETE FROM order_lines WHERE order_id = 11`, 'DELETE', 'order_lines'],
      [`TRUNCATE order_lines`, 'TRUNCATE', 'order_lines'],
    ]) {
      expect(await rejection(app, sql!), sql).toBe(`cutover: ${op} on public.${table} is rejected: its data is locked (pause) by migration shop-pause`);
    }
    const { rows } = await app.query<{ c: number; o: number; l: number }>(
      'SELECT (SELECT count(*) FROM customers)::int AS c, (SELECT count(*) FROM orders)::int AS o, (SELECT count(*) FROM order_lines)::int AS l');
    expect(rows[0]).toEqual({ c: 2, o: 2, l: 3 });
  });
  it('holds under session_replication_role = replica: writes, DDL and integrations are still rejected', async (ctx) => {
    if (!enforceable) ctx.skip(); // SET session_replication_role needs a superuser
    const replica = await application(pair.source);
    try {
      await replica.query('SET session_replication_role = replica');
      expect(await rejection(replica, `INSERT INTO customers VALUES (3, 'cy@example.com', 'Cy')`))
        .toBe('cutover: INSERT on public.customers is rejected: its data is locked (pause) by migration shop-pause');
      expect(await rejection(replica, 'TRUNCATE order_lines'))
        .toBe('cutover: TRUNCATE on public.order_lines is rejected: its data is locked (pause) by migration shop-pause');
      expect(await rejection(replica, 'ALTER TABLE customers ADD COLUMN loyalty_tier text'))
        .toBe('cutover: ALTER TABLE on public.customers is rejected: schema public is locked by migration shop-pause');
      expect(await rejection(replica, 'DROP TABLE order_lines'))
        .toMatch(/^cutover: DROP TABLE on .* is rejected: schema public is locked by migration shop-pause$/);
      expect(await rejection(replica, 'CREATE PUBLICATION shop_feed FOR TABLE orders'))
        .toBe('cutover: CREATE PUBLICATION is rejected: integrations of this database are locked by migration shop-pause');
    } finally {
      await replica.end().catch(() => undefined);
    }
  });

  it('rejects a trigger created on, or cutover\'s trigger dropped from, a locked table', async (ctx) => {
    if (!enforceable) ctx.skip();
    expect(await rejection(app, 'CREATE TRIGGER sneak BEFORE UPDATE ON customers FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger()'))
      .toBe('cutover: CREATE TRIGGER on sneak on public.customers is rejected: schema public is locked by migration shop-pause');
    expect(await rejection(app, `DROP TRIGGER ${app.escapeIdentifier(objectNames(name).dataLock)} ON customers`))
      .toMatch(/^cutover: DROP TRIGGER on .* is rejected: schema public is locked by migration shop-pause$/);
  });
});

describe('freeze mode with a rule allowing inserts on one class', () => {
  const name = 'shop-freeze';
  const names = objectNames(name);
  let pair: Pair;
  let app: pg.Client;

  beforeAll(async () => {
    pair = await freshPair();
    const data = `    mode: freeze
    rules:
      - { classes: [order_lines], allow: [insert], reason: the till keeps selling during the window }
    ends: 2099-12-31T00:00:00Z`;
    const enforce = await canEnforce(pair.source);
    const plan = shopPlan({ name, data, schemaLock: enforce ? 'enforce' : 'detect', integrationsLock: enforce ? 'enforce' : 'detect' });
    const r = await cutover(['apply', folder.write('freeze.yaml', plan), '--auto-approve'], pair.env);
    expectExit(r, 0);
    expect(r.stdout).toContain('class.order_lines.capture: Creation complete');
    app = await application(pair.source);
  }, 60_000);
  afterAll(async () => {
    await app?.end().catch(() => undefined);
  });

  it('lets the allowed insert through and captures its key', async () => {
    await app.query(`INSERT INTO order_lines VALUES (11, 2, 'cup', 1)`);
    const captured = await withClient(pair.source, async (c) => (await c.query<{ op: string; key: unknown; old_key: unknown }>(
      `SELECT op, key, old_key FROM cutover.${c.escapeIdentifier(names.captureLog)} WHERE class = 'order_lines' ORDER BY id`)).rows);
    expect(captured).toEqual([{ op: 'I', key: [11, 2], old_key: null }]);
  });

  it('rejects an update on that class and any write on another class', async () => {
    expect(await rejection(app, `UPDATE order_lines SET qty = 5 WHERE order_id = 10`))
      .toBe('cutover: UPDATE on public.order_lines is rejected: its data is locked (freeze) by migration shop-freeze');
    expect(await rejection(app, `DELETE FROM order_lines WHERE order_id = 10 AND line = 2`))
      .toBe('cutover: DELETE on public.order_lines is rejected: its data is locked (freeze) by migration shop-freeze');
    expect(await rejection(app, `INSERT INTO customers VALUES (3, 'cy@example.com', 'Cy')`))
      .toBe('cutover: INSERT on public.customers is rejected: its data is locked (freeze) by migration shop-freeze');
    expect(await rejection(app, `UPDATE orders SET customer_id = 2 WHERE id = 10`))
      .toBe('cutover: UPDATE on public.orders is rejected: its data is locked (freeze) by migration shop-freeze');

    const counts = await withClient(pair.source, async (c) => (await c.query<{ cls: string; n: number }>(
      `SELECT k.cls, (SELECT count(*)::int FROM cutover.${c.escapeIdentifier(names.captureLog)} l WHERE l.class = k.cls) AS n
         FROM unnest(ARRAY['customers', 'order_lines', 'orders']) AS k(cls) ORDER BY 1`)).rows);
    expect(counts).toEqual([
      { cls: 'customers', n: 0 },
      { cls: 'order_lines', n: 1 },
      { cls: 'orders', n: 0 },
    ]);
  });
  it('captures the allowed insert made under session_replication_role = replica', async (ctx) => {
    if (!(await canEnforce(pair.source))) ctx.skip(); // SET session_replication_role needs a superuser
    const replica = await application(pair.source);
    try {
      await replica.query('SET session_replication_role = replica');
      await replica.query(`INSERT INTO order_lines VALUES (11, 3, 'saucer', 1)`);
      expect(await rejection(replica, `UPDATE order_lines SET qty = 5 WHERE order_id = 10`))
        .toBe('cutover: UPDATE on public.order_lines is rejected: its data is locked (freeze) by migration shop-freeze');
    } finally {
      await replica.end().catch(() => undefined);
    }
    const captured = await withClient(pair.source, async (c) => (await c.query<{ key: unknown }>(
      `SELECT key FROM cutover.${c.escapeIdentifier(names.captureLog)} WHERE class = 'order_lines' ORDER BY id`)).rows);
    expect(captured).toEqual([{ key: [11, 2] }, { key: [11, 3] }]);
  });
});
