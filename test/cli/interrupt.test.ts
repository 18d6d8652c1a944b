// Ctrl-C at apply's `yes` prompt, typed on a real (pseudo-)terminal: `Apply cancelled.`, exit 1,
// nothing changed, and never an internal error.
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { freshPair, withClient } from '../support/databases.js';
import { endToEndFile } from '../support/cutover-cli.js';
import { lockSection, planHead } from '../support/plan-folder.js';
import { BIN, minimalEnv, ROOT } from '../support/run-cli.js';

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
