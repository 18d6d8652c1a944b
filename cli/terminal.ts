// Decided once at start-up: colour, interactivity, and where output goes. Commands receive this
// and never look at process.* themselves, so tests can drive them with plain streams.
import { Chalk, type ChalkInstance } from 'chalk';

export interface Terminal {
  out(text: string): void;
  err(text: string): void;
  color: ChalkInstance;
  /** stdout is a TTY and colour is allowed */
  colorful: boolean;
  /** a person can answer prompts and watch an Ink UI */
  interactive: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface TerminalOptions {
  noColor?: boolean;
  json?: boolean;
}

export function processTerminal(options: TerminalOptions): Terminal {
  const env = process.env;
  const stdoutTty = !!process.stdout.isTTY;
  const colorful = stdoutTty && !options.noColor && !options.json && env.NO_COLOR === undefined && env.TERM !== 'dumb';
  // chalk and Ink both read FORCE_COLOR; NO_COLOR alone is not enough for chalk
  if (!colorful) env.FORCE_COLOR = '0';
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    color: new Chalk({ level: colorful ? 1 : 0 }),
    colorful,
    interactive: !env.CI && !!process.stdin.isTTY && stdoutTty,
    env,
    cwd: process.cwd(),
  };
}
