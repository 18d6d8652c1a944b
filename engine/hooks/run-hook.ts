// Running a plan's hook (`{ run: ./ops/rollback.sh }`): a command of the team's, run through the
// shell from the plan's folder with CUTOVER_* variables saying where the migration stands. The
// engine receives a HookRunner, so a later hook kind (a rehearsal, a dry run) is another runner.
import { spawn } from 'node:child_process';
import type { Hook } from '../plan/types.js';

export interface HookRequest {
  /** `rollback`, `switch_reads`, …: the plan's key under go_live */
  name: string;
  hook: Hook;
  /** the plan's folder: relative commands resolve against it */
  cwd: string;
  /** CUTOVER_* variables, added to the environment cutover runs in */
  variables: Record<string, string>;
  /** each line of output as it comes, for the person watching */
  onLine?(line: string): void;
}

export interface HookResult {
  /** exit status; null when the command was ended by a signal or the timeout */
  status: number | null;
  timedOut: boolean;
  /** stdout and stderr interleaved, the last OUTPUT_KEPT characters */
  output: string;
}

export type HookRunner = (request: HookRequest) => Promise<HookResult>;

/** what the event log keeps of a hook's output: its end, where errors are */
const OUTPUT_KEPT = 16_000;

const DEFAULT_HOOK_TIMEOUT_MS = 10 * 60 * 1000;

/** The runner for real hooks: `sh -c RUN`, killed (its whole process group) past `timeoutMs`. */
export function shellHookRunner(timeoutMs = DEFAULT_HOOK_TIMEOUT_MS): HookRunner {
  return (request) => new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', request.hook.run], {
      cwd: request.cwd,
      env: { ...process.env, ...request.variables },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    let partial = '';
    const take = (chunk: string) => {
      output = (output + chunk).slice(-OUTPUT_KEPT);
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) request.onLine?.(line);
    };
    child.stdout.setEncoding('utf8').on('data', take);
    child.stderr.setEncoding('utf8').on('data', take);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { child.kill('SIGKILL'); }
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      if (partial) request.onLine?.(partial);
      resolve({ status: timedOut ? null : status, timedOut, output });
    });
  });
}
