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

export type PlanFormat = 'human' | 'markdown' | 'json';

/** `--json` or `--format markdown|human` (terraform's default); naming two formats is an error,
 * not a silent choice of one. */
export function planFormat(values: Record<string, unknown>): PlanFormat {
  const format = values.format as string | undefined;
  if (format !== undefined && format !== 'markdown' && format !== 'human') {
    const hint = format === 'json' ? 'write --json for JSON' : 'use --format markdown, or --json for JSON';
    throw new Failure('usage', `unknown --format ${format}`, hint);
  }
  if (values.json && format !== undefined) {
    throw new Failure('usage', `--json and --format ${format} ask for two outputs at once`, 'keep one of them: --json for scripts, --format markdown for a pull-request comment');
  }
  return values.json ? 'json' : format ?? 'human';
}
