// cutover's own schema on the source is no way around the locks. An application role that owns
// the class tables, and that the database's default privileges grant everything the installing
// role creates, still cannot register itself as one of cutover's backends, replace cutover's
// functions or read its registry. What a superuser can still do (drop an event trigger) the next
// plan sees. And when cutover itself connects with such an application's role, plan says plainly
// that the locks cannot hold against it.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withClient } from '../support/databases.js';
import { endToEndFile, runCutover } from '../support/cutover-cli.js';
import { urlEnv } from '../support/plan-folder.js';
import { application, canEnforce, cutover, expectExit, freshPair, objectNames, parseJson, rejection, shopPlan, type Pair, type PlanJson } from './support.js';

const folder = endToEndFile();
const roles: { role: string; database: string }[] = [];

/** A login role for the shop application that owns its tables; named `cutover_…` so the other
 * tests' fingerprints (roles are server-wide) leave it out. */
async function shopRole(pair: Pair): Promise<{ role: string; url: string }> {
  const role = `cutover_test_shop_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  roles.push({ role, database: pair.source });
  await withClient(pair.source, async (c) => {
    const r = c.escapeIdentifier(role);
    const db = c.escapeIdentifier(new URL(pair.source).pathname.slice(1));
    await c.query(`CREATE ROLE ${r} LOGIN PASSWORD '${password}'`);
    await c.query(`GRANT CREATE, CONNECT ON DATABASE ${db} TO ${r}`);
    for (const t of ['customers', 'orders', 'order_lines']) await c.query(`ALTER TABLE ${t} OWNER TO ${r}`);
    await c.query(`ALTER MATERIALIZED VIEW customer_order_counts OWNER TO ${r}`);
    // what many databases have: the administrator's objects are the application's to use
    await c.query(`ALTER DEFAULT PRIVILEGES GRANT ALL ON TABLES TO ${r}`);
    await c.query(`ALTER DEFAULT PRIVILEGES GRANT ALL ON FUNCTIONS TO ${r}`);
    await c.query(`ALTER DEFAULT PRIVILEGES GRANT ALL ON SCHEMAS TO ${r}`);
  });
  const url = new URL(pair.source);
  url.username = role;
  url.password = password;
  return { role, url: url.toString() };
}

// before the fresh databases go (hooks run in reverse): the role's objects and grants are in them
afterAll(async () => {
  for (const { role, database } of roles) {
    await withClient(database, async (c) => {
      // the schema lock would (rightly) refuse to drop the shop's tables
      const events = await c.query<{ name: string }>(`SELECT evtname AS name FROM pg_event_trigger WHERE evtname LIKE 'cutover\\_%'`);
      for (const e of events.rows) await c.query(`DROP EVENT TRIGGER ${c.escapeIdentifier(e.name)}`);
      await c.query(`DROP OWNED BY ${c.escapeIdentifier(role)}`);
      await c.query(`DROP ROLE ${c.escapeIdentifier(role)}`);
    });
  }
});

describe('an application role that owns the tables, against an enforced lock', () => {
  const name = 'shop-owner';
  let pair: Pair;
  let app: pg.Client;
  let enforceable = true;

  beforeAll(async () => {
    pair = await freshPair();
    enforceable = await canEnforce(pair.source);
    if (!enforceable) return;
    const shop = await shopRole(pair);
    expectExit(await cutover(['apply', folder.write('owner.yaml', shopPlan({ name })), '--auto-approve'], pair.env), 0);
    app = await application(shop.url);
  }, 60_000);
  afterAll(async () => {
    await app?.end().catch(() => undefined);
  });

  it('cannot register itself as a cutover backend, replace or add a cutover function, or read the registry', async (ctx) => {
    if (!enforceable) ctx.skip();
    for (const sql of [
      `INSERT INTO cutover.backends (pid, backend_start, migration, purpose)
         SELECT pid, backend_start, 'shop-owner', 'apply' FROM pg_stat_activity WHERE pid = pg_backend_pid()`,
      `UPDATE cutover.backends SET pid = pg_backend_pid()`,
      `SELECT * FROM cutover.backends`,
      `CREATE OR REPLACE FUNCTION cutover.cutover_is_own_backend() RETURNS boolean LANGUAGE sql AS 'SELECT true'`,
      `CREATE FUNCTION cutover.helper() RETURNS boolean LANGUAGE sql AS 'SELECT true'`,
      `SELECT cutover.cutover_is_own_backend()`,
    ]) {
      expect(await rejection(app, sql), sql).toMatch(/^permission denied for schema cutover$/);
    }
    const { rows } = await app.query<{ usage: boolean; functions: number }>(
      `SELECT has_schema_privilege('cutover', 'USAGE') AS usage,
              (SELECT count(*)::int FROM pg_proc WHERE pronamespace = 'cutover'::regnamespace AND has_function_privilege(oid, 'EXECUTE')) AS functions`);
    expect(rows[0]).toEqual({ usage: false, functions: 0 });
  });

  it('meets the data lock, and as the tables\' owner cannot disable or drop it', async (ctx) => {
    if (!enforceable) ctx.skip();
    expect(await rejection(app, `INSERT INTO customers VALUES (3, 'cy@example.com', 'Cy')`))
      .toBe('cutover: INSERT on public.customers is rejected: its data is locked (pause) by migration shop-owner');
    expect(await rejection(app, `ALTER TABLE customers DISABLE TRIGGER USER`))
      .toBe('cutover: ALTER TABLE on public.customers is rejected: schema public is locked by migration shop-owner');
    expect(await rejection(app, `DROP TRIGGER ${app.escapeIdentifier(objectNames(name).dataLock)} ON customers`))
      .toMatch(/^cutover: DROP TRIGGER on .* is rejected: schema public is locked by migration shop-owner$/);
    expect(await rejection(app, 'SET session_replication_role = replica')).toMatch(/permission denied/);
  });

  it('an event trigger a superuser drops is to create again in the next plan', async (ctx) => {
    if (!enforceable) ctx.skip();
    const file = folder.write('owner.yaml', shopPlan({ name }));
    await withClient(pair.source, (c) => c.query(`DROP EVENT TRIGGER ${c.escapeIdentifier(objectNames(name).schemaLock)}`));
    const json = parseJson<PlanJson>(await cutover(['plan', file, '--json'], pair.env));
    expect(json.resource_changes).toEqual([expect.objectContaining({ address: 'lock.schema', actions: ['create'] })]);
    expectExit(await cutover(['apply', file, '--auto-approve'], pair.env), 0);
    expect(await rejection(app, 'ALTER TABLE customers ADD COLUMN loyalty_tier text')).toContain('schema public is locked by migration shop-owner');
  }, 60_000);
});

describe('cutover connecting with the application\'s own role, not a superuser', () => {
  it('plan warns that the locks cannot hold against that role', async () => {
    const pair = await freshPair();
    if (!(await canEnforce(pair.source))) return; // creating the role needs a superuser
    const shop = await shopRole(pair);
    const env = urlEnv(shop.url, pair.destination);
    const file = folder.write('shared.yaml', shopPlan({ name: 'shop-shared', schemaLock: 'detect', integrationsLock: 'detect' }));
    const r = await runCutover(['plan', file], env);
    expectExit(r, 0);
    expect(r.stdout.replace(/\s+/g, ' ')).toContain(
      `the source role ${shop.role} is not a superuser and applications may use it (it owns public.customers, public.order_lines, public.orders): any session of ${shop.role} can drop cutover's triggers, replace its functions or register itself as one of cutover's backends`);
  }, 60_000);
});
