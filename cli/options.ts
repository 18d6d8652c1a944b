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
