// Rollback before the write switch, end to end: `target: rolled_back` through plan/apply and the
// emergency `cutover rollback`, from locked (pause and freeze) and from round_tripped. The source
// ends exactly as it was before the first apply (catalog and data), accepts writes and DDL again;
// the destination keeps the state, the event log and what was copied; a second rollback has
// nothing left to do, and the migration has ended.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { withClient } from '../support/databases.js';
import { endToEndFile } from '../support/cutover-cli.js';
import {
  cutover, expectExit, freshPair, objectNames, parseJson, shopPlanWithHook, sourceObjects, sourceSnapshot, tryOnSource, writeHook,
  type PlanJson, type StatusJson,
} from './support.js';

const folder = endToEndFile();

const FREEZE = `    mode: freeze
    rules:
      - { classes: [orders], allow: [insert], reason: orders keep coming in during the window }
    ends: 2099-12-31T00:00:00Z`;

async function statusOf(planFile: string, env: Record<string, string>): Promise<StatusJson> {
  const r = await cutover(['status', planFile, '--json'], env);
  expectExit(r, 0);
  return parseJson<StatusJson>(r);
}

describe('target: rolled_back from locked (pause)', () => {
  it('plan shows the removals; apply lifts every lock and leaves the source as it was; the migration ends there', async () => {
    const name = 'shop-rb-pause';
    const pair = await freshPair();
    const before = await sourceSnapshot(pair.source);
    expectExit(await cutover(['apply', folder.write('pause-locked.yaml', shopPlanWithHook({ name })), '--auto-approve'], pair.env), 0);
    expect(await tryOnSource(pair.source, `INSERT INTO customers VALUES (3, 'cy@example.com', 'Cy')`)).toMatch(/is rejected: its data is locked/);

    const planFile = folder.write('pause-rolled-back.yaml', shopPlanWithHook({ name, target: 'rolled_back' }));
    const planned = await cutover(['plan', planFile], pair.env);
    expectExit(planned, 0);
    expect(planned.stdout).toContain('- destroy');
    expect(planned.stdout).toContain('Rollback: rolled_back');
    for (const address of ['lock.data', 'lock.schema', 'lock.integrations', 'source.support']) {
      expect(planned.stdout).toContain(`# ${address} will be destroyed`);
    }
    expect(planned.stdout).toContain('Plan: 0 to add, 0 to change, 4 to destroy.');
    const json = parseJson<PlanJson>(await cutover(['plan', planFile, '--json'], pair.env));
    expect(json.resource_changes.map((c) => [c.address, c.actions])).toEqual([
      ['lock.data', ['delete']], ['lock.integrations', ['delete']], ['lock.schema', ['delete']], ['source.support', ['delete']],
    ]);
    // the plan looked, it changed nothing
    expect((await sourceObjects(pair.source)).triggers).toHaveLength(3);

    // without a terminal and without --auto-approve: nothing happens
    const refused = await cutover(['apply', planFile], pair.env);
    expectExit(refused, 1);
    expect(refused.stderr).toContain('--auto-approve');
    expect((await sourceObjects(pair.source)).triggers).toHaveLength(3);

    const applied = await cutover(['apply', planFile, '--auto-approve'], pair.env);
    expectExit(applied, 0);
    expect(applied.stdout).toContain('lock.data: Destruction complete');
    expect(applied.stdout).toContain(`Rollback complete! Migration ${name} is rolled_back.`);
    expect(applied.stdout).toContain('Nothing had been copied into the destination.');

    // the source, catalog and data, is exactly as before the first apply
    expect(await sourceSnapshot(pair.source)).toEqual(before);
    expect(await tryOnSource(pair.source, `INSERT INTO customers VALUES (3, 'cy@example.com', 'Cy')`)).toBeNull();
    expect(await tryOnSource(pair.source, `ALTER TABLE customers ADD COLUMN phone text`)).toBeNull();
    expect(await tryOnSource(pair.source, `CREATE PUBLICATION shop_pub FOR TABLE customers`)).toBeNull();

    // the state and the event log stay, at rolled_back, with who did it and when
    const status = await statusOf(planFile, pair.env);
    expect(status.plan.phase).toBe('rolled_back');
    expect(Object.keys(status.phase_times)).toEqual(['locked', 'rolled_back']);
    const events = await withClient(pair.destination, async (c) => (await c.query<{ actor: string; at: Date; kind: string; detail: { phase?: string } }>(
      `SELECT actor, at, kind, detail FROM cutover.events WHERE migration = $1 ORDER BY id`, [name])).rows);
    const phase = events.find((e) => e.kind === 'phase' && e.detail.phase === 'rolled_back');
    expect(phase?.actor).toMatch(/^.+@.+$/);
    expect(phase?.at).toBeInstanceOf(Date);
    expect(events.filter((e) => e.kind === 'change').length).toBe(5 + 4); // the lock's five changes, the rollback's four

    // a second rollback has nothing left to do
    const again = await cutover(['rollback', planFile, '--auto-approve'], pair.env);
    expectExit(again, 0);
    expect(again.stdout).toContain(`Nothing to roll back: migration ${name} is rolled back already; nothing is left to do.`);

    // and the migration has ended: another target is refused, nothing is installed again
    const locked = await cutover(['apply', folder.path('pause-locked.yaml'), '--auto-approve'], pair.env);
    expectExit(locked, 1);
    expect(locked.stderr).toMatch(/migration shop-rb-pause ended at rolled_back on \d{4}-/);
    expect(locked.stderr).toContain('state and event log are kept');
    expect((await sourceObjects(pair.source)).hasSchema).toBe(false);
    const planAfter = await cutover(['plan', folder.path('pause-locked.yaml')], pair.env);
    expect(planAfter.stdout).toContain('ended at rolled_back');
  }, 120_000);
});

describe('cutover rollback from locked (freeze)', () => {
  it('removes the capture tables and triggers too', async () => {
    const name = 'shop-rb-freeze';
    const pair = await freshPair();
    const before = await sourceSnapshot(pair.source);
    const planFile = folder.write('freeze-locked.yaml', shopPlanWithHook({ name, data: FREEZE }));
    expectExit(await cutover(['apply', planFile, '--auto-approve'], pair.env), 0);
    const names = objectNames(name);
    const locked = await sourceObjects(pair.source);
    expect(locked.triggers).toContain(`orders:${names.capture}`);
    expect(locked.tables).toContain(names.captureLog);

    const r = await cutover(['rollback', planFile, '--auto-approve'], pair.env);
    expectExit(r, 0);
    expect(r.stdout).toContain('# class.orders.capture will be destroyed');
    expect(r.stdout).toContain(`Rollback complete! Migration ${name} is rolled_back.`);
    expect(await sourceSnapshot(pair.source)).toEqual(before);
    expect(await tryOnSource(pair.source, `DELETE FROM order_lines WHERE order_id = 11`)).toBeNull();
    expect((await statusOf(planFile, pair.env)).plan.phase).toBe('rolled_back');
  }, 120_000);
});

describe('cutover rollback from round_tripped, with a rollback hook', () => {
  it('a failing hook leaves everything as it was; once it passes the source is restored and the copy stays', async () => {
    const name = 'shop-rb-hook';
    const pair = await freshPair();
    const before = await sourceSnapshot(pair.source);
    const record = 'hook-rb.log';
    const hook = writeHook(folder, 'rollback-hook.sh', record);
    const planFile = folder.write('hook-round-tripped.yaml', shopPlanWithHook({ name, target: 'round_tripped', data: FREEZE, hook }));
    expectExit(await cutover(['apply', planFile, '--auto-approve'], pair.env), 0);
    const locked = await sourceObjects(pair.source);

    // the hook fails: nothing is removed, the phase stays, the output is shown and kept
    writeFileSync(path.join(folder.dir, `fail-${record}`), '');
    const failed = await cutover(['rollback', planFile, '--auto-approve'], pair.env);
    expectExit(failed, 1);
    expect(failed.stdout).toContain('# hook.rollback will be created');
    expect(failed.stdout).toContain('the app rollback failed: load balancer unreachable');
    expect(failed.stderr).toMatch(/Error: the go_live\.rollback hook `\.\/rollback-hook\.sh` exited with status 4, so nothing after it ran and the migration stays at round_tripped/);
    expect(await sourceObjects(pair.source)).toEqual(locked);
    expect((await statusOf(planFile, pair.env)).plan.phase).toBe('round_tripped');
    const hookEvent = await withClient(pair.destination, async (c) => (await c.query<{ outcome: string; detail: { status: number; output: string } }>(
      `SELECT outcome, detail FROM cutover.events WHERE migration = $1 AND kind = 'hook' ORDER BY id DESC LIMIT 1`, [name])).rows[0]);
    expect(hookEvent).toMatchObject({ outcome: 'failed', detail: { status: 4 } });
    expect(hookEvent!.detail.output).toContain('load balancer unreachable');

    // someone adds a line of their own beside the copy: that table must not be truncated
    await withClient(pair.destination, (c) => c.query(`INSERT INTO shop.order_lines VALUES (10, 3, 'spoon', 1)`));

    // fixed: the rollback runs the hook with its variables, from the plan's folder, then lifts everything
    rmSync(path.join(folder.dir, `fail-${record}`));
    const done = await cutover(['rollback', planFile, '--auto-approve'], pair.env);
    expectExit(done, 0);
    expect(done.stdout).toContain('switched the app back to the source');
    expect(readFileSync(path.join(folder.dir, record), 'utf8').trim().split('\n')).toEqual([
      `plan=${name} phase=rolled_back from=round_tripped to=rolled_back rehearsal=0 cwd=${folder.dir}`,
    ]);
    expect(done.stdout).toContain('What cutover copied into the destination stays there: shop.customers, shop.orders, shop.order_lines.');
    // per table: truncate only where every row is cutover's; elsewhere, which rows are not
    expect(done.stdout).toContain('shop.customers: only rows cutover wrote; truncating it removes the copy and nothing else');
    expect(done.stdout).toContain('shop.orders: only rows cutover wrote; truncating it removes the copy and nothing else');
    expect(done.stdout).toContain('shop.order_lines: also holds 1 row cutover did not write or changed after writing (keys (10, 3)); do not truncate it: delete only the rows cutover copied, keeping those');
    expect(done.stdout).not.toContain('held no rows of their own');
    expect(await sourceSnapshot(pair.source)).toEqual(before);
    expect(await tryOnSource(pair.source, `UPDATE customers SET name = 'Ada L.' WHERE id = 1`)).toBeNull();

    // the destination keeps the copy and the state
    const kept = await withClient(pair.destination, async (c) => (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM shop.order_lines')).rows[0]!.n);
    expect(kept).toBe(4);
    const status = await statusOf(planFile, pair.env);
    expect(status.plan.phase).toBe('rolled_back');
    expect(status.resources.map((r) => r.address)).toContain('class.customers.copy');
    expect(status.resources.map((r) => r.address)).not.toContain('lock.data');

    // rerunning: nothing left to do, and the hook does not run again
    const again = await cutover(['rollback', planFile, '--auto-approve'], pair.env);
    expectExit(again, 0);
    expect(again.stdout).toContain('nothing is left to do');
    expect(readFileSync(path.join(folder.dir, record), 'utf8').trim().split('\n')).toHaveLength(1);
  }, 180_000);
});

describe('rollback of a migration never applied', () => {
  it('is a no-op that says so, and creates no state', async () => {
    const pair = await freshPair();
    const r = await cutover(['rollback', folder.write('never.yaml', shopPlanWithHook({ name: 'shop-rb-never' })), '--auto-approve'], pair.env);
    expectExit(r, 0);
    expect(r.stdout).toContain('Nothing to roll back: migration shop-rb-never was never applied');
    expect(existsSync(folder.path('hook-never.log'))).toBe(false);
    const schemas = await withClient(pair.destination, async (c) => (await c.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'cutover'`)).rowCount);
    expect(schemas).toBe(0);
  }, 60_000);
});
