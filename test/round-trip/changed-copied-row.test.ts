// A row cutover copied and someone changed afterwards is no longer cutover's: after a kill -9
// stopped a copy part-way, `plan` reports the changed row (destination-not-empty, with its key)
// before anything is changed, and apply refuses before its first change (exit 1) rather than
// failing in the middle of the phase. A row cutover wrote and nobody touched stays cutover's.
import { describe, expect, it } from 'vitest';
import { withClient } from '../support/databases.js';
import { endToEndFile } from '../support/cutover-cli.js';
import { caughtMidCopy, copyProgress, count, cutover, expectExit, freshPair, LiveCli, parseJson, planHead, rows, type PlanJson } from './support.js';

const NAME = 'lines-changed';
const ROWS = 150_000;

const SOURCE_SQL = `
CREATE TABLE lines (order_id int NOT NULL, line int NOT NULL, qty int NOT NULL, PRIMARY KEY (order_id, line));
INSERT INTO lines SELECT g % 10, g, g % 7 FROM generate_series(1, ${ROWS}) g;
ANALYZE lines;
`;

const DESTINATION_SQL = `
CREATE SCHEMA wh;
CREATE TABLE wh.lines (order_id int NOT NULL, line int NOT NULL, qty int NOT NULL, PRIMARY KEY (order_id, line));
`;

const PLAN = `${planHead({ name: NAME })}classes:
  lines:
    source: { table: lines, key: [order_id, line] }
    destination: { table: wh.lines, key: [order_id, line] }
    columns: { order_id: order_id, line: line, qty: qty }
`;

const folder = endToEndFile();

interface FindingJson { class: string; kind: string; severity: string; count: number | null; sample_keys: unknown[][]; message: string }

describe('a copied row changed by someone else after a copy stopped part-way', () => {
  it('plan reports it with its key, and apply refuses before its first change', async () => {
    const pair = await freshPair(SOURCE_SQL, DESTINATION_SQL);
    const planFile = folder.write('lines.yaml', PLAN);
    const env = { ...pair.env, CUTOVER_COPY_BATCH_ROWS: '5000' };

    const first = new LiveCli(['apply', planFile, '--auto-approve'], env);
    const caught = await caughtMidCopy(pair.destination, NAME, 'lines', first);
    first.child.kill('SIGKILL');
    expect(caught, `not caught mid-copy\n${first.stdout}\n${first.stderr}`).toBe(true);
    await first.done;

    // the killed copy's own rows are not foreign: plan finds nothing
    const clean = parseJson<PlanJson & { preflight: FindingJson[] }>(await cutover(['plan', planFile, '--json'], env));
    expect(clean.preflight.filter((f) => f.kind === 'destination-not-empty')).toEqual([]);

    // someone changes a row cutover copied (line 10 is in the first batch)
    await withClient(pair.destination, (c) => c.query('UPDATE wh.lines SET qty = 42 WHERE order_id = 0 AND line = 10'));
    const before = await rows(pair.destination, 'SELECT order_id, line, qty FROM wh.lines ORDER BY order_id, line');
    const copied = (await copyProgress(pair.destination, NAME)).get('lines')!;

    const human = await cutover(['plan', planFile], env);
    expect(human.stdout).toMatch(/wh\.lines already holds 1 row that cutover did not write/);
    expect(human.stdout).toContain('sample keys: (0, 10)');
    const document = parseJson<PlanJson & { preflight: FindingJson[] }>(await cutover(['plan', planFile, '--json'], env));
    expect(document.preflight.filter((f) => f.kind === 'destination-not-empty')).toEqual([
      expect.objectContaining({ class: 'lines', severity: 'error', count: 1, sample_keys: [[0, 10]] }),
    ]);
    expect(document.gates.find((g) => g.address === 'gate.round_tripped')?.status).not.toBe('open');

    const refused = await cutover(['apply', planFile, '--auto-approve'], env);
    expectExit(refused, 1);
    expect(refused.stderr).toContain('1 destination-not-empty finding), so nothing was changed');
    expect(refused.stdout).not.toContain('Creating...');
    // nothing changed: the copy did not move on, the changed row is as it was
    expect(await rows(pair.destination, 'SELECT order_id, line, qty FROM wh.lines ORDER BY order_id, line')).toEqual(before);
    expect((await copyProgress(pair.destination, NAME)).get('lines')).toEqual(copied);
    expect(await count(pair.destination, 'SELECT count(*) AS n FROM wh.lines WHERE qty = 42')).toBe(1);
  }, 120_000);
});
