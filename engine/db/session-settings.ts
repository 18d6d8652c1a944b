// Every cutover session runs with the same settings, because hashes and comparisons depend on how
// values are printed: UTC instants, ISO dates, exact floats, hex bytea, UTF-8.
export const SESSION_SETTINGS: Record<string, string> = {
  TimeZone: 'UTC',
  DateStyle: 'ISO',
  IntervalStyle: 'postgres',
  extra_float_digits: '3',
  bytea_output: 'hex',
  client_encoding: 'UTF8',
};

export function startupOptions(extra: Record<string, string> = {}): string {
  return Object.entries({ ...SESSION_SETTINGS, ...extra })
    .map(([k, v]) => `-c ${k}=${v}`)
    .join(' ');
}

export const APPLICATION_NAME = 'cutover';
