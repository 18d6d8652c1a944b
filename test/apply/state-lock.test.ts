// Two applies at once: every mutating command holds the migration's advisory state lock on the
// destination; a second one fails at once with `Error acquiring the state lock` naming who holds
// it, or with --lock-timeout waits for it.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { withClient } from '../support/databases.js';
import { endToEndFile } from '../support/cutover-cli.js';
import { cutover, expectExit, freshPair, LiveCli, objectNames, shopPlan, sourceObjects } from './support.js';

const folder = endToEndFile();

async function connect(url: string, application: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: application });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Resolves once a session named `application` has asked the destination for the state lock. */
async function triedLock(observer: pg.Client, application: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const { rows } = await observer.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1 AND query LIKE '%pg_try_advisory_lock%'`,
      [application]);
    if (rows[0]!.n > 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${application} session asked for the state lock within 30s`);
}

/** The lock engine/state/state-lock.ts takes: pg_advisory_lock(hashtext('cutover:state'), hashtext(migration)). */
const LOCK_ARGS = `hashtext('cutover:state'), hashtext($1)`;

describe('the state lock', () => {
  it('held by another session: apply fails at once naming the holder (exit 1), and waits with --lock-timeout', async () => {
    const name = 'shop-held';
    const pair = await freshPair();
    const planFile = folder.write('held.yaml', shopPlan({ name }));
    const holder = await connect(pair.destination, 'lock-holder-test');
    try {
      await holder.query(`SELECT pg_advisory_lock(${LOCK_ARGS})`, [name]);
      const holderPid = (holder as unknown as { processID: number }).processID;

      const started = Date.now();
      const refused = await cutover(['apply', planFile, '--auto-approve'], pair.env);
      expectExit(refused, 1);
      expect(Date.now() - started).toBeLessThan(15_000); // fails at once, it does not wait
      const line = refused.stderr.split('\n').find((l) => l.includes('Error acquiring the state lock'));
      expect(line, refused.stderr).toBeDefined();
      expect(line).toContain(`migration ${name} is held by`);
      expect(line).toContain('lock-holder-test');
      expect(line).toContain(`backend ${holderPid}`);
      expect(line).toMatch(/since \d{4}-\d\d-\d\dT/);
      expect(refused.stderr).toContain('--lock-timeout');
      expect((await sourceObjects(pair.source)).hasSchema).toBe(false);

      // with --lock-timeout it waits, and goes ahead once the lock is released
      const waiting = new LiveCli(['apply', planFile, '--auto-approve', '--lock-timeout', '20s'], pair.env);
      await triedLock(holder, 'cutover/apply');
      await new Promise((r) => setTimeout(r, 1000));
      expect(waiting.child.exitCode).toBeNull(); // still waiting for the lock
      expect(waiting.stdout).not.toContain('Creating...');
      const released = Date.now();
      await holder.query(`SELECT pg_advisory_unlock(${LOCK_ARGS})`, [name]);
      const done = await waiting.done;
      expectExit(done, 0);
      expect(done.stdout).toContain('Apply complete! Phase locked reached.');
      expect(Date.now() - released).toBeLessThan(20_000);
    } finally {
      await holder.end().catch(() => undefined);
    }
  }, 90_000);

  it('held by a real apply: a second apply fails at once naming `cutover apply`, its pid and since when', async () => {
    const name = 'shop-two-applies';
    const pair = await freshPair();
    const planFile = folder.write('two.yaml', shopPlan({ name }));
    // An application transaction with an uncommitted write on customers: installing the data lock's
    // trigger needs a lock that conflicts with it, so the first apply keeps retrying (short
    // lock_timeout, never queueing the application behind it) and holds the state lock meanwhile.
    const app = await connect(pair.source, 'shop-app');
    try {
      await app.query('BEGIN');
      await app.query(`INSERT INTO customers VALUES (3, 'cy@example.com', 'Cy')`);

      const first = new LiveCli(['apply', planFile, '--auto-approve'], pair.env);
      await first.waitFor(/lock\.data: Creating\.\.\./);

      // other application sessions are not made to queue behind cutover's pending trigger install
      // (it asks with a short lock_timeout and retries): their writes still go through
      const other = await connect(pair.source, 'shop-app');
      try {
        await other.query(`SET statement_timeout = '10s'`);
        await other.query(`INSERT INTO customers VALUES (4, 'di@example.com', 'Di')`);
      } finally {
        await other.end();
      }

      const second = await cutover(['apply', planFile, '--auto-approve'], pair.env);
      expectExit(second, 1);
      const line = second.stderr.split('\n').find((l) => l.includes('Error acquiring the state lock'));
      expect(line, second.stderr).toBeDefined();
      expect(line).toContain('cutover apply');
      expect(line).toContain(`pid ${first.child.pid}`);
      expect(line).toMatch(/since \d{4}-\d\d-\d\dT/);
      expect(first.child.exitCode).toBeNull();

      await app.query('COMMIT');
      const done = await first.done;
      expectExit(done, 0);
      expect(done.stdout).toContain('Apply complete! Phase locked reached.');
      // the application's rows went in before the lock; the lock is in place now
      const names = objectNames(name);
      expect((await sourceObjects(pair.source)).triggers).toContain(`customers:${names.dataLock}`);
      const n = await withClient(pair.source, async (c) => (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM customers')).rows[0]!.n);
      expect(n).toBe(4);
    } finally {
      await app.query('ROLLBACK').catch(() => undefined);
      await app.end().catch(() => undefined);
    }
  }, 90_000);
});
