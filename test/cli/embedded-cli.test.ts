// `cutover embedded status|stop` as a user sees them, on a server of its own in a temporary
// CUTOVER_HOME (never the test servers, never another test's embedded server).
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveEmbedded, stopEmbedded } from '../../engine/db/embedded.js';
import { assertBuilt, runCli } from '../support/run-cli.js';

let home: string;

beforeAll(async () => {
  assertBuilt();
  home = await mkdtemp(path.join(os.tmpdir(), 'cutover-embedded-cli-'));
  await chmod(home, 0o755); // reachable by the postgres OS user when the tests run as root
});

afterAll(async () => {
  await stopEmbedded(home).catch(() => undefined);
  await rm(home, { recursive: true, force: true });
});

function cli(args: string[]) {
  return runCli(['embedded', ...args, '--no-color'], { env: { CUTOVER_HOME: home }, timeoutMs: 120_000 });
}

describe('cutover embedded', () => {
  it('says there is no server before the first embedded:NAME use, and stop has nothing to do', async () => {
    const status = await cli(['status']);
    expect(status.status).toBe(0);
    expect(status.stdout).toContain(`No embedded PostgreSQL server under ${path.join(home, 'embedded')}`);
    const stop = await cli(['stop']);
    expect(stop.status).toBe(0);
    expect(stop.stdout).toContain('nothing to stop');
  });

  it('shows the running server with its port, data folder and databases, then stops it', async () => {
    await resolveEmbedded('embedded:cli_status_shop', { home });
    const password = (await readFile(path.join(home, 'embedded', 'password'), 'utf8')).trim();

    const status = await cli(['status', 'cli_status_shop']);
    expect(status.status).toBe(0);
    expect(status.stdout).toMatch(/state: +running \(pid \d+\)/);
    expect(status.stdout).toMatch(/address: +127\.0\.0\.1:\d+/);
    expect(status.stdout).toContain(path.join(home, 'embedded', 'data'));
    expect(status.stdout).toMatch(/databases: +cli_status_shop\b/);
    expect(status.stdout).toContain('embedded:cli_status_shop is database cli_status_shop here.');
    expect(status.stdout + status.stderr).not.toContain(password);

    const stop = await cli(['stop']);
    expect(stop.status).toBe(0);
    expect(stop.stdout).toMatch(/^Stopped the embedded PostgreSQL server under .* \(port \d+\); its data is kept in /);
    expect(stop.stdout + stop.stderr).not.toContain(password);

    const after = await cli(['status']);
    expect(after.stdout).toMatch(/state: +stopped/);
    const again = await cli(['stop']);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('is not running; nothing to stop');
  }, 180_000);

  it('refuses an unknown action with exit 1 and a usage hint, and has --help', async () => {
    const wrong = await cli(['restart']);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain('usage: cutover embedded status');
    const help = await cli(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Exit codes: 0');
  });
});
