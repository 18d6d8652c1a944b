// The one scrubber for "connection strings and secrets never appear in any output, log or state".
// Text from outside cutover (libpq errors, a hook's output, a bank command's stderr) can quote a
// URL or a password, so the engine passes it through here before storing or printing it, and the
// CLI's renderers pass everything through here once more as the last line of defence.
//
// Two nets: patterns (any URL carrying credentials, every PostgreSQL URL, libpq's `password=`),
// and the exact secret values known to this process (the plan URLs' passwords, `${VAR}` values
// that look secret), which catch a password quoted on its own. The values are kept for the
// process because one cutover process runs one migration and every place that stores or prints
// text would otherwise need them threaded through.

const HIDDEN_URL = '(connection string hidden)';
const HIDDEN_VALUE = '***';
const SENSITIVE = '(sensitive value)';

// any URL carrying credentials, and every PostgreSQL URL even without them (host and database
// names are still more than a pull-request comment should show)
const CREDENTIAL_URL = /\b[a-z][a-z0-9+.-]*:\/\/[^\s/@'"]*@[^\s'"<>]*/gi;
const POSTGRES_URL = /\bpostgres(?:ql)?:\/\/[^\s'"<>]*/gi;
const LIBPQ_PASSWORD = /\bpassword\s*=\s*(?:'(?:[^'\\]|\\.)*'|\S+)/gi;

/** keys whose string value is a secret whatever it looks like */
const SENSITIVE_KEY = /^(?:url|dsn|password|passwd|secret|token|api_key|connection_string|conninfo)$/i;
/** environment variables whose value is a secret */
const SECRET_NAME = /PASS|SECRET|TOKEN|KEY|CREDENTIAL/i;
/** shorter values would hide ordinary words and digits */
const MIN_SECRET_LENGTH = 3;

const known = new Set<string>();

/** Adds values to hide wherever they appear, from now on in this process. */
export function rememberSecrets(values: Iterable<string>): void {
  for (const v of values) if (v.length >= MIN_SECRET_LENGTH) known.add(v);
}

/** What to remember of an environment variable used by the plan: its value when its name looks
 * secret, and a URL's password when the value is a URL with one. */
export function rememberVariable(name: string, value: string): void {
  if (SECRET_NAME.test(name)) rememberSecrets([value]);
  if (!value.includes('://')) return;
  try {
    const password = new URL(value).password;
    if (password) rememberSecrets([value, password, decodeURIComponent(password)]);
  } catch {
    /* not a URL: the patterns still apply */
  }
}

/** The values of environment variables whose name looks secret. */
export function secretEnvironmentValues(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env).filter(([name, v]) => SECRET_NAME.test(name) && v !== undefined).map(([, v]) => v!);
}

/** `text` with every known secret, every credential URL and libpq password hidden. `extra` adds
 * values known only to the caller. */
export function scrubText(text: string, extra: readonly string[] = []): string {
  let out = text
    .replace(CREDENTIAL_URL, HIDDEN_URL)
    .replace(POSTGRES_URL, HIDDEN_URL)
    .replace(LIBPQ_PASSWORD, 'password=(hidden)');
  // longest first, so a password that contains another secret is hidden whole
  const values = [...known, ...extra].filter((s) => s.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
  for (const s of values) out = out.split(s).join(HIDDEN_VALUE);
  return out;
}

/** What was thrown (a library's error, a rejected value), as its scrubbed message. */
export function scrubError(error: unknown, extra: readonly string[] = []): string {
  return scrubText(error instanceof Error ? error.message : String(error), extra);
}

/** A copy of any JSON-like value with secrets hidden in every string, and the value of every
 * secret-named key; the input is not changed. */
export function scrubDeep<T>(value: T, extra: readonly string[] = []): T {
  return scrubValue(value, extra) as T;
}

function scrubValue(value: unknown, extra: readonly string[]): unknown {
  if (typeof value === 'string') return scrubText(value, extra);
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, extra));
  if (value instanceof Date) return value;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      out[key] = SENSITIVE_KEY.test(key) && typeof v === 'string' ? SENSITIVE : scrubValue(v, extra);
    }
    return out;
  }
  return value;
}
