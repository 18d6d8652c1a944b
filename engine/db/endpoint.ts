// A database as the user names it in the plan, and the safe way to say which one it is: host,
// port and database, never the user's password or URL parameters.
import { parse } from 'pg-connection-string';

export type Side = 'source' | 'destination';

export interface Endpoint {
  side: Side;
  /** the URL after interpolation: may hold a secret, so it never leaves this module's callers */
  url: string;
}

export function isEmbedded(url: string): boolean {
  return url.startsWith('embedded:');
}

/** The URL's address and credentials. Its TLS settings are left out: they are read once, by
 * connect's libpq-compatible parse, and pg's own reading of them prints a security warning. */
function parseAddress(url: string): ReturnType<typeof parse> {
  return parse(url.replace(/([?&])ssl[a-z]*=[^&]*&?/g, '$1').replace(/[?&]$/, ''));
}

/** `db.example.com:5432/crm` or `embedded:crm_source`: safe to print and to store. */
export function describeEndpoint(url: string): string {
  if (isEmbedded(url)) return url;
  try {
    const c = parseAddress(url);
    const host = c.host ?? 'localhost';
    return `${host}:${c.port ?? 5432}/${c.database ?? ''}`;
  } catch {
    return '(unparseable URL)';
  }
}

/** Every secret-looking part of a URL, to scrub (engine/secrets.ts) from messages produced by libraries. */
export function secretsOf(url: string): string[] {
  const out: string[] = [];
  try {
    const c = parseAddress(url);
    if (c.password) out.push(c.password, encodeURIComponent(c.password));
  } catch {
    /* an unparseable URL is reported by the connector */
  }
  if (!isEmbedded(url)) out.push(url);
  return out.filter((s) => s.length >= 3);
}

