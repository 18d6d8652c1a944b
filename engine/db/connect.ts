// Opens a pg session to one side of the migration, pinned to cutover's settings, and turns
// connection failures into one clear line naming host, port and database, never a secret.
import pg from 'pg';
import { parse } from 'pg-connection-string';
import { Failure } from '../failure.js';
import { describeEndpoint, secretsOf, type Endpoint, type Side } from './endpoint.js';
import { rememberSecrets, scrubError, scrubText } from '../secrets.js';
import { APPLICATION_NAME, startupOptions } from './session-settings.js';

export interface Session {
  side: Side;
  /** host:port/db, safe to print */
  where: string;
  client: pg.Client;
  /** backend pid, for registering cutover's own backends */
  pid: number;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** source sessions are read-only unless cutover installs its own objects */
  readOnly?: boolean;
  /** appended to application_name: `cutover/plan` */
  purpose?: string;
  connectTimeoutMs?: number;
  /** turns `embedded:NAME` into a real URL (starting the embedded server when needed) */
  resolveEmbedded?: (url: string) => Promise<string>;
}

/**
 * The URL's settings with libpq's sslmode meanings, which the plan's URLs are documented to have:
 * `require` encrypts without verifying the certificate, `verify-ca` checks it against
 * `sslrootcert`, `verify-full` also checks the host name. (pg's own reading treats require as
 * verify-full and prints a security warning about it.) As with a connection string, the URL's
 * settings win over the client's own.
 */
export function urlConfig(url: string): pg.ClientConfig {
  return parse(url, { useLibpqCompat: true }) as pg.ClientConfig;
}

export async function connect(endpoint: Endpoint, options: ConnectOptions = {}): Promise<Session> {
  const where = describeEndpoint(endpoint.url);
  let url = endpoint.url;
  if (url.startsWith('embedded:')) {
    if (!options.resolveEmbedded) throw new Failure('db.embedded-unavailable', `${endpoint.side} ${where}: the embedded server is not available here`);
    url = await options.resolveEmbedded(url);
  }
  const secrets = [...secretsOf(endpoint.url), ...secretsOf(url)];
  // from here on, whatever quotes these (an error, a hook's output) is scrubbed before it is kept or shown
  rememberSecrets(secrets);
  let client: pg.Client;
  try {
    client = new pg.Client({
      application_name: options.purpose ? `${APPLICATION_NAME}/${options.purpose}` : APPLICATION_NAME,
      options: startupOptions(options.readOnly ? { default_transaction_read_only: 'on' } : {}),
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      ...urlConfig(url),
    });
  } catch (e) {
    throw new Failure('db.bad-url', `${endpoint.side} URL is not a valid PostgreSQL URL: ${scrubError(e, secrets)}`,
      'write postgresql://user@host:5432/dbname, with the password in PGPASSWORD or the URL from an environment variable');
  }
  // errors on an idle connection (server restart) surface on the next query instead of crashing
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw connectionFailure(e, endpoint.side, where, secrets);
  }
  const pid = (client as unknown as { processID: number }).processID;
  return { side: endpoint.side, where, client, pid, close: () => client.end().catch(() => undefined) };
}

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is the server running and listening on that port?)',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connection timed out',
  ECONNRESET: 'connection reset by the server',
  EHOSTUNREACH: 'host unreachable',
  '28P01': 'password authentication failed',
  '28000': 'the server refused the connection (pg_hba.conf or role not permitted to log in)',
  '3D000': 'database does not exist',
  '53300': 'too many connections',
  '57P03': 'the server is starting up or shutting down',
};

const HINTS: Record<string, string> = {
  ECONNREFUSED: 'check host and port in the URL, and that the server accepts TCP connections',
  '28P01': 'check the user and password given through the environment',
  '3D000': 'create the database first, or fix its name in the URL',
  ENOTFOUND: 'check the host name in the URL',
};

export function connectionFailure(e: unknown, side: Side, where: string, secrets: readonly string[]): Failure {
  const err = e as { code?: string; message?: string };
  const code = err.code ?? '';
  const reason = REASONS[code] ?? scrubText(String(err.message ?? e), secrets);
  const timedOut = /timeout/i.test(String(err.message));
  return new Failure(
    'db.connect',
    `cannot connect to the ${side} database at ${where}: ${timedOut && !REASONS[code] ? 'connection timed out' : reason}`,
    HINTS[code],
  );
}
