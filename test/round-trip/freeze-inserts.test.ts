// Freeze mode: while `apply` copies a class of 120,000 rows in small batches, the test inserts
// rows into the source — as the same role cutover connects as, through the freeze rule that allows
// inserts — some into key ranges already copied, some into ranges still to come, one in a
// transaction that began before the copy snapshot and commits after it. Each inserted key reaches
// the destination exactly once (replayed from capture, never also copied), parity passes, and the
// capture rows replay applied are gone.
import { describe, expect, it } from 'vitest';
import { names } from '../../engine/lock/object-names.js';
import { withClient } from '../support/databases.js';
import { endToEndFile } from '../support/cutover-cli.js';
import {
  caughtMidCopy, copyProgress, count, cutover, expectExit, freshPair, LiveCli, parityResults, planHead, rows,
} from './support.js';

const NAME = 'till-freeze';
const ROWS = 120_000;

// even ids only, so odd ids can be inserted anywhere in the key range
const SOURCE_SQL = `
CREATE TABLE shops (id int PRIMARY KEY, name text NOT NULL);
INSERT INTO shops SELECT g, 'shop ' || g FROM generate_series(1, 10) g;
CREATE TABLE sales (id int PRIMARY KEY, shop_id int NOT NULL REFERENCES shops (id), amount numeric(10,2) NOT NULL, sold_at timestamptz NOT NULL);
INSERT INTO sales SELECT 2 * g, (g % 10) + 1, (g % 500) / 4.0, TIMESTAMPTZ '2026-12-01 00:00:00+00' + g * interval '1 second'
  FROM generate_series(1, ${ROWS}) g;
ANALYZE sales;
`;

const DESTINATION_SQL = `
CREATE SCHEMA till;
CREATE TABLE till.shops (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE till.sales (
  id int PRIMARY KEY, shop_id int NOT NULL REFERENCES till.shops (id), amount numeric(10,2) NOT NULL, sold_at timestamptz NOT NULL);
`;

function plan(target: string): string {
  return `${planHead({
    name: NAME, target,
    data: `    mode: freeze
    rules:
      - { classes: [sales, shops], allow: [insert], reason: the tills keep selling during the window }
    ends: 2099-12-31T00:00:00Z`,
  })}classes:
  shops:
    source: { table: shops, key: [id] }
    destination: { table: till.shops, key: [id] }
    columns: { id: id, name: name }
  sales:
    source: { table: sales, key: [id] }
    destination: { table: till.sales, key: [id] }
    columns: { id: id, shop_id: shop_id, amount: amount, sold_at: sold_at }
`;
}

const folder = endToEndFile();

describe('freeze mode: inserts the rules allow, made during the copy', () => {
  it('each reaches the destination exactly once, and parity passes', async () => {
    const pair = await freshPair(SOURCE_SQL, DESTINATION_SQL);
    const locked = await cutover(['apply', folder.write('locked.yaml', plan('locked')), '--auto-approve'], pair.env);
    expectExit(locked, 0);

    const captureLog = `cutover.${JSON.stringify(names.captureLog(NAME))}`;
    const inserted = await withClient(pair.source, async (till) => {
      // after the lock, before the copy: captured, and visible in the copy snapshot (copied, not replayed)
      await till.query(`INSERT INTO sales VALUES (9, 1, 1.00, now())`);
      // a transaction open across the copy snapshot: its insert commits after the copy began
      return withClient(pair.source, async (early) => {
        await early.query('BEGIN');
        await early.query(`INSERT INTO sales VALUES (7, 2, 7.00, now())`);
        // one transaction across two classes, committed after later transactions: drained whole
        await early.query(`INSERT INTO shops VALUES (11, 'pop-up shop')`);
        await early.query(`INSERT INTO sales VALUES (5, 11, 5.00, now())`);

        const apply = new LiveCli(['apply', folder.write('round-tripped.yaml', plan('round_tripped')), '--auto-approve'],
          { ...pair.env, CUTOVER_COPY_BATCH_ROWS: '5000' });
        const midway = await caughtMidCopy(pair.destination, NAME, 'sales', apply);
        expect(midway, `the copy was not caught mid-way\n${apply.stdout}\n${apply.stderr}`).toBe(true);

        // during the copy: into the copied range, the range still to come, and past the end
        await till.query(`INSERT INTO sales VALUES (1, 3, 0.01, now()), (3, 3, 0.03, now())`);
        await till.query(`INSERT INTO sales VALUES (${ROWS + 1}, 4, 2.50, now())`);
        await till.query(`INSERT INTO sales VALUES (${2 * ROWS - 1}, 5, 3.50, now()), (${2 * ROWS + 1}, 5, 4.50, now())`);
        await early.query('COMMIT');
        // what the rules do not allow is still refused
        await expect(till.query('UPDATE sales SET amount = 0 WHERE id = 2')).rejects.toThrow(/locked \(freeze\)/);
        const during = (await copyProgress(pair.destination, NAME)).get('sales')!;
        expect(during.done, 'the inserts landed while the copy was running').toBe(false);

        const result = await apply.done;
        expectExit(result, 0);
        expect(result.stdout).toContain('Apply complete! Phase round_tripped reached.');
        expect(result.stdout).not.toMatch(/parity FAILED/);
        return [7, 5, 1, 3, ROWS + 1, 2 * ROWS - 1, 2 * ROWS + 1];
      });
    });

    const keys = [9, ...inserted];
    const found = await rows<{ id: number; n: number }>(pair.destination,
      'SELECT id, count(*)::int AS n FROM till.sales WHERE id = ANY($1) GROUP BY id ORDER BY id', [keys]);
    expect(found).toEqual([...keys].sort((a, b) => a - b).map((id) => ({ id, n: 1 })));
    const [row] = await rows<{ shop_id: number; amount: string }>(pair.destination, `SELECT shop_id, amount::text FROM till.sales WHERE id = ${2 * ROWS - 1}`);
    expect(row).toEqual({ shop_id: 5, amount: '3.50' });
    const total = await count(pair.source, 'SELECT count(*) AS n FROM sales');
    expect(total).toBe(ROWS + keys.length);
    expect(await count(pair.destination, 'SELECT count(*) AS n FROM till.sales')).toBe(total);

    const parity = await parityResults(pair.destination, NAME);
    expect(parity.get('sales')).toMatchObject({ passed: true, sourceRows: total, destinationRows: total, differences: [] });
    expect(parity.get('shops')?.passed).toBe(true);
    // the copy read one snapshot (the rows before it, row 9 included); what came later came by replay
    expect((await copyProgress(pair.destination, NAME)).get('sales')).toMatchObject({ rows: ROWS + 1, done: true });
    // replay read exactly the keys written after the copy snapshot, and deleted their capture rows
    const [position] = await rows<{ applied: string }>(pair.destination,
      `SELECT applied::text FROM cutover.capture_log_positions WHERE migration = $1 AND direction = 'forward'`, [NAME]);
    expect(Number(position!.applied)).toBe(inserted.length + 1); // and the pop-up shop
    expect(await count(pair.source, `SELECT count(*) AS n FROM ${captureLog}`)).toBe(0);
    expect(await rows(pair.destination, 'SELECT id, name FROM till.shops WHERE id = 11')).toEqual([{ id: 11, name: 'pop-up shop' }]);
  }, 120_000);
});
