// Two migrations on one source whose long names share their first 51 characters: each keeps its
// own schema, integration and data lock (PostgreSQL cuts names at 63 bytes, so names made of the
// migration's name alone were one object, and the second migration replaced the first's). A name
// too long for that is refused by validate, saying why. And the integration lock does what the
// README says: roles and replication slots (server-wide, no DDL event) are not blocked but show
// as drift in the next plan, like publications, subscriptions and foreign servers under `detect`.
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { withClient } from '../support/databases.js';
import { endToEndFile } from '../support/cutover-cli.js';
import { canEnforce, cutover, expectExit, freshPair, gate, isolatedPair, objectNames, parseJson, rejection, shopPlan, sourceObjects, type Pair, type PlanJson } from './support.js';

const folder = endToEndFile();

const FIRST = 'northern-region-warehouse-inventory-migration-2026-first';
const SECOND = 'northern-region-warehouse-inventory-migration-2026-second';

describe('two long-named migrations on one source', () => {
  let pair: Pair;
  let enforceable = true;
  const file = (name: string) => folder.write(`${name}.yaml`, shopPlan({ name }));

  beforeAll(async () => {
    pair = await freshPair();
    enforceable = await canEnforce(pair.source);
    if (!enforceable) return;
    expectExit(await cutover(['apply', file(FIRST), '--auto-approve'], pair.env), 0);
    expectExit(await cutover(['apply', file(SECOND), '--auto-approve'], pair.env), 0);
  }, 90_000);

  it('each keeps its own event triggers and data-lock triggers, every name within 63 bytes', async (ctx) => {
    if (!enforceable) ctx.skip();
    const [a, b] = [objectNames(FIRST), objectNames(SECOND)];
    const objects = await sourceObjects(pair.source);
    expect(objects.eventTriggers).toEqual([a.schemaLock, a.schemaDrop, a.integrationLock, b.schemaLock, b.schemaDrop, b.integrationLock].sort());
    expect(objects.triggers).toEqual(['customers', 'order_lines', 'orders'].flatMap((t) => [`${t}:${a.dataLock}`, `${t}:${b.dataLock}`]).sort());
    for (const n of [...objects.eventTriggers, a.dataLock, b.dataLock]) {
      expect(Buffer.byteLength(n), n).toBeLessThanOrEqual(63);
      expect(n).toMatch(/^cutover_[a-z_]+_northern_region_/);
    }
  });

  it('plan of the first has nothing to do, and each lock still names its own migration', async (ctx) => {
    if (!enforceable) ctx.skip();
    const json = parseJson<PlanJson>(await cutover(['plan', file(FIRST), '--json'], pair.env));
    expect(json.resource_changes).toEqual([]);
    // each data-lock trigger calls its own migration's function, which names that migration
    const bodies = await withClient(pair.source, async (c) => (await c.query<{ trigger: string; body: string }>(
      `SELECT t.tgname AS trigger, p.prosrc AS body FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
        WHERE t.tgrelid = 'customers'::regclass AND t.tgname LIKE 'cutover\\_%' ORDER BY 1`)).rows);
    expect(bodies).toHaveLength(2);
    for (const { trigger, body } of bodies) {
      expect(body).toContain(`by migration ${trigger === objectNames(FIRST).dataLock ? FIRST : SECOND}'`);
    }
  });

  it('validate refuses a name longer than 63 characters, saying why', async () => {
    const long = `${FIRST}-and-then-some`;
    const r = await cutover(['validate', folder.write('long.yaml', shopPlan({ name: long }))], {});
    expectExit(r, 1);
    expect(r.stdout + r.stderr).toContain(`\`name\` may be at most 63 characters, not ${long.length}`);
    expect(r.stdout + r.stderr).toContain('PostgreSQL cuts names at 63 bytes');
  });
});

describe('the integration lock: what is blocked, what is detected', () => {
  it('under enforce, a role and a replication slot (server-wide) are not blocked: the next plan shows them as drift', async (ctx) => {
    const pair = await isolatedPair();
    if (!(await canEnforce(pair.source))) ctx.skip();
    const name = 'shop-integrations';
    expectExit(await cutover(['apply', folder.write('enforce.yaml', shopPlan({ name })), '--auto-approve'], pair.env), 0);
    const suffix = randomBytes(4).toString('hex');
    const role = `shop_reporting_${suffix}`;
    const slot = `shop_feed_${suffix}`;
    await withClient(pair.source, async (c) => {
      expect(await rejection(c, 'CREATE PUBLICATION shop_feed FOR TABLE orders')).toContain('integrations of this database are locked');
      expect(await rejection(c, 'GRANT SELECT ON customers TO PUBLIC')).toContain('integrations of this database are locked');
      // both are global objects, no DDL of this database: no event trigger sees them
      await c.query(`CREATE ROLE ${c.escapeIdentifier(role)}`);
      await c.query(`SELECT pg_create_physical_replication_slot($1)`, [slot]);
    });
    try {
      const next = folder.write('enforce-next.yaml', shopPlan({ name, target: 'round_tripped' }));
      const json = parseJson<PlanJson>(await cutover(['plan', next, '--json'], pair.env));
      const reasons = gate(json, 'gate.round_tripped').reasons;
      expect(reasons).toContain(`source changed since the lock: role ${role} added`);
      expect(reasons).toContain(`source changed since the lock: replication slot ${slot} added`);
    } finally {
      await withClient(pair.source, async (c) => {
        await c.query(`SELECT pg_drop_replication_slot($1)`, [slot]);
        await c.query(`DROP ROLE ${c.escapeIdentifier(role)}`);
      });
    }
  }, 90_000);

  it('under detect, a publication, a subscription and a foreign server show as drift', async (ctx) => {
    const pair = await freshPair();
    if (!(await canEnforce(pair.source))) ctx.skip(); // subscriptions and wrappers need a superuser
    const name = 'shop-integrations-detect';
    const plan = (target: string) => shopPlan({ name, target, schemaLock: 'detect', integrationsLock: 'detect' });
    expectExit(await cutover(['apply', folder.write('detect.yaml', plan('locked')), '--auto-approve'], pair.env), 0);
    await withClient(pair.source, async (c) => {
      await c.query('CREATE PUBLICATION shop_feed FOR TABLE orders');
      await c.query(`CREATE SUBSCRIPTION shop_mirror CONNECTION 'host=192.0.2.1 dbname=none' PUBLICATION shop_feed
                       WITH (connect = false, enabled = false, create_slot = false, slot_name = NONE)`);
      await c.query('CREATE FOREIGN DATA WRAPPER shop_wrapper');
      await c.query('CREATE SERVER shop_warehouse FOREIGN DATA WRAPPER shop_wrapper');
    });
    const json = parseJson<PlanJson>(await cutover(['plan', folder.write('detect-next.yaml', plan('round_tripped')), '--json'], pair.env));
    const reasons = gate(json, 'gate.round_tripped').reasons;
    for (const line of ['publication shop_feed added', 'subscription shop_mirror added', 'foreign server shop_warehouse added']) {
      expect(reasons).toContain(`source changed since the lock: ${line}`);
    }
    await withClient(pair.source, (c) => c.query('DROP SUBSCRIPTION shop_mirror'));
  }, 90_000);
});
