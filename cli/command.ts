// What a command is: its name, help text, options, and a run function returning the exit code.
import type { ParseArgsConfig } from 'node:util';
import type { Terminal } from './terminal.js';

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface Invocation {
  positionals: string[];
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  term: Terminal;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** longer help: what it does, options, exit codes */
  help: string;
  options: Options;
  run(invocation: Invocation): Promise<number>;
}

/** Options every command accepts. */
export const COMMON_OPTIONS: Options = {
  help: { type: 'boolean', short: 'h' },
  'no-color': { type: 'boolean' },
};
