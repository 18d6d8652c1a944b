// The embedded server behind `embedded:NAME` (engine/db/embedded.ts), in temporary homes: first use
// initialises and starts it, later uses (this process or another) reuse it, a stopped server is
// started again with its data, concurrent first uses initialise it once, and no secret is logged.
// These servers are separate from the ones test/support/global-setup.ts starts.
import { spawn, spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedHome, embeddedStatus, resolveEmbedded, stopEmbedded } from '../../engine/db/embedded.js';
import { Failure } from '../../engine/failure.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const fixture = path.join(here, 'fixtures', 'resolve-embedded.ts');
const FIXTURE_EXIT_CODE = 7;

const homes: string[] = [];
/** Every line any resolve logged, in this process or a fixture process. */
const logged: string[] = [];

async function tempHome(): Promise<string> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'cutover-embedded-test-'));
  // When the tests run as root the server runs as the `postgres` user, which must reach it.
  await chmod(home, 0o755);
  homes.push(home);
  return home;
}

async function resolveIn(home: string, name: string): Promise<{ url: string; lines: string[] }> {
  const lines: string[] = [];
  const url = await resolveEmbedded(`embedded:${name}`, {
    home,
    log: (line) => {
      lines.push(line);
      logged.push(line);
    },
  });
  return { url, lines };
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

interface FixtureRun {
  code: number | null;
  stdout: string;
  stderr: string;
  result?: { database: string; port: number; pid: number; lines: string[] };
}

/** Resolves embedded:NAME in a separate node process, with CUTOVER_HOME=home. */
function resolveInProcess(home: string, name: string): Promise<FixtureRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, name], {
      cwd: repo,
      env: { ...process.env, CUTOVER_HOME: home, FIXTURE_EXIT_CODE: String(FIXTURE_EXIT_CODE) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      logged.push(stdout, stderr);
      const run: FixtureRun = { code, stdout, stderr };
      try {
        run.result = JSON.parse(stdout.trim().split('\n').pop() ?? '');
      } catch {
        // reported by the assertions on code and result
      }
      resolve(run);
    });
  });
}

function expectFixtureOk(run: FixtureRun): asserts run is FixtureRun & { result: NonNullable<FixtureRun['result']> } {
  expect(run.code, run.stderr).toBe(FIXTURE_EXIT_CODE);
  expect(run.result, run.stdout).toBeDefined();
}

async function password(home: string): Promise<string> {
  return (await readFile(path.join(home, 'embedded', 'password'), 'utf8')).trim();
}

afterAll(async () => {
  await Promise.allSettled(homes.map((home) => stopEmbedded(home)));
  await Promise.allSettled(homes.map((home) => rm(home, { recursive: true, force: true })));
});

describe('embedded:NAME', () => {
  let home: string;
  let firstPid: number;
  const hookEvents = ['exit', 'beforeExit', 'SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const hooksBefore = new Map<string, number>();

  beforeAll(async () => {
    home = await tempHome();
    for (const event of hookEvents) hooksBefore.set(event, process.listenerCount(event));
  });

  it('initialises and starts the server on first use, and creates the database', async () => {
    const { url, lines } = await resolveIn(home, 'alpha');

    expect(lines.some((line) => line.startsWith('initialising the embedded PostgreSQL server under'))).toBe(true);
    expect(lines.some((line) => line.startsWith('starting the embedded PostgreSQL server under'))).toBe(true);

    const parsed = new URL(url);
    expect(parsed.protocol).toBe('postgresql:');
    expect(parsed.hostname).toBe('127.0.0.1');
    expect(parsed.username).toBe('cutover');
    expect(parsed.pathname).toBe('/alpha');
    expect(decodeURIComponent(parsed.password)).toBe(await password(home));

    const [row] = await query<{ database: string; encoding: string; collate: string; superuser: string }>(
      url,
      `SELECT current_database() AS database, pg_encoding_to_char(encoding) AS encoding,
              datcollate AS collate, current_setting('is_superuser') AS superuser
         FROM pg_database WHERE datname = current_database()`,
    );
    expect(row).toEqual({ database: 'alpha', encoding: 'UTF8', collate: 'C', superuser: 'on' });

    const [listen] = await query<{ addresses: string; port: string }>(
      url,
      `SELECT current_setting('listen_addresses') AS addresses, current_setting('port') AS port`,
    );
    expect(listen).toEqual({ addresses: '127.0.0.1', port: parsed.port });

    const status = await embeddedStatus(home);
    expect(status).toMatchObject({ dir: path.join(home, 'embedded'), initialised: true, running: true, port: Number(parsed.port) });
    firstPid = status.pid!;
    expect(firstPid).toBeGreaterThan(0);
    const config = JSON.parse(await readFile(path.join(home, 'embedded', 'server.json'), 'utf8'));
    expect(config).toEqual({ format: 1, user: 'cutover', port: Number(parsed.port) });
  });

  it('keeps the password in a file of mode 0600, and the server log private', async () => {
    expect((await stat(path.join(home, 'embedded', 'password'))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(home, 'embedded', 'server.log'))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(home, 'embedded', 'data'))).mode & 0o777).toBe(0o700);
    expect(existsSync(path.join(home, 'embedded', 'lock'))).toBe(false);
  });

  it('reuses the running server in the same process, without initialising or starting it', async () => {
    const versionBefore = await stat(path.join(home, 'embedded', 'data', 'PG_VERSION'));
    const passwordBefore = await password(home);

    const again = await resolveIn(home, 'alpha');
    expect(again.lines).toEqual([]);
    const other = await resolveIn(home, 'beta-2');
    expect(other.lines).toEqual(['created database beta-2 in the embedded PostgreSQL server']);

    expect((await embeddedStatus(home)).pid).toBe(firstPid);
    expect((await stat(path.join(home, 'embedded', 'data', 'PG_VERSION'))).ino).toBe(versionBefore.ino);
    expect(await password(home)).toBe(passwordBefore);
    expect(await query(other.url, 'SELECT current_database() AS database')).toEqual([{ database: 'beta-2' }]);
  });

  it('reuses the running server from another process, which keeps its own exit status', async () => {
    const run = await resolveInProcess(home, 'alpha');
    expectFixtureOk(run);
    expect(run.result).toEqual({ database: 'alpha', port: run.result.port, pid: firstPid, lines: [] });
    expect(run.result.port).toBe((await embeddedStatus(home)).port);
  });

  it('leaves no exit hooks installed in this process', () => {
    for (const event of hookEvents) expect(process.listenerCount(event), event).toBe(hooksBefore.get(event));
  });

  it('starts a stopped server again, with its data', async () => {
    const { url } = await resolveIn(home, 'alpha');
    await query(url, 'CREATE TABLE kept (id int PRIMARY KEY, note text)');
    await query(url, `INSERT INTO kept VALUES (1, 'survives a restart')`);

    expect(await stopEmbedded(home)).toBe(true);
    expect(await embeddedStatus(home)).toMatchObject({ initialised: true, running: false });
    expect(await stopEmbedded(home)).toBe(false);

    const again = await resolveIn(home, 'alpha');
    expect(again.lines).toEqual([expect.stringMatching(/^starting the embedded PostgreSQL server under /)]);
    expect(again.url).toBe(url);
    expect(await query(again.url, 'SELECT id, note FROM kept')).toEqual([{ id: 1, note: 'survives a restart' }]);
    const status = await embeddedStatus(home);
    expect(status.running).toBe(true);
    expect(status.pid).not.toBe(firstPid);
  });

  it('starts a stopped server once when resolves in this process race', async () => {
    expect(await stopEmbedded(home)).toBe(true);
    const results = await Promise.all([
      resolveIn(home, 'alpha'),
      resolveIn(home, 'gamma'),
      resolveIn(home, 'gamma'),
      resolveIn(home, 'delta'),
    ]);
    const starts = results.flatMap((r) => r.lines).filter((line) => line.startsWith('starting'));
    expect(starts).toHaveLength(1);
    expect(new Set(results.map((r) => new URL(r.url).port)).size).toBe(1);
    const databases = await query<{ datname: string }>(
      results[0]!.url,
      `SELECT datname FROM pg_database WHERE datname IN ('alpha', 'gamma', 'delta') ORDER BY datname`,
    );
    expect(databases.map((d) => d.datname)).toEqual(['alpha', 'delta', 'gamma']);
    expect(await query(results[0]!.url, 'SELECT count(*)::int AS n FROM kept')).toEqual([{ n: 1 }]);
  });

  it('rejects names that are not NAME', async () => {
    for (const url of ['embedded:', 'embedded:two words', 'embedded:a/b', 'embedded:x;drop', `embedded:${'n'.repeat(64)}`, 'postgresql://x']) {
      const error = await resolveEmbedded(url, { home }).catch((e: unknown) => e);
      expect(error, url).toBeInstanceOf(Failure);
      expect((error as Failure).code).toBe('db.embedded-name');
    }
  });
});

describe('concurrent first use', () => {
  it('initialises once when processes and in-process resolves race, breaking a stale lock', async () => {
    const home = await tempHome();
    // A lock left by a process that died while starting the server.
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    await mkdir(path.join(home, 'embedded'), { mode: 0o700 });
    await writeFile(path.join(home, 'embedded', 'lock'), JSON.stringify({ pid: dead, host: os.hostname(), token: 'stale' }));

    const [first, second, ...inProcess] = await Promise.all([
      resolveInProcess(home, 'race'),
      resolveInProcess(home, 'race'),
      resolveIn(home, 'race'),
      resolveIn(home, 'other'),
    ]);
    expectFixtureOk(first);
    expectFixtureOk(second);

    const lines = [...first.result.lines, ...second.result.lines, ...inProcess.flatMap((r) => r.lines)];
    expect(lines.filter((line) => line.startsWith('initialising'))).toHaveLength(1);
    expect(lines.filter((line) => line.startsWith('starting'))).toHaveLength(1);
    expect(lines.filter((line) => line.startsWith('created database race'))).toHaveLength(1);

    const status = await embeddedStatus(home);
    expect(status.running).toBe(true);
    expect(first.result).toMatchObject({ database: 'race', port: status.port, pid: status.pid });
    expect(second.result).toMatchObject({ database: 'race', port: status.port, pid: status.pid });
    for (const r of inProcess) expect(Number(new URL(r.url).port)).toBe(status.port);

    const databases = await query<{ datname: string }>(inProcess[0]!.url, `SELECT datname FROM pg_database ORDER BY datname`);
    expect(databases.map((d) => d.datname)).toEqual(['other', 'postgres', 'race', 'template0', 'template1']);
    expect(existsSync(path.join(home, 'embedded', 'lock'))).toBe(false);
    expect(existsSync(path.join(home, 'embedded', 'data.initdb'))).toBe(false);
  });
});

describe('the home folder', () => {
  it('is $CUTOVER_HOME, else .cutover in the working directory', () => {
    const saved = process.env.CUTOVER_HOME;
    try {
      delete process.env.CUTOVER_HOME;
      expect(embeddedHome()).toBe(path.join(process.cwd(), '.cutover'));
      process.env.CUTOVER_HOME = 'relative/home';
      expect(embeddedHome()).toBe(path.resolve('relative/home'));
      expect(embeddedHome('/explicit')).toBe('/explicit');
    } finally {
      if (saved === undefined) delete process.env.CUTOVER_HOME;
      else process.env.CUTOVER_HOME = saved;
    }
  });
});

describe('secrets', () => {
  it('never logs a password', async () => {
    const secrets: string[] = [];
    for (const home of homes) {
      if (existsSync(path.join(home, 'embedded', 'password'))) secrets.push(await password(home));
    }
    expect(secrets.length).toBeGreaterThan(0);
    const serverLogs = await Promise.all(
      homes.map((home) => readFile(path.join(home, 'embedded', 'server.log'), 'utf8').catch(() => '')),
    );
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThanOrEqual(32);
      for (const text of [...logged, ...serverLogs]) expect(text.includes(secret)).toBe(false);
    }
  });
});
