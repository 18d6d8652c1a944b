// Connections to the running embedded server: whether database NAME is there, and creating it when not.
import path from 'node:path';
import pg from 'pg';
import { Failure } from '../../failure.js';
import { scrubError } from '../../secrets.js';
import { HOST, type Server, shown } from './files.js';
import { sleep } from './processes.js';

type ProbeResult = 'ok' | 'no-database' | 'down';

/** Connects to database `name`: it is there, it is not, or the server does not answer (as ours). */
export async function probe(server: Server, name: string, mustAnswer = false): Promise<ProbeResult> {
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
      `the embedded PostgreSQL server under ${shown(server.dir)} (${HOST}:${server.port}) refused cutover: ${scrubError(error, [server.password])}`,
      `its log is ${shown(path.join(server.dir, 'server.log'))}; removing ${shown(server.dir)} starts afresh (its databases are lost)`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function createDatabase(server: Server, name: string, log: (line: string) => void): Promise<void> {
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
    throw new Failure('db.embedded-create', `could not create database ${name} in the embedded PostgreSQL server: ${scrubError(error, [server.password])}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The databases users made (every `embedded:NAME` used so far), sorted; not postgres nor the templates. */
export async function listDatabases(server: Server): Promise<string[]> {
  const client = newClient(server, 'postgres');
  try {
    await client.connect();
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres' ORDER BY datname`,
    );
    return rows.map((row) => row.datname);
  } catch (error) {
    throw new Failure('db.embedded-connect', `the embedded PostgreSQL server under ${shown(server.dir)} did not list its databases: ${scrubError(error, [server.password])}`);
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
