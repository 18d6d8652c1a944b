// kill -9 of a real `apply` in the middle of a copy: 300,000 rows in batches of 10,000, killed as
// soon as its checkpoint in cutover.copy_progress shows rows copied and before the class is done. The rerun
// resumes after the last committed batch: it exits 0, parity passes, no key was written twice
// (the destination table has no unique index that would have refused a duplicate) and the
// destination holds exactly the source's rows. The class copied before the kill is kept as it is,
// and the rows the killed copy committed are not taken for rows cutover did not write.
import { describe, expect, it } from 'vitest';
import { endToEndFile } from '../support/cutover-cli.js';
import {
  caughtMidCopy, copyProgress, count, cutover, expectExit, freshPair, LiveCli, parseJson, parityResults, planHead, rows,
  type StatusJson,
} from './support.js';

const NAME = 'ledger-kill';
const ROWS = 300_000;

const SOURCE_SQL = `
CREATE TABLE ledger (
  account int NOT NULL, seq int NOT NULL, amount numeric(12,2) NOT NULL, memo text, booked_at timestamptz NOT NULL,
  PRIMARY KEY (account, seq));
INSERT INTO ledger SELECT g % 97, g, (g % 10000) / 100.0, 'entry ' || g, TIMESTAMPTZ '2026-01-01 00:00:00+00' + g * interval '1 second'
  FROM generate_series(1, ${ROWS}) g;
CREATE TABLE accounts (id int PRIMARY KEY, name text NOT NULL);
INSERT INTO accounts SELECT g, 'account ' || g FROM generate_series(0, 96) g;
ANALYZE ledger;
`;

// no primary key on the ledger: a row copied twice would stay twice, for the test to see
const DESTINATION_SQL = `
CREATE SCHEMA books;
CREATE TABLE books.accounts (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE books.ledger (account int NOT NULL, seq int NOT NULL, amount numeric(12,2) NOT NULL, memo text, booked_at timestamptz NOT NULL);
`;

const PLAN = `${planHead({ name: NAME })}classes:
  ledger:
    source: { table: ledger, key: [account, seq] }
    destination: { table: books.ledger, key: [account, seq] }
    columns: { account: account, seq: seq, amount: amount, memo: memo, booked_at: booked_at }
    relationships:
      - { columns: [account], references: accounts }
  accounts:
    source: { table: accounts, key: [id] }
    destination: { table: books.accounts, key: [id] }
    columns: { id: id, name: name }
`;

const folder = endToEndFile();

describe('kill -9 of apply in the middle of a copy', () => {
  it('the rerun resumes: exit 0, parity passed, no key twice, every source row once', async () => {
    const pair = await freshPair(SOURCE_SQL, DESTINATION_SQL);
    const planFile = folder.write('ledger.yaml', PLAN);
    const env = { ...pair.env, CUTOVER_COPY_BATCH_ROWS: '10000' };

    const first = new LiveCli(['apply', planFile, '--auto-approve'], env);
    // watch the ledger's checkpoint: kill once a batch is committed and before the class is done
    const caught = await caughtMidCopy(pair.destination, NAME, 'ledger', first);
    first.child.kill('SIGKILL');
    expect(caught, `the copy was not caught mid-way\n${first.stdout}\n${first.stderr}`).toBe(true);
    const killed = await first.done;
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.stdout).not.toMatch(/class\.ledger\.copy: .*done|Apply complete/);

    // the kill left a checkpoint part-way, and exactly the rows it records
    const midway = (await copyProgress(pair.destination, NAME)).get('ledger');
    expect(midway, 'a checkpoint for the ledger').toBeDefined();
    expect(midway!.done).toBe(false);
    expect(midway!.rows).toBeGreaterThan(0);
    expect(midway!.rows).toBeLessThan(ROWS);
    expect(midway!.rows % 10_000).toBe(0);
    expect(await count(pair.destination, 'SELECT count(*) AS n FROM books.ledger')).toBe(midway!.rows);

    // the killed run's sessions end with it; the rerun waits for its state lock if need be
    const rerun = await cutover(['apply', planFile, '--auto-approve', '--lock-timeout', '20s'], env);
    expectExit(rerun, 0);
    expect(rerun.stdout).toContain('Apply complete! Phase round_tripped reached.');
    expect(rerun.stdout).toMatch(/class\.ledger\.copy: 300,000 rows, .*done/);
    // the rate is this run's: the line says where it resumed, so the killed run's rows are not counted
    expect(rerun.stdout).toContain(`resumed at ${midway!.rows.toLocaleString('en-US')}, done`);
    expect(rerun.stdout).not.toMatch(/parity FAILED/);
    // accounts (copied before the ledger, which references it) was finished: kept, not destroyed and copied again
    expect(rerun.stdout).not.toMatch(/class\.accounts\.copy: (Destroying|Creating)/);
    expect(rerun.stdout).toContain('0 to destroy');

    const duplicates = await rows(pair.destination,
      'SELECT account, seq, count(*)::int AS n FROM books.ledger GROUP BY account, seq HAVING count(*) > 1 LIMIT 5');
    expect(duplicates).toEqual([]);
    expect(await count(pair.destination, 'SELECT count(*) AS n FROM books.ledger')).toBe(ROWS);
    const sum = (url: string, table: string) => rows<{ s: string }>(url, `SELECT sum(amount)::text AS s FROM ${table}`);
    expect(await sum(pair.destination, 'books.ledger')).toEqual(await sum(pair.source, 'public.ledger'));
    const done = (await copyProgress(pair.destination, NAME)).get('ledger')!;
    expect(done).toMatchObject({ done: true, rows: ROWS });

    const parity = await parityResults(pair.destination, NAME);
    expect(parity.get('ledger')).toMatchObject({ passed: true, sourceRows: ROWS, destinationRows: ROWS, differences: [] });
    expect(parity.get('accounts')?.passed).toBe(true);
    const status = parseJson<StatusJson>(await cutover(['status', planFile, '--json'], pair.env));
    expect(status.plan.phase).toBe('round_tripped');
    expect(status.parity.map((p) => [p.class, p.passed]).sort()).toEqual([['accounts', true], ['ledger', true]]);
  }, 120_000);
});
