// `cutover rollback PLAN`: the emergency way out, whatever the plan's target says. The same
// lifecycle as apply (state lock, plan shown, confirmation, every change recorded), asking for the
// plan's name to be typed rather than `yes`.
import { runApply } from '../../engine/apply/run-apply.js';
import { sha256 } from '../../engine/hash.js';
import { readValidPlan, type ValidPlan } from '../../engine/load/valid-plan.js';
import { openMigration } from '../../engine/migration-context.js';
import { stateSchema } from '../../engine/plan/defaults.js';
import type { Command } from '../command.js';
import { embeddedResolver } from '../embedded.js';
import { lockTimeoutMs, nowOption, onePlanFile } from '../options.js';
import { confirmTypedName } from '../prompt.js';
import { applyEventPrinter } from '../render/apply-events.js';
import { renderDiagnostics } from '../render/diagnostics.js';
import { renderPlanHuman } from '../render/plan-human.js';
import { reportRollback } from '../render/rollback.js';

/** The plan as written, aimed at rolled_back (target is not part of the fingerprint). */
function towardRollback(valid: ValidPlan): ValidPlan {
  return { ...valid, plan: { ...valid.plan, target: 'rolled_back' } };
}

export const rollbackCommand: Command = {
  name: 'rollback',
  summary: 'emergency rollback before the write switch: lift every lock cutover put on the source',
  usage: 'cutover rollback PLAN [--auto-approve] [--lock-timeout 30s] [--now TIME]',
  help: `Does what \`target: rolled_back\` does, whatever target the plan names: runs the plan's
go_live.rollback hook (if it has one), then removes the data lock, change capture, the schema and
integration locks and cutover's schema from the source, so the source is as it was before the
first apply. The state and the event log stay on the destination, at phase rolled_back: the
migration ends there. What cutover copied into the destination stays too (it is not live); the
output says which tables hold it.

It shows what it will do and asks you to type the plan's name to confirm. Rolling back after
writes_switched (reverting writes) is not supported by this version.

Options:
  --auto-approve      do not ask (required when there is no terminal)
  --lock-timeout DUR  wait up to DUR for the state lock instead of failing at once (e.g. 30s)
  --now TIME          the time to record (only with clock: simulated; also CUTOVER_NOW)
  --no-color          plain output (also NO_COLOR=1)

Exit codes: 0 rolled back (or nothing to roll back), 1 error or cancelled, 3 stopped at a gate.`,
  options: {
    'auto-approve': { type: 'boolean' },
    'lock-timeout': { type: 'string' },
    now: { type: 'string' },
  },
  async run({ positionals, values, term }) {
    const valid = towardRollback(readValidPlan(onePlanFile(positionals, this.usage), term.env));
    term.err(renderDiagnostics(valid.warnings, term));
    const embedded = embeddedResolver(term);
    // flags are judged before any database is opened (an embedded server would be started)
    const lockTimeout = lockTimeoutMs(values['lock-timeout']);
    const ctx = await openMigration(valid, { purpose: 'rollback', nowText: nowOption(values, term.env), resolveEmbedded: embedded });
    try {
      const outcome = await runApply(ctx, {
        command: 'cutover rollback',
        lockTimeoutMs: lockTimeout,
        planFileSha256: sha256(valid.loaded.source.text),
        resolveEmbedded: embedded,
        hooks: {
          showPlan: (result) => term.out(renderPlanHuman(result, term.color)),
          confirm: async () => values['auto-approve'] === true || confirmTypedName(term, '--auto-approve', valid.plan.name,
            `Roll back migration ${valid.plan.name}?`, 'cutover will perform the actions described above; the migration ends at rolled_back.'),
        },
        onEvent: applyEventPrinter(term),
      });
      return reportRollback(outcome, valid.plan.name, stateSchema(valid.plan), term);
    } finally {
      await ctx.close();
    }
  },
};
