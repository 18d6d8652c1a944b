// Running the built CLI in a real terminal, as a person at a keyboard does: `script` (util-linux)
// gives it a pseudo-terminal, so its prompts ask and read what the test types.
import { spawn } from 'node:child_process';
import { BIN, minimalEnv, ROOT, type CliResult } from './run-cli.js';

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export interface TypedAnswer {
  /** what on screen the answer waits for */
  after: RegExp;
  /** keys typed, e.g. `shop\r`, or `\u0003` for Ctrl-C */
  keys: string;
}

/** `cutover ARGS…` in a terminal; `answer.keys` is typed once `answer.after` is on screen. Output is
 * the terminal's (stdout and stderr together), in `stdout`. */
export function cutoverInTerminal(args: readonly string[], env: Record<string, string>, answer: TypedAnswer, timeoutMs = 90_000): Promise<CliResult> {
  const command = [process.execPath, BIN, ...args].map(quote).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: ROOT, env: minimalEnv({ NO_COLOR: '1', TERM: 'dumb', ...env }), stdio: 'pipe' });
    let stdout = '';
    let typed = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (!typed && answer.after.test(stdout)) {
        typed = true;
        child.stdin.write(answer.keys);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      child.stdin.destroy();
      if (process.env.CUTOVER_TEST_DUMP) process.stderr.write(`--- (terminal) cutover ${args.join(' ')} → ${status}\n${stdout}\n`);
      resolve({ status, signal, stdout: stdout.replace(/\r\n/g, '\n'), stderr: '' });
    });
  });
}
