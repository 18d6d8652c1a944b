// Option values shared by several commands.
import { parseDuration } from '../engine/plan/duration.js';
import { Failure } from '../engine/failure.js';

export function lockTimeoutMs(value: unknown): number {
  if (value === undefined) return 0;
  const seconds = parseDuration(String(value));
  if (seconds === undefined) throw new Failure('usage', `--lock-timeout ${String(value)} is not a duration`, 'write e.g. --lock-timeout 30s or 5m');
  return seconds * 1000;
}

export function nowOption(values: Record<string, unknown>, env: NodeJS.ProcessEnv): string | undefined {
  return (values.now as string | undefined) ?? env.CUTOVER_NOW;
}

export function onePlanFile(positionals: string[], usage: string): string {
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new Failure('usage', positionals.length ? 'name exactly one plan file' : 'name the plan file', `usage: ${usage}`);
  return file;
}

/** Rows per copy batch from `CUTOVER_COPY_BATCH_ROWS` (a tuning knob; each batch is one checkpoint),
 * or undefined for the engine's default. */
export function copyBatchRows(env: NodeJS.ProcessEnv): number | undefined {
  const text = env.CUTOVER_COPY_BATCH_ROWS;
  if (text === undefined || text.trim() === '') return undefined;
  const rows = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(rows) || rows < 1) {
    throw new Failure('usage', `CUTOVER_COPY_BATCH_ROWS=${text} is not a positive whole number of rows`, 'unset it for the default (50000), or write e.g. CUTOVER_COPY_BATCH_ROWS=10000');
  }
  return rows;
}
