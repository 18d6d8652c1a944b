// `cutover compare PLAN`: one exact compare now, recorded.
import { runCompare } from '../../engine/compare/run-compare.js';
import { classVerdicts, compareClean } from '../../engine/compare/compare-findings.js';
import { readValidPlan } from '../../engine/load/valid-plan.js';
import { openMigration } from '../../engine/migration-context.js';
import type { Command } from '../command.js';
import { embeddedResolver } from '../embedded.js';
import { nowOption, onePlanFile } from '../options.js';
import { renderDiagnostics } from '../render/diagnostics.js';
import { compareLines } from '../render/mirror-events.js';

export const compareCommand: Command = {
  name: 'compare',
  summary: 'compare source and destination exactly, now, and record the result',
  usage: 'cutover compare PLAN [--json] [--now TIME]',
  help: `Takes a source snapshot, drains the captured changes up to it into the destination (a running
mirror waits meanwhile), then hashes every class on both sides in that one state: counts, rows,
relationships and checks, as parity does, with the differing keys narrowed down. It also counts
destination rows cutover did not write (a writer that should not be there), open parked changes,
and reconciles money's daily totals. Live writes never cause a false mismatch and never hide a
real one. The result is recorded in state, named by its time: \`dual_run.resolutions\` cites a
failed compare by that time.

Options:
  --json       print the result as JSON
  --now TIME   the time to record the compare at (only with clock: simulated; also CUTOVER_NOW)
  --no-color   plain output (also NO_COLOR=1)

Exit codes: 0 clean, 1 error, 2 differences.`,
  options: { json: { type: 'boolean' }, now: { type: 'string' } },
  async run({ positionals, values, term }) {
    const valid = readValidPlan(onePlanFile(positionals, this.usage), term.env);
    term.err(renderDiagnostics(valid.warnings, term));
    const embedded = embeddedResolver(term);
    const ctx = await openMigration(valid, { purpose: 'compare', nowText: nowOption(values, term.env), resolveEmbedded: embedded });
    try {
      const findings = await runCompare(ctx, { resolveEmbedded: embedded });
      const clean = compareClean(findings);
      const verdicts = classVerdicts(findings);
      const at = findings.at.toISOString();
      if (values.json) term.out(`${JSON.stringify({ format_version: '1', at, clean, snapshot: findings.snapshot, drained: findings.drained, classes: verdicts }, null, 2)}\n`);
      else term.out(`${compareLines(at, clean, verdicts).join('\n')}\n`);
      return clean ? 0 : 2;
    } finally {
      await ctx.close();
    }
  },
};
