// Ctrl-C at apply's `yes` prompt, typed on a real (pseudo-)terminal: `Apply cancelled.`, exit 1,
// nothing changed, and never an internal error. SIGINT during a copy: apply stops after the
// current batch, exits 130, records the interruption, and the next apply resumes.
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { freshPair, withClient } from '../support/databases.js';
import { endToEndFile } from '../support/cutover-cli.js';
import { lockSection, planHead } from '../support/plan-folder.js';
import { BIN, minimalEnv, ROOT } from '../support/run-cli.js';
import { caughtMidCopy, copyProgress, count, cutover, expectExit, LiveCli, parityResults, rows } from '../round-trip/support.js';

const hasScript = process.platform !== 'win32' && spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
const folder = endToEndFile();

/** The CLI on a pseudo-terminal; `type` is written to it once `waitFor` appears in the output. */
function runInPty(args: string[], env: Record<string, string>, waitFor: RegExp, type: string): Promise<{ status: number | null; output: string }> {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, BIN, ...args].map(quote).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd: ROOT, env: minimalEnv({ SHELL: '/bin/sh', TERM: 'xterm-256color', NO_COLOR: '1', ...env }), stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    let typed = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const read = (c: string) => {
      output += c;
      if (!typed && waitFor.test(output)) {
        typed = true;
        child.stdin.write(type);
      }
    };
    child.stdout.setEncoding('utf8').on('data', read);
    child.stderr.setEncoding('utf8').on('data', read);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}

describe('Ctrl-C', () => {
  it.skipIf(!hasScript)('at the yes prompt: Apply cancelled., exit 1, nothing installed', async () => {
    const pair = await freshPair(`CREATE TABLE customer (customer_id int PRIMARY KEY);`, `CREATE SCHEMA app; CREATE TABLE app.customers (id int PRIMARY KEY);`, 'sigint');
    const planFile = folder.write('prompt.yaml', `${planHead({ name: 'sigint-prompt', target: 'locked' })}${lockSection({ schema: 'detect', integrations: 'detect' })}classes:
  customers:
    source: { table: customer, key: [customer_id] }
    destination: { table: app.customers, key: [id] }
    columns: { id: customer_id }
    reverse: { customer_id: id }
`);
    const r = await runInPty(['apply', planFile], pair.env, /Enter a value:/, '\u0003');
    expect(r.output).toContain('Apply cancelled.');
    expect(r.output).not.toContain('internal error');
    expect(r.status).toBe(1);
    const triggers = await withClient(pair.source, async (c) => (await c.query(`SELECT tgname FROM pg_trigger WHERE NOT tgisinternal`)).rows);
    expect(triggers).toEqual([]);
  }, 90_000);
});

describe('Ctrl-C during apply', () => {
  const ROWS = 200_000;
  it('the first SIGINT stops after the current batch: the message, exit 130, an `interrupted` event, the state lock released; the rerun completes with parity', async () => {
    const pair = await freshPair(
      `CREATE TABLE ledger (seq int PRIMARY KEY, memo text NOT NULL);
       INSERT INTO ledger SELECT g, 'entry ' || g FROM generate_series(1, ${ROWS}) g; ANALYZE ledger;`,
      `CREATE SCHEMA books; CREATE TABLE books.ledger (seq int NOT NULL, memo text NOT NULL);`, 'sigint');
    const planFile = folder.write('ledger.yaml', `${planHead({ name: 'sigint-apply', target: 'round_tripped' })}${lockSection({ schema: 'detect', integrations: 'detect' })}classes:
  ledger:
    source: { table: ledger, key: [seq] }
    destination: { table: books.ledger, key: [seq] }
    columns: { seq: seq, memo: memo }
    reverse: { seq: seq, memo: memo }
`);
    const env = { ...pair.env, CUTOVER_COPY_BATCH_ROWS: '5000' };
    const apply = new LiveCli(['apply', planFile, '--auto-approve'], env);
    const caught = await caughtMidCopy(pair.destination, 'sigint-apply', 'ledger', apply);
    apply.child.kill('SIGINT');
    expect(caught, `the copy was not caught mid-way\n${apply.stdout}\n${apply.stderr}`).toBe(true);
    const stopped = await apply.done;
    expect(stopped.stderr).toContain('Interrupted: stopping after the current batch… press Ctrl-C again to stop at once');
    expect(stopped.stderr).toMatch(/Apply interrupted at phase locked .*run apply again to resume/);
    expect(stopped.stderr).not.toContain('internal error');
    expect(stopped.status, stopped.stdout + stopped.stderr).toBe(130);
    expect(stopped.stdout).not.toContain('Apply complete');

    const progress = (await copyProgress(pair.destination, 'sigint-apply')).get('ledger')!;
    expect(progress.done).toBe(false);
    expect(progress.rows % 5000).toBe(0);
    expect(await count(pair.destination, 'SELECT count(*) AS n FROM books.ledger')).toBe(progress.rows);
    const last = await rows<{ kind: string; outcome: string }>(pair.destination,
      `SELECT kind, outcome FROM cutover.events WHERE migration = 'sigint-apply' ORDER BY id DESC LIMIT 1`);
    expect(last).toEqual([{ kind: 'apply', outcome: 'interrupted' }]);

    // no --lock-timeout: the interrupted run released the state lock
    const rerun = await cutover(['apply', planFile, '--auto-approve'], env);
    expectExit(rerun, 0);
    expect(rerun.stdout).toContain('Apply complete! Phase round_tripped reached.');
    expect(await count(pair.destination, 'SELECT count(*) AS n FROM books.ledger')).toBe(ROWS);
    expect(await count(pair.destination, 'SELECT count(DISTINCT seq) AS n FROM books.ledger')).toBe(ROWS);
    expect((await parityResults(pair.destination, 'sigint-apply')).get('ledger')?.passed).toBe(true);
  }, 120_000);
});
