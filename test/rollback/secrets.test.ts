// Secrets quoted by something outside cutover (a hook's output, a failed change's error) are
// scrubbed before anything is stored or printed: not on stdout or stderr, not in any row of the
// state schema, not in `status`.
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { quoteIdent } from '../../engine/db/sql-identifiers.js';
import { serverSecrets, withClient } from '../support/databases.js';
import { endToEndFile } from '../support/cutover-cli.js';
import type { CliResult } from '../support/run-cli.js';
import { cutover, expectExit, freshPair, shopPlanWithHook } from './support.js';

const folder = endToEndFile();

const FOREIGN_URL = 'postgres://u:pw@h/d';

const FREEZE = `    mode: freeze
    rules:
      - { classes: [orders], allow: [insert], reason: orders keep coming in during the window }
    ends: 2099-12-31T00:00:00Z`;

/** A rollback hook that prints the URL it is given (the destination's, password included), that
 * URL's password on its own, and another URL with credentials, on stdout and stderr; it fails
 * while `fail-leak` exists. */
function writeLeakyHook(): string {
  const file = folder.write('leaky-hook.sh', `#!/bin/sh
echo "connecting to $1 with $DST_URL"
echo "fallback ${FOREIGN_URL}" >&2
echo "$DST_URL" | sed -E 's#^[^:]*://[^:]*:([^@]*)@.*#the password alone: \\1#'
if [ -f fail-leak ]; then echo "psql: error: connection to $1 failed" >&2; exit 4; fi
echo "switched the app back to the source"
`);
  chmodSync(file, 0o755);
  return '"./leaky-hook.sh ${DST_URL}"';
}

/** Every row of every table of the state schema, as JSON text. */
async function stateRows(url: string, schema = 'cutover'): Promise<string[]> {
  return withClient(url, async (c) => {
    const tables = (await c.query<{ t: string }>(
      `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`, [schema])).rows.map((r) => r.t);
    expect(tables).toContain('events');
    const rows: string[] = [];
    for (const t of tables) {
      const r = await c.query<{ j: string }>(`SELECT row_to_json(x)::text AS j FROM ${quoteIdent(schema)}.${quoteIdent(t)} x`);
      rows.push(...r.rows.map((x) => `${t}: ${x.j}`));
    }
    return rows;
  });
}

function expectHidden(text: string, destination: string): void {
  for (const secret of [...serverSecrets(), destination, FOREIGN_URL, 'u:pw@h']) {
    expect(text.includes(secret), `${JSON.stringify(secret)} appears in:\n${text}`).toBe(false);
  }
}

const printed = (r: CliResult) => `${r.stdout}\n${r.stderr}`;

describe('secrets quoted by a hook or an error', () => {
  it('never reach the output, the state schema or status', async () => {
    const name = 'shop-secrets';
    const pair = await freshPair();
    const planFile = folder.write('secrets.yaml', shopPlanWithHook({ name, target: 'round_tripped', data: FREEZE, hook: writeLeakyHook() }));
    expectExit(await cutover(['apply', planFile, '--auto-approve'], pair.env), 0);

    // the hook fails: its change fails with an error quoting the URL in its command
    writeFileSync(path.join(folder.dir, 'fail-leak'), '');
    const failed = await cutover(['rollback', planFile, '--auto-approve'], pair.env);
    expectExit(failed, 1);
    expect(failed.stdout).toContain('connecting to (connection string hidden)');
    expect(failed.stdout).toContain('the password alone: ***');
    expect(failed.stderr).toContain('the go_live.rollback hook `./leaky-hook.sh (connection string hidden)` exited with status 4');
    expectHidden(printed(failed), pair.destination);

    rmSync(path.join(folder.dir, 'fail-leak'));
    const done = await cutover(['rollback', planFile, '--auto-approve'], pair.env);
    expectExit(done, 0);
    expect(done.stdout).toContain('switched the app back to the source');
    expectHidden(printed(done), pair.destination);

    const rows = await stateRows(pair.destination);
    const failedChange = rows.find((r) => r.startsWith('events: ') && r.includes('"kind":"change"') && r.includes('"outcome":"failed"'));
    expect(failedChange).toContain('exited with status 4');
    expect(rows.some((r) => r.includes('"kind":"hook"') && r.includes('connection to (connection string hidden) failed'))).toBe(true);
    expectHidden(rows.join('\n'), pair.destination);

    for (const args of [['status', planFile, '--json'], ['status', planFile]]) {
      const status = await cutover(args, pair.env);
      expectExit(status, 0);
      expectHidden(printed(status), pair.destination);
    }
  }, 180_000);
});
