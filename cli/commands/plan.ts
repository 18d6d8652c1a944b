// `cutover plan PLAN`: refresh from both databases, diff against state, show what apply would do.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { computePlan } from '../../engine/compute-plan.js';
import { embeddedResolver } from '../embedded.js';
import { sha256 } from '../../engine/hash.js';
import { readValidPlan } from '../../engine/load/valid-plan.js';
import { openMigration } from '../../engine/migration-context.js';
import { SAVED_PLAN_KIND, type SavedPlan } from '../../engine/saved-plan.js';
import type { PlanResult } from '../../engine/diff/plan-result.js';
import type { Command } from '../command.js';
import { renderDiagnostics } from '../render/diagnostics.js';
import { planJson } from '../render/plan-json.js';
import { renderPlanHuman } from '../render/plan-human.js';
import { renderPlanMarkdown } from '../render/plan-markdown.js';
import { Failure } from '../../engine/failure.js';
import { nowOption, onePlanFile, planFormat } from '../options.js';

export const planCommand: Command = {
  name: 'plan',
  summary: 'show what apply would do next, what blocks it, and what preflight found',
  usage: 'cutover plan PLAN [-out FILE] [--json] [--format markdown] [--detailed-exitcode] [--refresh] [--now TIME]',
  help: `Reads both databases (in read-only sessions on the source) and cutover's state, runs the
coverage checks and preflight data findings, and prints in terraform's shape the changes apply
would make on its way to the plan's target, the gates on the way, write windows, findings and parity.

Options:
  -out FILE            save the plan for \`cutover apply FILE\` (no secrets are written); it
                       is printed too, in whichever format is asked for
  --json               print one versioned JSON document (schemas/plan-output.schema.json)
  --format markdown    Markdown for a pull-request comment (under 60,000 characters)
                       (--json and --format together are an error)
  --detailed-exitcode  terraform's exit codes for scripts: 0 no changes, 2 changes, and 1 when
                       the plan counts data problems (error findings on the way to the target,
                       which apply would refuse), whether or not there are changes
  --refresh            recompute preflight findings even when cached
  --now TIME           the time to plan at (only with clock: simulated; also CUTOVER_NOW)
  --no-color           plain output (also NO_COLOR=1)

The last line is the verdict: \`Plan: 3 to add, 1 to change, 0 to destroy. 1 gate blocked. 2 data
problems.\`, or with no changes \`No changes.\` and what stands in the way (\`No changes. 1 gate
blocked.\`). Only with nothing in the way does the plan open with \`No changes. The destination
matches the plan.\`
Every finding labelled \`error\` is counted there, or labelled with the later gate it will block
(\`error (blocks dual_run)\`) and named at the end (\`1 error will block dual_run.\`).

Drift since the lock (fingerprint differences, new client sessions) has its own section and is
\`drift\` in --json. While another command holds the state lock (an apply mid-copy) the plan
starts with a note naming it (\`state_lock\` in --json): what it shows may be work in progress.
Check resources show \`copy = (class.X.copy)\` rather than repeating the copy mapping.

Exit codes: 0 ok; 1 error. With --detailed-exitcode: 0 no changes and no data problems (a gate
blocked by time or review alone is still 0), 1 error or data problems, 2 changes.`,
  options: {
    out: { type: 'string' },
    json: { type: 'boolean' },
    format: { type: 'string' },
    'detailed-exitcode': { type: 'boolean' },
    refresh: { type: 'boolean' },
    now: { type: 'string' },
  },
  async run({ positionals, values, term }) {
    const format = planFormat(values);
    const file = onePlanFile(positionals, this.usage);
    const valid = readValidPlan(file, term.env);
    term.err(renderDiagnostics(valid.warnings, term));
    const ctx = await openMigration(valid, {
      purpose: 'plan',
      nowText: nowOption(values, term.env),
      resolveEmbedded: embeddedResolver(term),
    });
    try {
      const { result, observed } = await computePlan(ctx, { refresh: !!values.refresh });
      if (values.out) {
        const saved: SavedPlan = {
          kind: SAVED_PLAN_KIND, format_version: 1, created_at: result.now, plan_file: file,
          plan_file_sha256: sha256(valid.loaded.source.text), state_serial: observed.state.migration?.serial ?? 0, result,
        };
        writeOwnerOnly(values.out as string, `${JSON.stringify(saved, null, 2)}\n`);
      }
      if (format === 'json') term.out(`${JSON.stringify(planJson(result), null, 2)}\n`);
      else if (format === 'markdown') term.out(renderPlanMarkdown(result));
      else term.out(renderPlanHuman(result, term.color, file));
      if (values.out && format !== 'json') {
        // Markdown goes into a pull-request comment as it is: the note goes to stderr there
        const note = `Saved the plan to ${values.out as string}. To perform exactly these actions, run:\n  cutover apply ${values.out as string}\n`;
        if (format === 'markdown') term.err(note);
        else term.out(`\n${note}`);
      }
      return values['detailed-exitcode'] ? detailedExitCode(result) : 0;
    } finally {
      await ctx.close();
    }
  },
};

/**
 * terraform's -detailed-exitcode (0 empty diff, 1 error, 2 non-empty diff), where an error
 * finding on the way to the target counts as an error: apply would refuse it before its first
 * change, so a pipeline must not read it as "ok". A gate that only time or a review opens is not
 * an error: it leaves 0 or 2 by whether there are changes.
 */
function detailedExitCode(result: PlanResult): number {
  if (result.summary.dataProblems > 0) return 1;
  return result.changes.length > 0 ? 2 : 0;
}

const WRITE_ERRORS: Record<string, string> = {
  ENOENT: 'no such directory',
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTEMPTY: 'it is a directory',
  EROFS: 'read-only file system',
};

/**
 * Writes a saved plan readable by its owner only (0600), also when it replaces an older file
 * whatever that file's mode: `mode` applies only to a file the write creates, so the plan is
 * written to a new file beside it and renamed over it.
 */
function writeOwnerOnly(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, text, { mode: 0o600, flag: 'wx' });
    renameSync(temporary, file);
  } catch (e) {
    rmSync(temporary, { force: true });
    const err = e as NodeJS.ErrnoException;
    const why = WRITE_ERRORS[err.code ?? ''] ?? err.message.replaceAll(temporary, file);
    throw new Failure('plan.out', `cannot write the saved plan to ${file}: ${why}`, 'name a file in an existing directory you can write to');
  }
}
