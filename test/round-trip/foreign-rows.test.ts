// A destination table that holds rows cutover did not write is refused, never truncated:
//  - rows there before apply: preflight finds them (destination-not-empty, an error finding) and
//    apply refuses (exit 1) before its first change: nothing locked, nothing copied;
//  - rows written there while apply copies another class (after the gate was judged): the copy
//    refuses the table (exit 1, saying cutover never truncates), nothing is copied into it;
// and either way the foreign rows are left exactly as they were. Once the operator has emptied
// the table, apply completes the round trip.
import { describe, expect, it } from 'vitest';
import { withClient } from '../support/databases.js';
import { endToEndFile } from '../support/cutover-cli.js';
import {
  caughtMidCopy, copyProgress, count, cutover, expectExit, freshPair, LiveCli, parityResults, planHead, rows,
} from './support.js';

const NAME = 'warehouse-foreign';
const ROWS = 150_000;

const SOURCE_SQL = `
CREATE TABLE movements (id int PRIMARY KEY, sku text NOT NULL, qty int NOT NULL);
INSERT INTO movements SELECT g, 'SKU-' || (g % 100), (g % 7) - 3 FROM generate_series(1, ${ROWS}) g;
CREATE TABLE bins (id int PRIMARY KEY, label text NOT NULL);
INSERT INTO bins SELECT g, 'bin ' || g FROM generate_series(1, 20) g;
ANALYZE movements;
`;

const DESTINATION_SQL = `
CREATE SCHEMA wh;
CREATE TABLE wh.movements (id int PRIMARY KEY, sku text NOT NULL, qty int NOT NULL);
CREATE TABLE wh.bins (id int PRIMARY KEY, label text NOT NULL);
INSERT INTO wh.bins VALUES (1001, 'hand-made bin'), (1002, 'another');
`;

// movements first: nothing orders them, so the plan's order holds
const PLAN = `${planHead({ name: NAME })}classes:
  movements:
    source: { table: movements, key: [id] }
    destination: { table: wh.movements, key: [id] }
    columns: { id: id, sku: sku, qty: qty }
  bins:
    source: { table: bins, key: [id] }
    destination: { table: wh.bins, key: [id] }
    columns: { id: id, label: label }
`;

const folder = endToEndFile();

const foreignBins = (url: string) => rows<{ id: number; label: string }>(url, 'SELECT id, label FROM wh.bins ORDER BY id');

describe('a destination table holding rows cutover did not write', () => {
  it('is refused, never truncated, whether the rows were there first or arrive during the copy', async () => {
    const pair = await freshPair(SOURCE_SQL, DESTINATION_SQL);
    const planFile = folder.write('warehouse.yaml', PLAN);

    // there before apply: preflight finds them, and apply refuses before its first change (not even the lock)
    const blocked = await cutover(['apply', planFile, '--auto-approve'], pair.env);
    expectExit(blocked, 1);
    expect(blocked.stderr).toContain('gate.round_tripped is closed by what plan can already see (1 destination-not-empty finding), so nothing was changed');
    expect(blocked.stdout).not.toContain('Creating...');
    expect(blocked.stdout).toMatch(/destination-not-empty/);
    expect(blocked.stdout).toMatch(/wh\.bins already holds 2 rows that cutover did not write; cutover refuses to copy into it/);
    expect(blocked.stdout).not.toMatch(/class\.\w+\.copy: Creating/);
    expect(await foreignBins(pair.destination)).toEqual([{ id: 1001, label: 'hand-made bin' }, { id: 1002, label: 'another' }]);
    expect(await count(pair.destination, `SELECT count(*) AS n FROM pg_namespace WHERE nspname = 'cutover'`)).toBe(0); // not even state

    // emptied; then rows arrive while movements is being copied, after the gate opened
    await withClient(pair.destination, (c) => c.query('DELETE FROM wh.bins'));
    const apply = new LiveCli(['apply', planFile, '--auto-approve'], { ...pair.env, CUTOVER_COPY_BATCH_ROWS: '5000' });
    expect(await caughtMidCopy(pair.destination, NAME, 'movements', apply), `not caught mid-copy\n${apply.stdout}\n${apply.stderr}`).toBe(true);
    await withClient(pair.destination, (c) => c.query(`INSERT INTO wh.bins VALUES (2001, 'written by someone else')`));
    const refused = await apply.done;
    expectExit(refused, 1);
    expect(refused.stdout).toContain('class.movements.copy: Creation complete');
    expect(refused.stderr).toMatch(/wh\.bins holds 1 row cutover did not write; cutover never truncates a table it did not fill/);
    expect(refused.stdout + refused.stderr).not.toMatch(/Apply complete/);
    // nothing copied into it, nothing deleted from it
    expect(await foreignBins(pair.destination)).toEqual([{ id: 2001, label: 'written by someone else' }]);
    expect((await copyProgress(pair.destination, NAME)).get('bins')).toBeUndefined();
    expect((await copyProgress(pair.destination, NAME)).get('movements')).toMatchObject({ rows: ROWS, done: true });

    // the operator removes what is not theirs: the next apply finishes the round trip
    await withClient(pair.destination, (c) => c.query('DELETE FROM wh.bins'));
    const done = await cutover(['apply', planFile, '--auto-approve'], pair.env);
    expectExit(done, 0);
    expect(done.stdout).toContain('Apply complete! Phase round_tripped reached.');
    expect(done.stdout).not.toMatch(/class\.movements\.copy: Creating/);
    expect(await count(pair.destination, 'SELECT count(*) AS n FROM wh.bins')).toBe(20);
    expect(await count(pair.destination, 'SELECT count(*) AS n FROM wh.movements')).toBe(ROWS);
    const parity = await parityResults(pair.destination, NAME);
    expect(parity.get('bins')?.passed).toBe(true);
    expect(parity.get('movements')?.passed).toBe(true);
  }, 120_000);
});
