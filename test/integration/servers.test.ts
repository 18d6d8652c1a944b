import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  adminUrl,
  databaseName,
  destinationUrl,
  dropDatabase,
  dropFreshDatabases,
  embeddedServers,
  freshDatabase,
  serverSecrets,
  serverUrl,
  sourceUrl,
  withClient,
  type ServerRole,
} from '../support/databases.js';

const roles: ServerRole[] = ['source', 'destination'];

afterAll(() => dropFreshDatabases());

async function identity(which: ServerRole) {
  return withClient(adminUrl(which), async (client) => {
    const { rows } = await client.query<{ id: string; port: number; dir: string }>(
      `SELECT system_identifier::text AS id, current_setting('port')::int AS port,
              current_setting('data_directory') AS dir
         FROM pg_control_system()`,
    );
    return rows[0]!;
  });
}

describe('test servers', () => {
  it.each(roles)('the %s server accepts connections', async (which) => {
    const one = await withClient(serverUrl(which), async (client) => (await client.query('SELECT 1 AS one')).rows[0].one);
    expect(one).toBe(1);
  });

  it('source and destination are separate servers', async () => {
    expect(sourceUrl()).not.toBe(destinationUrl());
    const [source, destination] = await Promise.all([identity('source'), identity('destination')]);
    expect(source.id).not.toBe(destination.id);
    if (embeddedServers()) {
      expect(source.port).not.toBe(destination.port);
      expect(source.dir).not.toBe(destination.dir);
    }
  });

  it('passes the URLs to worker processes through the environment', () => {
    expect(process.env.CUTOVER_TEST_SOURCE_URL).toBe(sourceUrl());
    expect(process.env.CUTOVER_TEST_DESTINATION_URL).toBe(destinationUrl());
    expect(process.env.CUTOVER_TEST_SOURCE_ADMIN_URL).toBe(adminUrl('source'));
    expect(process.env.CUTOVER_TEST_DESTINATION_ADMIN_URL).toBe(adminUrl('destination'));
  });

  it.runIf(embeddedServers())('embedded servers are UTF8, C locale, and require their password', async () => {
    for (const which of roles) {
      await withClient(serverUrl(which), async (client) => {
        const { rows } = await client.query(
          `SELECT current_setting('server_encoding') AS encoding, datcollate, datctype
             FROM pg_database WHERE datname = current_database()`,
        );
        expect(rows[0]).toEqual({ encoding: 'UTF8', datcollate: 'C', datctype: 'C' });
      });
      const wrong = new URL(serverUrl(which));
      wrong.password = 'not-the-password';
      const client = new pg.Client({ connectionString: wrong.toString() });
      client.on('error', () => undefined);
      await expect(client.connect()).rejects.toThrow(/password authentication failed/);
      await client.end().catch(() => undefined);
    }
    const secrets = serverSecrets();
    expect(secrets).toHaveLength(2);
    for (const secret of secrets) expect(secret.length).toBeGreaterThanOrEqual(16);
  });

  it.each(roles)('freshDatabase makes a new, empty, usable database on the %s server', async (which) => {
    const url = await freshDatabase(which, 'servers');
    const name = databaseName(url);
    expect(name).toMatch(/^servers_[a-z0-9]{12}$/);

    await withClient(url, async (client) => {
      expect((await client.query('SELECT current_database() AS db')).rows[0].db).toBe(name);
      const tables = await client.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`);
      expect(tables.rows[0].n).toBe(0);
      await client.query('CREATE TABLE probe (id int PRIMARY KEY, note text)');
      await client.query(`INSERT INTO probe VALUES (1, 'héllo ✓')`);
      expect((await client.query('SELECT note FROM probe')).rows[0].note).toBe('héllo ✓');
    });

    const other = which === 'source' ? 'destination' : 'source';
    const onOther = await withClient(adminUrl(other), async (client) =>
      (await client.query('SELECT count(*)::int AS n FROM pg_database WHERE datname = $1', [name])).rows[0].n,
    );
    expect(onOther).toBe(0);

    // Two fresh databases never share a name.
    const second = await freshDatabase(which, 'servers');
    expect(databaseName(second)).not.toBe(name);

    await dropDatabase(url);
    const left = await withClient(adminUrl(which), async (client) =>
      (await client.query('SELECT count(*)::int AS n FROM pg_database WHERE datname = $1', [name])).rows[0].n,
    );
    expect(left).toBe(0);
  });
});
