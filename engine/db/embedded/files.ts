// Where the embedded server's files live and what they hold: the one place that knows the layout of `<home>/embedded/`.
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Failure } from '../../failure.js';

export const HOST = '127.0.0.1';
const NAME_PATTERN = /^[A-Za-z0-9_-]+$/;
/** PostgreSQL identifiers longer than this are truncated, so two names could meet in one database. */
const MAX_NAME_LENGTH = 63;

export function embeddedName(url: string): string {
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

export interface Files {
  dir: string;
  data: string;
  initData: string;
  password: string;
  server: string;
  log: string;
  lock: string;
}

export function layout(home: string): Files {
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

export interface ServerConfig {
  format: 1;
  user: string;
  port: number;
}

export interface Server extends ServerConfig {
  password: string;
  dir: string;
}

export async function readConfig(files: Files): Promise<ServerConfig | undefined> {
  try {
    const parsed = JSON.parse(await readFile(files.server, 'utf8')) as Partial<ServerConfig>;
    if (typeof parsed.user !== 'string' || !Number.isInteger(parsed.port)) return undefined;
    return { format: 1, user: parsed.user, port: parsed.port! };
  } catch {
    return undefined;
  }
}

export async function writeConfig(files: Files, config: ServerConfig): Promise<void> {
  const temporary = `${files.server}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o644 });
  await rename(temporary, files.server);
}

/** The initialised cluster's connection details, or undefined when there is none (yet). */
export async function readServer(files: Files): Promise<Server | undefined> {
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

export function serverUrl(server: Server, name: string): string {
  return `postgresql://${encodeURIComponent(server.user)}:${encodeURIComponent(server.password)}@${HOST}:${server.port}/${name}`;
}

/** The folder as the user would write it: relative to the working directory when inside it. */
export function shown(dir: string): string {
  const relative = path.relative(process.cwd(), dir);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : dir;
}
