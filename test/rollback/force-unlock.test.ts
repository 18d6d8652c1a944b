// force-unlock: an apply killed with SIGKILL while its destination session was busy (waiting for a
// table lock) leaves that session, and the state lock with it, behind. force-unlock refuses while
// the apply's process still runs, then, once it is gone, ends the session; the next apply goes ahead.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { withClient } from '../support/databases.js';
import { endToEndFile } from '../support/cutover-cli.js';
import { cutover, expectExit, freshPair, LiveCli, shopPlanWithHook } from './support.js';

const folder = endToEndFile();

/** Resolves once a cutover apply session waits for a lock on the destination (asked on a session
 * of its own: pg_stat_activity stands still inside a transaction). */
async function applyWaiting(url: string): Promise<void> {
  await withClient(url, async (observer) => {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const { rows } = await observer.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'cutover/apply' AND wait_event_type = 'Lock'`);
      if (rows[0]!.n > 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('no cutover apply session waited for a lock within 60s');
  });
}

describe('cutover force-unlock', () => {
  it('refuses while the holder runs; after kill -9 it ends the stale session and the next apply goes ahead', async () => {
    const name = 'shop-force-unlock';
    const pair = await freshPair();
    const locked = folder.write('locked.yaml', shopPlanWithHook({ name }));
    const next = folder.write('round-tripped.yaml', shopPlanWithHook({ name, target: 'round_tripped' }));
    expectExit(await cutover(['apply', locked, '--auto-approve'], pair.env), 0);

    // nothing holds the lock yet
    const free = await cutover(['force-unlock', locked, '--auto-approve'], pair.env);
    expectExit(free, 0);
    expect(free.stdout).toContain(`The state lock of migration ${name} is not held; nothing to unlock.`);

    // a session of someone else's holds the event log, so the apply stops at its first event
    const blocker = new pg.Client({ connectionString: pair.destination });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE cutover.events IN ACCESS EXCLUSIVE MODE');
      const apply = new LiveCli(['apply', next, '--auto-approve'], pair.env);
      await applyWaiting(pair.destination);

      const refused = await cutover(['force-unlock', locked, '--auto-approve'], pair.env);
      expectExit(refused, 1);
      expect(refused.stderr).toContain(`pid ${apply.child.pid}`);
      expect(refused.stderr).toContain('that process is still running on this host; nothing was ended');

      apply.child.kill('SIGKILL');
      await apply.done;
      // its session lives on, waiting, and holds the state lock
      const blocked = await cutover(['apply', next, '--auto-approve'], pair.env);
      expectExit(blocked, 1);
      expect(blocked.stderr).toContain('Error acquiring the state lock');
      expect(blocked.stderr).toContain(`\`cutover force-unlock PLAN\``);

      const noTty = await cutover(['force-unlock', locked], pair.env);
      expectExit(noTty, 1);
      expect(noTty.stderr).toContain('--auto-approve');

      const unlocked = await cutover(['force-unlock', locked, '--auto-approve'], pair.env);
      expectExit(unlocked, 0);
      expect(unlocked.stdout).toContain(`Confirmed: its process (pid ${apply.child.pid} on this host) is gone.`);
      expect(unlocked.stdout).toMatch(/Unlocked\. Backend \d+ was ended/);
      // the event log is still held by the other session: the unlock says so rather than wait for it
      expect(unlocked.stderr).toContain('the event log could not be written');
    } finally {
      await blocker.query('COMMIT').catch(() => undefined);
      await blocker.end();
    }

    const resumed = await cutover(['apply', next, '--auto-approve'], pair.env);
    expectExit(resumed, 0);
    expect(resumed.stdout).toContain('Apply complete! Phase round_tripped reached.');
  }, 180_000);
});
