// `plan` while another command holds the state lock: an `apply` paused (SIGSTOP) in the middle of
// a copy. The plan names the holder and says it may show work in progress; it never takes the
// rows that apply is writing for rows cutover did not write (no `destination-not-empty`), also
// when a batch commits between the plan's reads of the checkpoints and of the table.
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { QueryRunner } from '../../engine/db/query-runner.js';
import { readValidPlan } from '../../engine/load/valid-plan.js';
import { openMigration } from '../../engine/migration-context.js';
import { observe } from '../../engine/observe.js';
import { withClient } from '../support/databases.js';
import { endToEndFile } from '../support/cutover-cli.js';
import { caughtMidCopy, cutover, expectExit, freshPair, LiveCli, planHead } from '../round-trip/support.js';
import { planDocument } from './support.js';

const NAME = 'ledger-busy';
const ROWS = 200_000;

const SOURCE_SQL = `
CREATE TABLE ledger (id int PRIMARY KEY, amount numeric(12,2) NOT NULL, memo text);
INSERT INTO ledger SELECT g, (g % 10000) / 100.0, 'entry ' || g FROM generate_series(1, ${ROWS}) g;
ANALYZE ledger;
`;

const DESTINATION_SQL = `
CREATE SCHEMA books;
CREATE TABLE books.ledger (id int PRIMARY KEY, amount numeric(12,2) NOT NULL, memo text);
`;

const PLAN = `${planHead({ name: NAME })}classes:
  ledger:
    source: { table: ledger, key: [id] }
    destination: { table: books.ledger, key: [id] }
    columns: { id: id, amount: amount, memo: memo }
`;

const folder = endToEndFile();

async function connectTo(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}
let apply: LiveCli | undefined;

afterAll(async () => {
  if (apply?.running) {
    apply.child.kill('SIGKILL');
    await apply.done;
  }
});

describe('plan while an apply holds the state lock', () => {
  it('names the holder, warns of work in progress, and reports no false destination-not-empty', async () => {
    const pair = await freshPair(SOURCE_SQL, DESTINATION_SQL);
    const planFile = folder.write('ledger.yaml', PLAN);
    const env = { ...pair.env, CUTOVER_COPY_BATCH_ROWS: '5000' };

    apply = new LiveCli(['apply', planFile, '--auto-approve'], env);
    const caught = await caughtMidCopy(pair.destination, NAME, 'ledger', apply);
    apply.child.kill('SIGSTOP'); // its sessions, and the state lock with them, stay open
    try {
      expect(caught, `the copy was not caught mid-way\n${apply.stdout}\n${apply.stderr}`).toBe(true);

      const human = await cutover(['plan', planFile], pair.env);
      expectExit(human, 0);
      expect(human.stdout).toMatch(/the state is locked by cutover apply \(pid \d+ on host \S+, user \S+\) since \S+; this plan may show work in progress/);
      expect(human.stdout).not.toContain('destination-not-empty');

      const json = await cutover(['plan', planFile, '--json'], pair.env);
      expectExit(json, 0);
      const document = planDocument(json);
      expect(document.state_lock).toMatchObject({ command: 'cutover apply', pid: apply.child.pid });
      expect(document.preflight.map((f) => f.kind)).not.toContain('destination-not-empty');
    } finally {
      apply.child.kill('SIGCONT');
    }
    expectExit(await apply.done, 0);
  }, 120_000);
});

describe('plan reading the destination while a copy commits a batch', () => {
  it('counts a batch committed beside it as cutover\'s, never as rows cutover did not write', async () => {
    const name = 'ledger-race';
    const pair = await freshPair(SOURCE_SQL.replace(String(ROWS), '20'), DESTINATION_SQL);
    const planFile = folder.write('race.yaml', PLAN.replace(NAME, name));
    expectExit(await cutover(['apply', folder.write('race-locked.yaml', PLAN.replace(NAME, name).replace('target: round_tripped', 'target: locked')), '--auto-approve'], pair.env), 0);
    // a copy part-way, as apply leaves it between two batches: 5 rows, the checkpoint that counts
    // them and the batch's transaction recorded as cutover's, all in one transaction
    await withClient(pair.destination, (c) => c.query(`
      INSERT INTO books.ledger SELECT g, 1, 'entry ' || g FROM generate_series(1, 5) g;
      INSERT INTO cutover.copy_progress (migration, class, snapshot, last_key, rows, bytes, started_at)
        VALUES ('${name}', 'ledger', '1:1:', '[5]', 5, 0, now());
      INSERT INTO cutover.written_xids (migration, class, xid) VALUES ('${name}', 'ledger', txid_current())`));

    const ctx = await openMigration(readValidPlan(planFile, pair.env), { purpose: 'plan' });
    const apply = await connectTo(pair.destination);
    try {
      // the next batch commits, with its checkpoint, right after the plan has read the checkpoints
      let committed = false;
      const destination: QueryRunner = {
        async query(text, values) {
          const result = await ctx.destination.client.query(text, values);
          if (!committed && /FROM \S*copy_progress/.test(text) && text.trimStart().startsWith('SELECT *')) {
            committed = true;
            await apply.query(`BEGIN;
              INSERT INTO books.ledger SELECT g, 1, 'entry ' || g FROM generate_series(6, 8) g;
              UPDATE cutover.copy_progress SET rows = rows + 3, last_key = '[8]' WHERE migration = '${name}' AND class = 'ledger';
              INSERT INTO cutover.written_xids (migration, class, xid) VALUES ('${name}', 'ledger', txid_current());
              COMMIT`);
          }
          return result as never;
        },
      };
      const observed = await observe({
        plan: ctx.plan, planFingerprint: ctx.planFingerprint, source: ctx.source.client, destination, locate: ctx.valid.locate, refresh: true, now: new Date(),
      });
      expect(committed, 'the batch was committed between the two reads').toBe(true);
      expect(observed.findings.filter((f) => f.kind === 'destination-not-empty')).toEqual([]);
    } finally {
      await apply.end();
      await ctx.close();
    }
  }, 60_000);
});
