// cutover's entry point: parse the command line, decide the terminal, run one command, exit.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../engine/package-files.js';
import { didYouMean } from '../engine/validate/suggest.js';
import { COMMON_OPTIONS, type Command } from './command.js';
import { applyCommand } from './commands/apply.js';
import { compareCommand } from './commands/compare.js';
import { mirrorCommand } from './commands/mirror.js';
import { embeddedCommand } from './commands/embedded.js';
import { exceptionCommand } from './commands/exception.js';
import { forceUnlockCommand } from './commands/force-unlock.js';
import { planCommand } from './commands/plan.js';
import { rollbackCommand } from './commands/rollback.js';
import { statusCommand } from './commands/status.js';
import { validateCommand } from './commands/validate.js';
import { renderFailure } from './render/failure.js';
import { processTerminal } from './terminal.js';

const COMMANDS: Command[] = [validateCommand, planCommand, applyCommand, statusCommand, mirrorCommand, compareCommand, exceptionCommand, rollbackCommand, forceUnlockCommand, embeddedCommand];

function version(): string {
  return (JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `cutover ${version()}: move a live system's data between PostgreSQL databases the careful way:
lock the source, round-trip every class, dual-run, go live with rollback rehearsed, retain.

Usage: cutover <command> [plan.yaml] [options]

Commands:
${lines.join('\n')}

Every command takes --help and --no-color (NO_COLOR is honoured too).
`;
}

function commandHelp(c: Command): string {
  return `Usage: ${c.usage}\n\n${c.summary.charAt(0).toUpperCase()}${c.summary.slice(1)}.\n\n${c.help}\n`;
}

/** terraform writes `-out FILE`; accept it beside `--out FILE`. */
function normaliseArgv(argv: string[]): string[] {
  return argv.map((a) => (/^-[a-z][a-z-]+(=.*)?$/.test(a) ? `-${a}` : a));
}

/** An argument parseArgs rejected: an unknown option gets a did-you-mean among the command's own. */
function argumentError(e: unknown, command: Command, color: { red(s: string): string; dim(s: string): string }): string {
  const help = `run \`cutover ${command.name} --help\``;
  const unknown = (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
    ? /Unknown option '([^']+)'/.exec((e as Error).message)?.[1]
    : undefined;
  if (unknown !== undefined) {
    const options = { ...COMMON_OPTIONS, ...command.options };
    const names = Object.entries(options).flatMap(([long, o]) => [`--${long}`, ...(o.short ? [`-${o.short}`] : [])]);
    const suggestion = didYouMean(unknown, names);
    return `${color.red('Error:')} unknown option \`${unknown}\`\n  ${color.dim('hint:')} ${suggestion ? `${suggestion} (or ${help})` : help}\n`;
  }
  return `${color.red('Error:')} ${(e as Error).message.split('\n')[0]}\n  ${color.dim('hint:')} ${help}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = normaliseArgv(argv);
  const early = processTerminal({ noColor: argv.includes('--no-color') });
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const target = COMMANDS.find((c) => c.name === rest[0]);
    early.out(target ? commandHelp(target) : overview());
    return name === undefined ? 1 : 0;
  }
  if (name === '--version' || name === '-v') {
    early.out(`${version()}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    early.err(`${early.color.red('Error:')} unknown command \`${name}\`\n  ${early.color.dim('hint:')} run \`cutover --help\` for the list of commands\n`);
    return 1;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { ...COMMON_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
  } catch (e) {
    early.err(argumentError(e, command, early.color));
    return 1;
  }
  const term = processTerminal({ noColor: !!parsed.values['no-color'], json: !!parsed.values.json });
  if (parsed.values.help) {
    term.out(commandHelp(command));
    return 0;
  }
  try {
    return await command.run({ positionals: parsed.positionals, values: parsed.values, term });
  } catch (e) {
    term.err(renderFailure(e, term));
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    processTerminal({ noColor: true }).err(renderFailure(e, processTerminal({ noColor: true })));
    process.exitCode = 1;
  },
);
