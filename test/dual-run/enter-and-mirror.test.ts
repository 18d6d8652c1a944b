// Entering dual-run lifts the data lock and leaves capture on every class (a partition written
// straight included, a session under session_replication_role = replica too); a TRUNCATE is refused by name; `cutover mirror --once` brings the destination
// equal to the source; `cutover compare` says so (exit 0), and says otherwise (exit 2, with the
// key) once someone writes to the destination behind cutover's back.
import { afterAll, describe, expect, it } from 'vitest';
import { withClient } from '../support/databases.js';
import { endToEndFile } from '../support/cutover-cli.js';
import { cutover, expectExit, freshPair, rows } from '../round-trip/support.js';
import { DESTINATION_SQL, shopPlan, SOURCE_SQL } from './support.js';

const NAME = 'shop-dual';
const folder = endToEndFile();
afterAll(() => folder.remove());

const sourceOrders = 'SELECT id, customer, status FROM orders ORDER BY id';
const destinationOrders = 'SELECT id, customer, status::text AS status FROM shop.orders ORDER BY id';
const lines = (t: string) => `SELECT id, order_id, sku, qty FROM ${t} ORDER BY id`;
const events = (t: string) => `SELECT id, to_char(at, 'YYYY-MM-DD') AS at, what FROM ${t} ORDER BY id, at`;

describe('dual-run', () => {
  it('lifts the data lock, mirrors every write (a partition written straight included), refuses TRUNCATE, and compares exactly', async () => {
    const pair = await freshPair(SOURCE_SQL, DESTINATION_SQL);
    const plan = folder.write('shop.yaml', shopPlan(NAME));
    const applied = await cutover(['apply', plan, '--auto-approve'], pair.env);
    expectExit(applied, 0);
    expect(applied.stdout).toContain('mirror.position: Creation complete');
    expect(applied.stdout).toContain('Phase dual_run reached.');

    await withClient(pair.source, async (app) => {
      // one transaction: an order and its lines
      await app.query('BEGIN');
      await app.query(`INSERT INTO orders VALUES (1001, 'new customer', 'paid')`);
      await app.query(`INSERT INTO order_lines VALUES (5001, 1001, 'sku-new', 3), (5002, 1001, 'sku-new', 1)`);
      await app.query('COMMIT');
      await app.query(`UPDATE orders SET status = 'shipped' WHERE id = 7`);
      await app.query(`DELETE FROM orders WHERE id = 8`); // its lines go by cascade, captured too
      await app.query(`UPDATE order_lines SET id = 9001 WHERE id = 10`); // a key update moves the row
      await app.query(`INSERT INTO events_2027 VALUES (7777, '2027-03-01', 'straight into a partition')`);
      await app.query(`UPDATE events_2026 SET what = 'changed in its partition' WHERE id = 5`);
      // a session that turns ordinary triggers off (a replication tool, a superuser) is captured all the same
      await app.query('SET session_replication_role = replica');
      await app.query(`UPDATE orders SET customer = 'written as a replica' WHERE id = 9`);
      await expect(app.query('TRUNCATE order_lines')).rejects.toThrow(/is refused/);
      await app.query('SET session_replication_role = DEFAULT');
      await expect(app.query('TRUNCATE order_lines')).rejects.toThrow(/TRUNCATE on public\.order_lines is refused: migration shop-dual mirrors class order_lines row by row/);
      await expect(app.query('TRUNCATE events_2026')).rejects.toThrow(/is refused/);
    });

    const mirrored = await cutover(['mirror', plan, '--once'], pair.env);
    expectExit(mirrored, 0);
    expect(mirrored.stdout).toMatch(/mirror: \d+ changes applied/);
    expect(mirrored.stdout).toContain('Mirror stopped cleanly');
    expect(await rows(pair.destination, destinationOrders)).toEqual(await rows(pair.source, sourceOrders));
    expect(await rows(pair.destination, lines('shop.order_lines'))).toEqual(await rows(pair.source, lines('order_lines')));
    expect(await rows(pair.destination, events('shop.events'))).toEqual(await rows(pair.source, events('events')));

    const clean = await cutover(['compare', plan], pair.env);
    expectExit(clean, 0);
    expect(clean.stdout).toMatch(/Compare at .*: clean, 3 classes exactly equal/);

    // a writer on the destination, which is not live yet: a defect, reported with table and key
    await withClient(pair.destination, (c) => c.query(`UPDATE shop.orders SET customer = 'rogue' WHERE id = 3`));
    const rogue = await cutover(['compare', plan], pair.env);
    expectExit(rogue, 2);
    expect(rogue.stdout).toMatch(/class orders: DIFFERS: 1 row differs.*1 row written to the destination outside cutover \(keys 3\)/);
    const planned = await cutover(['plan', plan], pair.env);
    expectExit(planned, 0);
    expect(planned.stdout).toMatch(/error \(blocks reads_switched\) written-outside-cutover, 1 row[\s\S]*1 row of shop\.orders was written or changed by someone other than cutover during dual-run[\s\S]*sample keys: 3/);
  }, 180_000);
});
