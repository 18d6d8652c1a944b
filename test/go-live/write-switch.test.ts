// The go-live, with the clock moved by --now: dual-run compared at its cadence (each gate seen
// closed, then open), reads switched by the hook, then the write switch while a writer keeps
// inserting into the source and a mirror runs beside apply. Every insert the source committed is on
// the destination exactly once; those after the read-only point were refused with the migration's
// message; the destination's sequences hand out keys past every copied one; the outage is measured;
// reverse capture records destination writes; retained removes it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { names } from '../../engine/lock/object-names.js';
import { recordRehearsal } from '../../engine/state/rehearsals.js';
import { planFingerprint } from '../../engine/plan/plan-fingerprint.js';
import { readValidPlan } from '../../engine/load/valid-plan.js';
import { withClient } from '../support/databases.js';
import { endToEndFile } from '../support/cutover-cli.js';
import { count, cutover, expectExit, freshPair, gate, LiveCli, parseJson, rows, type PlanJson } from '../round-trip/support.js';
import { writeHook } from '../rollback/support.js';
import { at, DESTINATION_SQL, livePlan, SOURCE_SQL } from './support.js';

const NAME = 'shop-live';
const folder = endToEndFile();
afterAll(() => folder.remove());

/** Inserts orders into the source one transaction at a time until stopped; what committed and what was refused. */
function sourceWriter(url: string): { stop(): Promise<{ committed: number[]; refused: string[] }> } {
  let running = true;
  const committed: number[] = [];
  const refused: string[] = [];
  const loop = (async () => {
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      while (running) {
        try {
          const { rows: [r] } = await db.query<{ id: number }>(`INSERT INTO orders (customer, total) VALUES ('during the switch', 9.99) RETURNING id`);
          committed.push(r!.id);
        } catch (e) {
          refused.push((e as Error).message);
        }
        await new Promise((res) => setTimeout(res, 2));
      }
    } finally {
      await db.end();
    }
  })();
  return { async stop() { running = false; await loop; return { committed, refused }; } };
}

describe('go-live', () => {
  it('walks dual-run at its cadence, switches reads, then writes without losing one, and keeps the way back recorded', async () => {
    const pair = await freshPair(SOURCE_SQL, DESTINATION_SQL);
    const hook = writeHook(folder, 'go-live-hook.sh', 'hooks.log');
    const file = (target: string, resolutions = '') => folder.write(`${target}.yaml`, livePlan(NAME, target, hook, resolutions));
    const run = (args: string[]) => cutover(args, pair.env);

    expectExit(await run(['apply', file('dual_run'), '--auto-approve', '--now', at(0)]), 0);
    await withClient(pair.source, (c) => c.query(`INSERT INTO orders (customer, total) VALUES ('in dual-run', 1)`));
    const first = await run(['mirror', file('dual_run'), '--once', '--now', at(1)]);
    expectExit(first, 0);
    expect(first.stdout).toMatch(/Compare at 2026-12-01T01:00:00.000Z: clean/); // the first compare is due at once

    // a passed rollback rehearsal of this plan, recorded as `cutover rehearse` does
    const fingerprint = planFingerprint(readValidPlan(file('reads_switched'), { ...process.env, ...pair.env }).plan);
    await withClient(pair.destination, (c) => recordRehearsal(c, 'cutover', NAME,
      { planFingerprint: fingerprint, kind: 'rollback', startedAt: at(2), finishedAt: at(2), passed: true, detail: {} }));

    // the window has not passed: apply stops at the gate, saying when time alone opens it
    const early = await run(['apply', file('reads_switched'), '--auto-approve', '--now', at(5)]);
    expectExit(early, 3);
    expect(early.stdout).toMatch(/Stopped at gate\.reads_switched[\s\S]*It opens at 2026-12-03T00:00:00\.000Z\./);

    expectExit(await run(['compare', file('reads_switched'), '--now', at(25)]), 0);
    // a failed compare in the window: the gate stays closed until it is resolved
    await withClient(pair.destination, (c) => c.query(`UPDATE shop.orders SET customer = 'rogue' WHERE id = 2`));
    const failed = await run(['compare', file('reads_switched'), '--now', at(40)]);
    expectExit(failed, 2);
    await withClient(pair.source, (c) => c.query(`UPDATE orders SET customer = customer WHERE id = 2`)); // touched: mirrored again
    expectExit(await run(['compare', file('reads_switched'), '--now', at(48)]), 0);
    const unresolved = parseJson<PlanJson>(await run(['plan', file('reads_switched'), '--json', '--now', at(49)]));
    expect(gate(unresolved, 'gate.reads_switched').reasons.join('\n')).toMatch(/the compare at 2026-12-02T16:00:00Z failed and is not resolved in dual_run\.resolutions: orders \(1 key differed\)/);

    const resolution = `  resolutions:\n    - { compare: ${at(40).replace('.000Z', 'Z')}, class: orders, reason: a test wrote to the destination, by: qa@example.com }\n`;
    const reads = await run(['apply', file('reads_switched', resolution), '--auto-approve', '--now', at(49)]);
    expectExit(reads, 0);
    expect(reads.stdout).toContain('hook.switch_reads: Run complete');
    expect(readFileSync(path.join(folder.dir, 'hooks.log'), 'utf8')).toMatch(/phase=reads_switched from=dual_run to=reads_switched rehearsal=0/);

    // the tail window: reads on the destination, writes still on the source and mirrored
    const early2 = await run(['apply', file('writes_switched', resolution), '--auto-approve', '--now', at(60)]);
    expectExit(early2, 3);
    expect(early2.stdout).toMatch(/Stopped at gate\.writes_switched[\s\S]*It opens at 2026-12-04T01:00:00\.000Z\./);

    // the write switch, with a writer on the source and a mirror beside apply
    const mirror = new LiveCli(['mirror', file('writes_switched', resolution), '--now', at(74)], { ...pair.env, CUTOVER_MIRROR_REPORT_MS: '200' }, 120_000);
    await mirror.waitFor(/mirror: /);
    const writer = sourceWriter(pair.source);
    await new Promise((r) => setTimeout(r, 300));
    const switched = await run(['apply', file('writes_switched', resolution), '--auto-approve', '--now', at(74)]);
    const { committed, refused } = await writer.stop();
    mirror.child.kill('SIGTERM');
    expectExit(await mirror.done, 0);
    expectExit(switched, 0);
    expect(switched.stdout).toMatch(/The source is read-only \(the write outage has begun\); the fence was drained/);
    expect(switched.stdout).toMatch(/Final compare at .*: clean/);
    expect(switched.stdout).toMatch(/sequence shop\.orders_id_seq \(class orders, id\): next value \d+, past the highest key \d+ and the other side's last value \d+/);
    expect(switched.stdout).toMatch(/Write outage: \d+\.\d s, from the source going read-only to switch_writes done\./);
    expect(switched.stdout).toContain('Phase writes_switched reached.');

    expect(committed.length, 'the writer committed inserts before the switch').toBeGreaterThan(0);
    expect(refused.length, 'the writer was refused after the read-only point').toBeGreaterThan(0);
    expect(new Set(refused.map((m) => m.replace(/on public\.\w+/, 'on …')))).toEqual(new Set([
      `cutover: INSERT on … is rejected: the source is read-only since migration ${NAME} switched its writes to the destination`,
    ]));
    const onDestination = new Set((await rows<{ id: number }>(pair.destination, 'SELECT id FROM shop.orders')).map((r) => r.id));
    expect(committed.filter((id) => !onDestination.has(id))).toEqual([]);
    expect(await rows(pair.destination, 'SELECT id, customer, total::text FROM shop.orders ORDER BY id'))
      .toEqual(await rows(pair.source, 'SELECT id, customer, total::text FROM orders ORDER BY id'));

    // the destination takes writes: its sequence hands out keys past every copied one, and reverse capture records them
    const inserted = await rows<{ id: number }>(pair.destination, `INSERT INTO shop.orders (customer, total) VALUES ('first on the destination', 5) RETURNING id`);
    expect(inserted[0]!.id).toBeGreaterThan(Math.max(...onDestination));
    const reverseLog = `cutover.${JSON.stringify(names.captureLog(NAME))}`;
    expect(await count(pair.destination, `SELECT count(*) AS n FROM ${reverseLog} WHERE class = 'orders'`)).toBe(1);
    await expect(withClient(pair.source, (c) => c.query(`UPDATE orders SET total = 0 WHERE id = 1`))).rejects.toThrow(/read-only since migration shop-live/);

    // after the rollback window, retained: reverse capture goes, the source stays read-only
    const retained = await run(['apply', file('retained', resolution), '--auto-approve', '--now', at(74 + 7 * 24 + 1)]);
    expectExit(retained, 0);
    expect(await count(pair.destination, `SELECT count(*) AS n FROM pg_trigger WHERE tgname = '${names.captureTrigger(NAME)}'`)).toBe(0);
    await expect(withClient(pair.source, (c) => c.query(`DELETE FROM order_lines WHERE id = 1`))).rejects.toThrow(/read-only since migration shop-live/);
  }, 300_000);
});
