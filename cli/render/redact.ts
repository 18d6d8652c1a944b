// The last line of defence for "connection strings and secrets never appear in any output": the
// engine should never put them in a PlanResult, but a reason or a hook's `before` can quote one
// (an error message from libpq, a changed setting), so every renderer passes its data through here.

const HIDDEN_URL = '(connection string hidden)';
const SENSITIVE = '(sensitive value)';

// any URL carrying credentials, and every PostgreSQL URL even without them (host and database
// names are still more than a pull-request comment should show)
const CREDENTIAL_URL = /\b[a-z][a-z0-9+.-]*:\/\/[^\s/@'"]*@[^\s'"<>]*/gi;
const POSTGRES_URL = /\bpostgres(?:ql)?:\/\/[^\s'"<>]*/gi;
const LIBPQ_PASSWORD = /\bpassword\s*=\s*(?:'(?:[^'\\]|\\.)*'|\S+)/gi;

const SENSITIVE_KEY = /^(?:url|dsn|password|passwd|secret|token|api_key|connection_string|conninfo)$/i;

export function redactText(text: string): string {
  return text
    .replace(CREDENTIAL_URL, HIDDEN_URL)
    .replace(POSTGRES_URL, HIDDEN_URL)
    .replace(LIBPQ_PASSWORD, 'password=(hidden)');
}

/** A copy of any JSON-like value with secrets hidden; the input is not changed. */
export function redactDeep<T>(value: T): T {
  return redactValue(value) as T;
}

function redactValue(value: unknown): unknown {
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      out[key] = SENSITIVE_KEY.test(key) && typeof v === 'string' ? SENSITIVE : redactValue(v);
    }
    return out;
  }
  return value;
}
