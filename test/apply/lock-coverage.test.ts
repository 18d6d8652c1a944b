// The data lock and capture on a partitioned class, tried where an application meets them: writes
// made straight into a partition or a sub-partition (a partitioned table's own statement triggers
// do not fire for those), a partition added behind a `detect` lock, and cutover's own triggers
// dropped or disabled by a superuser — which the next `plan` sees and `apply` puts back.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withClient } from '../support/databases.js';
import { endToEndFile } from '../support/cutover-cli.js';
import { planHead } from '../support/plan-folder.js';
import { cutover, expectExit, freshPair, gate, objectNames, parseJson, rejection, type Pair, type PlanJson } from './support.js';

const folder = endToEndFile();

const SOURCE_SQL = `
  CREATE TABLE sales (id int NOT NULL, sold_on date NOT NULL, amount numeric(10,2) NOT NULL, PRIMARY KEY (id, sold_on))
    PARTITION BY RANGE (sold_on);
  CREATE TABLE sales_2026_01 PARTITION OF sales FOR VALUES FROM ('2026-01-01') TO ('2026-02-01');
  CREATE TABLE sales_2026_02 PARTITION OF sales FOR VALUES FROM ('2026-02-01') TO ('2026-03-01') PARTITION BY RANGE (id);
  CREATE TABLE sales_2026_02_low PARTITION OF sales_2026_02 FOR VALUES FROM (0) TO (1000);
  INSERT INTO sales VALUES (1, '2026-01-10', 10.00), (2, '2026-01-20', 20.00), (3, '2026-02-10', 30.00);
  CREATE TABLE events (id int PRIMARY KEY, what text NOT NULL);
  CREATE TABLE events_archive (archived_on date NOT NULL) INHERITS (events);
  INSERT INTO events VALUES (1, 'opened');
  INSERT INTO events_archive VALUES (2, 'closed', '2025-12-31');
`;

const DESTINATION_SQL = `
  CREATE SCHEMA shop;
  CREATE TABLE shop.sales (id int NOT NULL, sold_on date NOT NULL, amount numeric(10,2) NOT NULL, PRIMARY KEY (id, sold_on));
  CREATE TABLE shop.events (id int PRIMARY KEY, what text NOT NULL);
`;

function plan(o: { name: string; target?: string; schema?: string; data?: string; ignoreArchive?: boolean }): string {
  return `${planHead({ name: o.name, target: o.target ?? 'locked' })}lock:
  schema: ${o.schema ?? 'enforce'}
  integrations: ${o.schema ?? 'enforce'}
  data:
${o.data ?? '    mode: pause'}
classes:
  sales:
    source: { table: sales, key: [id, sold_on] }
    destination: { table: shop.sales, key: [id, sold_on] }
    columns: { id: id, sold_on: sold_on, amount: amount }
  events:
    source: { table: events, key: [id] }
    destination: { table: shop.events, key: [id] }
    columns: { id: id, what: what }
${o.ignoreArchive === false ? '' : `ignore:
  - { table: events_archive, reason: an inheritance child of events; archived events stay behind }
`}`;
}

async function application(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: 'till' });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

describe('pause mode on a partitioned class', () => {
  const name = 'till-pause';
  let pair: Pair;
  let app: pg.Client;

  beforeAll(async () => {
    pair = await freshPair(SOURCE_SQL, DESTINATION_SQL);
    expectExit(await cutover(['apply', folder.write('pause.yaml', plan({ name })), '--auto-approve'], pair.env), 0);
    app = await application(pair.source);
  }, 60_000);
  afterAll(async () => {
    await app?.end().catch(() => undefined);
  });

  it('rejects insert, update, delete and truncate made straight into a partition or a sub-partition, and new partitions', async () => {
    for (const [sql, op, table] of [
      [`INSERT INTO sales_2026_01 VALUES (4, '2026-01-11', 1.00)`, 'INSERT', 'sales_2026_01'],
      [`UPDATE sales_2026_01 SET amount = 0`, 'UPDATE', 'sales_2026_01'],
      [`DELETE FROM sales_2026_01 WHERE id = 1`, 'DELETE', 'sales_2026_01'],
      [`TRUNCATE sales_2026_01`, 'TRUNCATE', 'sales_2026_01'],
      [`INSERT INTO sales_2026_02 VALUES (5, '2026-02-11', 1.00)`, 'INSERT', 'sales_2026_02'],
      [`INSERT INTO sales_2026_02_low VALUES (6, '2026-02-12', 1.00)`, 'INSERT', 'sales_2026_02_low'],
      [`UPDATE sales_2026_02_low SET amount = 0`, 'UPDATE', 'sales_2026_02_low'],
      [`DELETE FROM sales_2026_02_low`, 'DELETE', 'sales_2026_02_low'],
      [`TRUNCATE sales_2026_02_low`, 'TRUNCATE', 'sales_2026_02_low'],
      [`INSERT INTO sales VALUES (7, '2026-01-12', 1.00)`, 'INSERT', 'sales'],
    ]) {
      expect(await rejection(app, sql!), sql).toBe(`cutover: ${op} on public.${table} is rejected: its data is locked (pause) by migration till-pause`);
    }
    for (const sql of [
      `CREATE TABLE sales_2026_03 PARTITION OF sales FOR VALUES FROM ('2026-03-01') TO ('2026-04-01')`,
      `ALTER TABLE sales DETACH PARTITION sales_2026_01`,
    ]) {
      expect(await rejection(app, sql), sql).toMatch(/is rejected: schema public is locked by migration till-pause$/);
    }
    const { rows } = await app.query<{ n: number; total: string }>('SELECT count(*)::int AS n, sum(amount)::text AS total FROM sales');
    expect(rows[0]).toEqual({ n: 3, total: '60.00' });
  });

  it('leaves the inheritance child (ignored) its own table, unlocked, and its parent locked', async () => {
    await app.query(`INSERT INTO events_archive VALUES (3, 'closed', '2026-01-01')`);
    expect(await rejection(app, `INSERT INTO events VALUES (4, 'opened')`))
      .toBe('cutover: INSERT on public.events is rejected: its data is locked (pause) by migration till-pause');
  });
});

describe('freeze mode on a partitioned class', () => {
  const name = 'till-freeze';
  const names = objectNames(name);
  const data = `    mode: freeze
    rules:
      - { classes: [sales], allow: [insert], reason: the tills keep selling }
    ends: 2099-12-31T00:00:00Z`;
  let pair: Pair;
  let app: pg.Client;

  beforeAll(async () => {
    pair = await freshPair(SOURCE_SQL, DESTINATION_SQL);
    expectExit(await cutover(['apply', folder.write('freeze.yaml', plan({ name, data })), '--auto-approve'], pair.env), 0);
    app = await application(pair.source);
  }, 60_000);
  afterAll(async () => {
    await app?.end().catch(() => undefined);
  });

  it('lets the allowed insert into a partition through and captures it; rejects the rest there', async () => {
    await app.query(`INSERT INTO sales_2026_01 VALUES (8, '2026-01-15', 8.00)`);
    await app.query(`INSERT INTO sales_2026_02_low VALUES (9, '2026-02-15', 9.00)`);
    for (const [sql, op, table] of [
      [`UPDATE sales_2026_01 SET amount = 0 WHERE id = 1`, 'UPDATE', 'sales_2026_01'],
      [`DELETE FROM sales_2026_02_low WHERE id = 3`, 'DELETE', 'sales_2026_02_low'],
      [`TRUNCATE sales_2026_02`, 'TRUNCATE', 'sales_2026_02'],
    ]) {
      expect(await rejection(app, sql!), sql).toBe(`cutover: ${op} on public.${table} is rejected: its data is locked (freeze) by migration till-freeze`);
    }
    const captured = await withClient(pair.source, async (c) => (await c.query<{ op: string; key: unknown }>(
      `SELECT op, key FROM cutover.${c.escapeIdentifier(names.captureLog)} WHERE class = 'sales' ORDER BY id`)).rows);
    expect(captured).toEqual([{ op: 'I', key: [8, '2026-01-15'] }, { op: 'I', key: [9, '2026-02-15'] }]);
  });

  it('brings those rows to the destination, and reads the inheritance parent without its child', async () => {
    const r = await cutover(['apply', folder.write('freeze-rt.yaml', plan({ name, data, target: 'round_tripped' })), '--auto-approve'], pair.env);
    expectExit(r, 0);
    expect(r.stdout).toContain('Phase round_tripped reached');
    const dest = await withClient(pair.destination, async (c) => ({
      sales: (await c.query<{ id: number }>('SELECT id FROM shop.sales ORDER BY id')).rows.map((x) => x.id),
      events: (await c.query<{ id: number }>('SELECT id FROM shop.events ORDER BY id')).rows.map((x) => x.id),
    }));
    expect(dest).toEqual({ sales: [1, 2, 3, 8, 9], events: [1] });
  }, 90_000);
});

describe('an inheritance child is a table of its own', () => {
  it('blocks the lock until it is classified or ignored', async () => {
    const pair = await freshPair(SOURCE_SQL, DESTINATION_SQL);
    const json = parseJson<PlanJson>(await cutover(['plan', folder.write('child.yaml', plan({ name: 'till-child', ignoreArchive: false })), '--json'], pair.env));
    expect(gate(json, 'gate.locked').reasons).toContain('1 unclassified-table finding');
  }, 60_000);
});

describe('a partition added behind a detect lock, and cutover triggers removed by a superuser', () => {
  const name = 'till-detect';
  const names = objectNames(name);
  let pair: Pair;
  const file = () => folder.write('detect.yaml', plan({ name, schema: 'detect' }));
  const changes = async () => parseJson<PlanJson>(await cutover(['plan', file(), '--json'], pair.env));

  beforeAll(async () => {
    pair = await freshPair(SOURCE_SQL, DESTINATION_SQL);
    expectExit(await cutover(['apply', file(), '--auto-approve'], pair.env), 0);
  }, 60_000);

  it('shows the new partition as drift and the data lock as to create; apply covers it', async () => {
    await withClient(pair.source, (c) => c.query(`CREATE TABLE sales_2026_03 PARTITION OF sales FOR VALUES FROM ('2026-03-01') TO ('2026-04-01')`));
    expect((await changes()).resource_changes).toEqual([expect.objectContaining({ address: 'lock.data', actions: ['create'] })]);
    const next = folder.write('detect-next.yaml', plan({ name, schema: 'detect', target: 'round_tripped' }));
    const json = parseJson<PlanJson>(await cutover(['plan', next, '--json'], pair.env));
    expect(gate(json, 'gate.round_tripped').reasons).toContain('source changed since the lock: table public.sales_2026_03 added');

    expectExit(await cutover(['apply', file(), '--auto-approve'], pair.env), 0);
    await withClient(pair.source, async (c) => {
      expect(await rejection(c, `INSERT INTO sales_2026_03 VALUES (10, '2026-03-01', 1.00)`))
        .toBe('cutover: INSERT on public.sales_2026_03 is rejected: its data is locked (pause) by migration till-detect');
    });
    expect((await changes()).resource_changes).toEqual([]);
  }, 90_000);

  it('a data-lock trigger a superuser dropped or disabled is to create again in the next plan', async () => {
    await withClient(pair.source, (c) => c.query(`DROP TRIGGER ${c.escapeIdentifier(names.dataLock)} ON sales_2026_01`));
    expect((await changes()).resource_changes).toEqual([expect.objectContaining({ address: 'lock.data', actions: ['create'] })]);
    expectExit(await cutover(['apply', file(), '--auto-approve'], pair.env), 0);

    await withClient(pair.source, (c) => c.query(`ALTER TABLE events DISABLE TRIGGER ${c.escapeIdentifier(names.dataLock)}`));
    expect((await changes()).resource_changes).toEqual([expect.objectContaining({ address: 'lock.data', actions: ['create'] })]);
    expectExit(await cutover(['apply', file(), '--auto-approve'], pair.env), 0);
    await withClient(pair.source, async (c) => {
      expect(await rejection(c, `INSERT INTO events VALUES (5, 'opened')`)).toContain('is rejected: its data is locked (pause)');
    });
  }, 90_000);
});
