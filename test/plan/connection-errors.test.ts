// `cutover plan` when a database cannot be reached: a wrong password, a port nothing listens on, a
// database that does not exist. Each gives one error line naming host:port/database (never the
// password), exit 1, no stack trace, and changes nothing in either database.
import net from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { databaseName, databaseUrl, freshPair, withClient } from '../support/databases.js';
import { endToEndFile } from '../support/cutover-cli.js';
import { planHead } from '../support/plan-folder.js';
import { STACK_TRACE, type CliResult } from '../support/run-cli.js';
import { databaseSnapshot, expectNoSecrets, runPlan, urlEnv } from './support.js';

const SOURCE_SQL = `CREATE TABLE public.customer (customer_id int PRIMARY KEY, name text NOT NULL);
INSERT INTO public.customer VALUES (1, 'Ann'), (2, 'Bob');`;
const DESTINATION_SQL = `CREATE SCHEMA app; CREATE TABLE app.customers (id int PRIMARY KEY, name text NOT NULL);`;

const PLAN = `${planHead({ name: 'unreachable', target: 'locked' })}classes:
  customers:
    source: { table: customer, key: [customer_id] }
    destination: { table: app.customers, key: [id] }
    columns: { id: customer_id, name: name }
    reverse: { customer_id: id, name: name }
`;

const WRONG_PASSWORD = 'not-the-Pa55word-zq';

/** A TCP port on 127.0.0.1 that nothing listens on (taken from the system, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function withPassword(url: string, password: string): string {
  const u = new URL(url);
  u.password = password;
  return u.toString();
}

function withPort(url: string, port: number): string {
  const u = new URL(url);
  u.port = String(port);
  return u.toString();
}

/** host:port/db as cutover names a database. */
function where(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || '5432'}/${databaseName(url)}`;
}

const folder = endToEndFile();
let sourceUrl: string;
let destinationUrl: string;
let before: { source: unknown; destination: unknown };
let port: number;
const cases: Record<string, { side: 'source' | 'destination'; url: () => string; reason: string; result?: CliResult }> = {
  'a wrong password': { side: 'source', url: () => withPassword(sourceUrl, WRONG_PASSWORD), reason: 'password authentication failed' },
  'a closed port': { side: 'destination', url: () => withPort(destinationUrl, port), reason: 'connection refused' },
  'a missing database': { side: 'destination', url: () => databaseUrl(destinationUrl, 'cutover_no_such_db'), reason: 'database does not exist' },
  'a missing source database': { side: 'source', url: () => databaseUrl(sourceUrl, 'cutover_no_such_db'), reason: 'database does not exist' },
};

beforeAll(async () => {
  ({ source: sourceUrl, destination: destinationUrl } = await freshPair(SOURCE_SQL, DESTINATION_SQL, 'planconn'));
  before = { source: await withClient(sourceUrl, databaseSnapshot), destination: await withClient(destinationUrl, databaseSnapshot) };
  port = await closedPort();
  const file = folder.write('plan.yaml', PLAN);
  await Promise.all(Object.values(cases).map(async (c) => {
    const env = c.side === 'source' ? urlEnv(c.url(), destinationUrl) : urlEnv(sourceUrl, c.url());
    c.result = await runPlan(file, ['--json'], env);
  }));
});

describe('plan: databases that cannot be reached', () => {
  it.each(Object.keys(cases))('%s: one line naming host:port/db, exit 1, no stack trace, no secret', (name) => {
    const c = cases[name]!;
    const r = c.result!;
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
    // the one error line, and at most the hint under it
    expect(lines[0]).toBe(`Error: cannot connect to the ${c.side} database at ${where(c.url())}: ${c.reason}${c.reason === 'connection refused' ? ' (is the server running and listening on that port?)' : ''}`);
    expect(lines.slice(1).every((l) => l.startsWith('  hint: ')), r.stderr).toBe(true);
    expect(lines.length).toBeLessThanOrEqual(2);
    expect(r.stderr).not.toMatch(STACK_TRACE);
    expect(r.stderr).not.toContain('internal error');
    expectNoSecrets(r.stdout + r.stderr);
    expect(r.stderr).not.toContain(WRONG_PASSWORD);
    expect(r.stderr).not.toContain('postgres:');
  });

  it('nothing was created or changed in either database', async () => {
    expect(await withClient(sourceUrl, databaseSnapshot)).toEqual(before.source);
    expect(await withClient(destinationUrl, databaseSnapshot)).toEqual(before.destination);
    for (const url of [sourceUrl, destinationUrl]) {
      const { rows } = await withClient(url, (c) => c.query(`SELECT nspname FROM pg_namespace WHERE nspname = 'cutover'`));
      expect(rows).toEqual([]);
    }
  });
});
