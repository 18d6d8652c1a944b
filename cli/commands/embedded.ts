// `cutover embedded status|stop`: see or stop the local PostgreSQL server behind `embedded:NAME`
// URLs, which cutover starts on demand and leaves running for later commands.
import { embeddedStatus, type EmbeddedStatus, stopEmbedded } from '../../engine/db/embedded.js';
import { Failure } from '../../engine/failure.js';
import type { Command } from '../command.js';
import type { Terminal } from '../terminal.js';

const USAGE = 'cutover embedded status [NAME] | cutover embedded stop [--home DIR]';

export const embeddedCommand: Command = {
  name: 'embedded',
  summary: 'show or stop the local embedded PostgreSQL server behind embedded:NAME URLs',
  usage: 'cutover embedded status [NAME] [--home DIR]\n       cutover embedded stop [--home DIR]',
  help: `One local server holds every embedded:NAME database (one database per NAME). cutover starts it
on first use and leaves it running so later commands reuse it; it listens on 127.0.0.1 only.
Its files live in .cutover/embedded/ under the current folder, or in $CUTOVER_HOME/embedded/.

  status [NAME]  whether the server exists and runs, its port, data folder and databases;
                 with NAME, also whether database NAME (embedded:NAME) is in it
  stop           stops the server (fast shutdown: open sessions are ended), keeping its data;
                 the next embedded:NAME use starts it again. To remove it and all its
                 databases, stop it and delete the embedded/ folder.

Options:
  --home DIR  the folder that contains embedded/ (default: $CUTOVER_HOME, else ./.cutover)
  --no-color  plain output (also NO_COLOR=1)

The password is kept in embedded/password (mode 0600) and never printed.

Exit codes: 0 shown or stopped (also when it was not running), 1 error.`,
  options: { home: { type: 'string' } },
  async run({ positionals, values, term }) {
    const [action, name, ...extra] = positionals;
    const home = typeof values.home === 'string' ? values.home : undefined;
    if ((action !== 'status' && action !== 'stop') || extra.length > 0 || (action === 'stop' && name !== undefined)) {
      throw new Failure('usage', action === undefined ? 'embedded needs status or stop' : `unexpected arguments: ${positionals.join(' ')}`, `usage: ${USAGE}`);
    }
    if (action === 'status') {
      term.out(describe(await embeddedStatus(home), name, term));
      return 0;
    }
    const before = await embeddedStatus(home);
    if (!before.initialised) {
      term.out(`No embedded PostgreSQL server under ${before.dir}; nothing to stop.\n`);
      return 0;
    }
    const stopped = await stopEmbedded(home);
    term.out(stopped
      ? `${term.color.green('Stopped')} the embedded PostgreSQL server under ${before.dir}${before.port ? ` (port ${before.port})` : ''}; its data is kept in ${before.data}.\n`
      : `The embedded PostgreSQL server under ${before.dir} is not running; nothing to stop.\n`);
    return 0;
  },
};

function describe(status: EmbeddedStatus, name: string | undefined, term: Terminal): string {
  if (!status.initialised) {
    return `No embedded PostgreSQL server under ${status.dir} yet: the first embedded:NAME URL a command uses creates it.\n`;
  }
  const state = status.running ? term.color.green('running') : 'stopped';
  const lines = [
    `Embedded PostgreSQL server under ${status.dir}`,
    `  state:     ${state}${status.pid ? ` (pid ${status.pid})` : ''}`,
    `  address:   127.0.0.1:${status.port ?? '?'}`,
    `  data:      ${status.data}`,
  ];
  if (status.databases) lines.push(`  databases: ${status.databases.length ? status.databases.join(', ') : 'none yet'}`);
  else lines.push('  databases: (shown while it runs)');
  if (name !== undefined && status.databases) {
    lines.push(status.databases.includes(name) ? `  embedded:${name} is database ${name} here.` : `  embedded:${name} has no database here yet: the first command that uses it creates it.`);
  }
  return `${lines.join('\n')}\n`;
}
