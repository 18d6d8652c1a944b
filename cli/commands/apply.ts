// `cutover apply PLAN|FILE`: show the plan, ask, then converge toward the target.
import type { ApplyOutcome } from '../../engine/apply/apply-types.js';
import { runApply } from '../../engine/apply/run-apply.js';
import { embeddedResolver } from '../embedded.js';
import { sha256 } from '../../engine/hash.js';
import { readPlanText } from '../../engine/load/read-plan.js';
import { readValidPlan } from '../../engine/load/valid-plan.js';
import { openMigration } from '../../engine/migration-context.js';
import { parseSavedPlan } from '../../engine/saved-plan.js';
import type { Command } from '../command.js';
import { copyBatchRows, lockTimeoutMs, nowOption, onePlanFile } from '../options.js';
import { confirmYes } from '../prompt.js';
import { applyEventPrinter } from '../render/apply-events.js';
import { renderDiagnostics } from '../render/diagnostics.js';
import { gateLines } from '../render/gate.js';
import { renderPlanHuman } from '../render/plan-human.js';
import { proofCount, renderProof } from '../render/proof.js';
import { reportRollback } from '../render/rollback.js';
import { stateSchema } from '../../engine/plan/defaults.js';
import { plural } from '../render/words.js';
import type { Terminal } from '../terminal.js';

/** The shell's convention for a process stopped by SIGINT (128 + 2). */
const INTERRUPTED_EXIT = 130;

/**
 * Ctrl-C during apply: the first one asks the engine to stop at its next checkpoint (the next
 * copy batch boundary, or between changes); a second one stops at once, which is as safe as a
 * kill (every batch and change is committed with its checkpoint, and the next apply resumes).
 */
function stopOnCtrlC(term: Terminal): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) {
      term.err('\nStopped at once.\n');
      process.exit(INTERRUPTED_EXIT);
    }
    controller.abort();
    term.err('\nInterrupted: stopping after the current batch… press Ctrl-C again to stop at once\n');
  };
  process.on('SIGINT', onSignal);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSignal) };
}

function report(outcome: ApplyOutcome, term: Terminal): number {
  switch (outcome.kind) {
    case 'nothing':
      return 0;
    case 'cancelled':
      term.err('\nApply cancelled.\n');
      return 1;
    case 'reached':
      term.out(`\n${term.color.green(`Apply complete! Phase ${outcome.phase} reached.`)} ${plural(outcome.applied, 'change')} applied.\n`);
      return 0;
    case 'interrupted':
      term.err(`\nApply interrupted at phase ${outcome.phase} after ${plural(outcome.applied, 'change')}: what was done is kept; run apply again to resume.\n`);
      return INTERRUPTED_EXIT;
    case 'gate':
      term.out(`\nApply stopped at phase ${outcome.phase}: ${plural(outcome.applied, 'change')} applied.`);
      term.out(`${gateLines(outcome.gate, { as: 'stopped', by: 'apply', c: term.color }).join('\n')}\n`);
      return 3;
    case 'unproven':
      term.out(`\nApply stopped at phase ${outcome.phase}: ${plural(outcome.applied, 'change')} applied, ${proofCount(outcome.proof)}.\n`);
      term.out(renderProof(outcome.proof, outcome.phase, term.color));
      return 3;
  }
}

export const applyCommand: Command = {
  name: 'apply',
  summary: 'move the migration toward its target, phase by phase, stopping at the first closed gate',
  usage: 'cutover apply PLAN|SAVED_PLAN [--auto-approve] [--lock-timeout 30s] [--now TIME]',
  help: `Prints the plan (as \`cutover plan\` would), asks for \`yes\`, then applies the changes in order,
each one idempotent, recorded in state and in the event log. Between phases it re-plans, so every
gate is judged on what is true by then. A saved plan (from \`cutover plan -out FILE\`) is applied
exactly, or refused as stale when the state, the source fingerprint or the plan file changed.

Options:
  --auto-approve      do not ask (required when there is no terminal)
  --lock-timeout DUR  wait up to DUR for the state lock instead of failing at once (e.g. 30s)
  --now TIME          the time to apply at (only with clock: simulated; also CUTOVER_NOW)
  --no-color          plain output (also NO_COLOR=1)

Environment:
  CUTOVER_COPY_BATCH_ROWS  rows per copy batch, each one checkpoint (default 50000)

Copy progress: rows, rate and time left per class, on one rewritten line on a terminal and a line
every few seconds elsewhere; after a resume the rate counts only this run's rows.

Ctrl-C stops at the next checkpoint (the next copy batch, or between changes), records the
interruption in the event log and exits 130; a second Ctrl-C stops at once. Either way the next
apply resumes where this one stopped.

Exit codes: 0 target reached (or nothing to do), 1 error or cancelled, 3 stopped at a gate (or at
a phase's proof: round_tripped is reached only when every parity, money, audit, attachment and
custom-code check passes), 130 interrupted (Ctrl-C).`,
  options: {
    'auto-approve': { type: 'boolean' },
    'lock-timeout': { type: 'string' },
    now: { type: 'string' },
  },
  async run({ positionals, values, term }) {
    const file = onePlanFile(positionals, this.usage);
    const text = readPlanText(file);
    const saved = parseSavedPlan(text, file);
    const planFile = saved?.plan_file ?? file;
    const valid = readValidPlan(planFile, term.env);
    term.err(renderDiagnostics(valid.warnings, term));
    const batchRows = copyBatchRows(term.env);
    const embedded = embeddedResolver(term);
    // flags are judged before any database is opened (an embedded server would be started)
    const lockTimeout = lockTimeoutMs(values['lock-timeout']);
    const ctx = await openMigration(valid, { purpose: 'apply', nowText: nowOption(values, term.env), resolveEmbedded: embedded });
    const interrupt = stopOnCtrlC(term);
    try {
      const outcome = await runApply(ctx, {
        signal: interrupt.signal,
        lockTimeoutMs: lockTimeout,
        batchRows,
        saved,
        planFileSha256: sha256(valid.loaded.source.text),
        resolveEmbedded: embedded,
        hooks: {
          showPlan: (result) => term.out(renderPlanHuman(result, term.color)),
          confirm: async () => values['auto-approve'] || saved
            ? true
            : confirmYes(term, '--auto-approve', 'Do you want to perform these actions?', 'cutover will perform the actions described above.'),
        },
        onEvent: applyEventPrinter(term),
      });
      return valid.plan.target === 'rolled_back' ? reportRollback(outcome, valid.plan.name, stateSchema(valid.plan), term) : report(outcome, term);
    } finally {
      interrupt.dispose();
      await ctx.close();
    }
  },
};
