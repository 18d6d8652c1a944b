// `cutover status PLAN`: where the migration stands.
import { embeddedResolver } from '../embedded.js';
import { readValidPlan } from '../../engine/load/valid-plan.js';
import { openMigration } from '../../engine/migration-context.js';
import { status } from '../../engine/status.js';
import type { Command } from '../command.js';
import { nowOption, onePlanFile } from '../options.js';
import { renderStatus } from '../render/status.js';
import { statusJson } from '../render/status-json.js';

export const statusCommand: Command = {
  name: 'status',
  summary: 'show the phase, the gates, what is installed and the event log tail',
  usage: 'cutover status PLAN [--json] [--now TIME]',
  help: `Reads both databases and the state (read-only) and shows where the migration stands.

Options:
  --json       print the status as one versioned JSON document (schemas/status-output.schema.json)
  --now TIME   evaluate time-based gates at TIME (only with clock: simulated)
  --no-color   plain output (also NO_COLOR=1)

Exit codes: 0, or 1 when the plan or the databases cannot be read.`,
  options: { json: { type: 'boolean' }, now: { type: 'string' } },
  async run({ positionals, values, term }) {
    const file = onePlanFile(positionals, this.usage);
    const valid = readValidPlan(file, term.env);
    const ctx = await openMigration(valid, {
      purpose: 'status', nowText: nowOption(values, term.env),
      resolveEmbedded: embeddedResolver(term),
    });
    try {
      const report = await status(ctx);
      term.out(values.json ? `${JSON.stringify(statusJson(report), null, 2)}\n` : renderStatus(report, term.color, file));
      return 0;
    } finally {
      await ctx.close();
    }
  },
};
