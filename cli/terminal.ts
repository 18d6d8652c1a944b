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

/** no-color.org: NO_COLOR turns colour off when it is set to anything but the empty string. */
export function noColorRequested(env: NodeJS.ProcessEnv): boolean {
  return (env.NO_COLOR ?? '') !== '';
}

/**
 * A stream whose reader went away (`cutover plan | head -1`): what is left to print is dropped
 * rather than raised as EPIPE, and the command still finishes, so its exit code keeps its meaning
 * (an apply is never cut off half-way because nobody reads its progress any more).
 */
class Output {
  private closed = false;

  constructor(private readonly stream: NodeJS.WriteStream) {
    // write errors arrive as events after write() returned; a listener keeps them from crashing
    stream.on('error', () => {
      this.closed = true;
    });
  }

  write(text: string): void {
    if (this.closed || this.stream.destroyed) return;
    this.stream.write(text);
  }
}

let outputs: { out: Output; err: Output } | undefined;

function processOutputs(): { out: Output; err: Output } {
  outputs ??= { out: new Output(process.stdout), err: new Output(process.stderr) };
  return outputs;
}

export function processTerminal(options: TerminalOptions): Terminal {
  const env = process.env;
  const stdoutTty = !!process.stdout.isTTY;
  const colorful = stdoutTty && !options.noColor && !options.json && !noColorRequested(env) && env.TERM !== 'dumb';
  // chalk and Ink both read FORCE_COLOR; NO_COLOR alone is not enough for chalk
  if (!colorful) env.FORCE_COLOR = '0';
  const { out, err } = processOutputs();
  return {
    out: (text) => out.write(text),
    err: (text) => err.write(text),
    color: new Chalk({ level: colorful ? 1 : 0 }),
    colorful,
    interactive: !env.CI && !!process.stdin.isTTY && stdoutTty,
    env,
    cwd: process.cwd(),
  };
}
