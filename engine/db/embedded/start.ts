// Initialising the cluster and starting its server, run under the folder lock so one process does it at a time.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, chown, mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Failure } from '../../failure.js';
import { type Files, HOST, readServer, type Server, shown, writeConfig } from './files.js';
import { type Binaries, freePort, isAlive, lastLines, loadBinaries, OS_USER, type OsUser, readFrom, run, serverUser } from './processes.js';

/** The bootstrap superuser of the embedded cluster. */
const SUPERUSER = 'cutover';
export const PG_CTL_TIMEOUT_S = 60;
const START_ATTEMPTS = 3;

export async function ensureRunning(files: Files, log: (line: string) => void): Promise<Server> {
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
export async function livePostmaster(files: Files): Promise<Postmaster | undefined> {
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
