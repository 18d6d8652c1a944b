// Rollback after the write switch, the way out no other tool offers: the destination took
// thousands of writes (inserts drawing on its advanced sequences, updates, deletes, across orders
// and their lines); `cutover rollback` makes the destination read-only, drains every one of those
// writes into the source through `reverse`, sets the source's sequences past every key, proves
// parity in the reverse direction, runs the rollback hook and opens the source for writes again.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withClient } from '../support/databases.js';
import { endToEndFile } from '../support/cutover-cli.js';
import { cutover, expectExit, freshPair, rows } from '../round-trip/support.js';
import { writeHook } from '../rollback/support.js';
import { at, DESTINATION_SQL, goLive, livePlan, SOURCE_SQL } from './support.js';

const NAME = 'shop-back';
const folder = endToEndFile();
afterAll(() => folder.remove());

const ORDERS = 'SELECT id, customer, total::text FROM %s ORDER BY id';
const LINES = 'SELECT id, order_id, sku FROM %s ORDER BY id';

describe('rollback after the write switch', () => {
  it('brings every write the destination took back into the source, proves it, and opens the source again', async () => {
    const pair = await freshPair(SOURCE_SQL, DESTINATION_SQL);
    const hook = writeHook(folder, 'back-hook.sh', 'back.log');
    const file = (target: string) => folder.write(`${target}.yaml`, livePlan(NAME, target, hook));
    await goLive({ name: NAME, destination: pair.destination, env: pair.env, file });

    // the destination is live: the application writes to it
    await withClient(pair.destination, async (app) => {
      for (let i = 0; i < 200; i++) {
        await app.query('BEGIN');
        const { rows: [o] } = await app.query<{ id: number }>(`INSERT INTO shop.orders (customer, total) VALUES ($1, $2) RETURNING id`, [`live ${i}`, i + 0.5]);
        await app.query(`INSERT INTO shop.order_lines (order_id, sku) SELECT $1, 'live-' || g FROM generate_series(1, 3) g`, [o!.id]);
        await app.query('COMMIT');
      }
      await app.query(`UPDATE shop.orders SET total = total + 1 WHERE id % 7 = 0`);
      await app.query(`UPDATE shop.order_lines SET sku = sku || '-changed' WHERE id % 5 = 0`);
      await app.query(`DELETE FROM shop.order_lines WHERE order_id IN (SELECT id FROM shop.orders WHERE id % 11 = 0)`);
      await app.query(`DELETE FROM shop.orders WHERE id % 11 = 0`);
    });

    const back = await cutover(['rollback', file('writes_switched'), '--auto-approve', '--now', at(80)], pair.env);
    expectExit(back, 0);
    expect(back.stdout).toMatch(/The destination is read-only; its writes were drained into the source through reverse: [\d,]+ changes applied\./);
    expect(back.stdout).toMatch(/sequence public\.orders_id_seq \(class orders, id\): next value \d+, past the highest key \d+/);
    expect(back.stdout).toContain('Rollback complete!');
    expect(readFileSync(path.join(folder.dir, 'back.log'), 'utf8')).toMatch(/phase=rolled_back from=writes_switched/);

    // every write is in the source, and nothing else changed
    expect(await rows(pair.source, ORDERS.replace('%s', 'orders'))).toEqual(await rows(pair.destination, ORDERS.replace('%s', 'shop.orders')));
    expect(await rows(pair.source, LINES.replace('%s', 'order_lines'))).toEqual(await rows(pair.destination, LINES.replace('%s', 'shop.order_lines')));

    // the source takes writes again, its sequences past every key; the destination takes none
    const [top] = await rows<{ id: number }>(pair.source, 'SELECT max(id) AS id FROM orders');
    const [next] = await rows<{ id: number }>(pair.source, `INSERT INTO orders (customer, total) VALUES ('back on the source', 1) RETURNING id`);
    expect(next!.id).toBeGreaterThan(top!.id);
    await expect(withClient(pair.destination, (c) => c.query(`INSERT INTO shop.orders (customer, total) VALUES ('too late', 1)`)))
      .rejects.toThrow(/the destination is read-only: migration shop-back was rolled back to the source/);

    const again = await cutover(['rollback', file('writes_switched'), '--auto-approve', '--now', at(81)], pair.env);
    expectExit(again, 0);
    expect(again.stdout).toContain('Nothing to roll back');
  }, 300_000);
});
