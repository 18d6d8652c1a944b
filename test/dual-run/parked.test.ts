// A source write whose mapped value the destination refuses (a status its enum does not have) is
// parked with its key, the error and the source row; other keys go on; the next compare names it;
// a later change of that key waits behind it; `--retry-rejected` applies it once the source data
// is fixed, and the compare is clean again. Nothing is dropped on the way.
import { afterAll, describe, expect, it } from 'vitest';
import { withClient } from '../support/databases.js';
import { endToEndFile } from '../support/cutover-cli.js';
import { cutover, expectExit, freshPair, rows } from '../round-trip/support.js';
import { DESTINATION_SQL, shopPlan, SOURCE_SQL } from './support.js';

const NAME = 'shop-parked';
const folder = endToEndFile();
afterAll(() => folder.remove());

interface Parked { class: string; key: unknown[]; op: string; sqlstate: string; message: string; source_row: Record<string, unknown>; resolution: string | null }

const parked = (destination: string) => rows<Parked & Record<string, unknown>>(destination,
  `SELECT class, key, op, sqlstate, message, source_row, resolution FROM cutover.parked_changes WHERE migration = $1 ORDER BY id`, [NAME]);
const order = async (url: string, table: string, id: number) =>
  (await rows<{ customer: string; status: string }>(url, `SELECT customer, status::text AS status FROM ${table} WHERE id = $1`, [id]))[0];

describe('a change the destination refuses', () => {
  it('is parked with key, error and source row, holds its key\'s later changes, and is applied by --retry-rejected once fixed', async () => {
    const pair = await freshPair(SOURCE_SQL, DESTINATION_SQL);
    const plan = folder.write('shop.yaml', shopPlan(NAME));
    expectExit(await cutover(['apply', plan, '--auto-approve'], pair.env), 0);

    const source = (sql: string) => withClient(pair.source, (c) => c.query(sql));
    await source(`UPDATE orders SET status = 'archived' WHERE id = 5`); // no such value in shop.order_status
    await source(`UPDATE orders SET status = 'paid' WHERE id = 6`);
    const first = await cutover(['mirror', plan, '--once'], pair.env);
    expectExit(first, 0);
    expect(first.stdout).toMatch(/Parked: class orders, key 5: the destination refused it \(invalid input value for enum shop\.order_status: "archived"\)/);
    expect(first.stdout).toMatch(/1 parked/);
    expect(await parked(pair.destination)).toEqual([{
      class: 'orders', key: [5], op: 'update', sqlstate: '22P02', message: expect.stringContaining('invalid input value for enum'),
      source_row: { id: 5, customer: 'customer 5', status: 'archived' }, resolution: null,
    }]);
    expect(await order(pair.destination, 'shop.orders', 6)).toEqual({ customer: 'customer 6', status: 'paid' }); // other keys go on
    expect(await order(pair.destination, 'shop.orders', 5)).toEqual({ customer: 'customer 5', status: 'open' });

    const compared = await cutover(['compare', plan], pair.env);
    expectExit(compared, 2);
    // plan saw it coming: a value the destination refuses holds back the go-live, not the finished copy
    const planned = await cutover(['plan', plan], pair.env);
    expectExit(planned, 0);
    expect(planned.stdout).toMatch(/error \(blocks reads_switched\) outside-enum, column status, 1 row/);
    expect(planned.stdout).not.toContain('gate.round_tripped');
    expect(compared.stdout).toMatch(/class orders: DIFFERS: 1 row differs, 1 change parked \(keys 5\)/);

    // a later change of key 5 waits behind the parked one: the destination keeps the row as it was
    await source(`UPDATE orders SET customer = 'renamed' WHERE id = 5`);
    expectExit(await cutover(['mirror', plan, '--once'], pair.env), 0);
    expect(await order(pair.destination, 'shop.orders', 5)).toEqual({ customer: 'customer 5', status: 'open' });
    expect((await parked(pair.destination)).length).toBe(1);

    // retried before the fix: still refused, still open
    const early = await cutover(['mirror', plan, '--once', '--retry-rejected'], pair.env);
    expectExit(early, 0);
    expect(early.stdout).toMatch(/Retried 1 parked change: 0 applied, 1 refused again\.\n  still refused: class orders, key 5: invalid input value for enum/);

    await source(`UPDATE orders SET status = 'shipped' WHERE id = 5`); // the source data fixed
    const retried = await cutover(['mirror', plan, '--once', '--retry-rejected'], pair.env);
    expectExit(retried, 0);
    expect(retried.stdout).toContain('Retried 1 parked change: 1 applied, 0 refused again.');
    expect(await order(pair.destination, 'shop.orders', 5)).toEqual({ customer: 'renamed', status: 'shipped' });
    expect((await parked(pair.destination)).map((p) => p.resolution)).toEqual(['retried']);
    expectExit(await cutover(['compare', plan], pair.env), 0);
  }, 180_000);
});
