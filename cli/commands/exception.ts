// `cutover exception apply PLAN ID`: an accommodated change, through the lock.
import { embeddedResolver } from '../embedded.js';
import { applyException } from '../../engine/exception-apply.js';
import { Failure } from '../../engine/failure.js';
import { readValidPlan } from '../../engine/load/valid-plan.js';
import { openMigration } from '../../engine/migration-context.js';
import type { Command } from '../command.js';
import { lockTimeoutMs, nowOption } from '../options.js';

export const exceptionCommand: Command = {
  name: 'exception',
  summary: 'apply an accommodated exception to the locked source (`exception apply PLAN ID`)',
  usage: 'cutover exception apply PLAN ID [--lock-timeout 30s]',
  help: `Runs an accommodated exception's change on the locked source, through the schema lock, in one
transaction. It commits only when the plan already maps or drops what the change adds. Then the
source fingerprint is re-baselined (the event log records what changed) and the classes whose
source table the change altered are marked to be copied again: the next apply replaces their copy.
A source that drifted since the lock is refused first: resolve that drift, then apply the exception.

Options:
  --lock-timeout DUR  wait up to DUR for the state lock
  --no-color          plain output (also NO_COLOR=1)

Exit codes: 0 applied (or already applied), 1 error.`,
  options: { 'lock-timeout': { type: 'string' }, now: { type: 'string' } },
  async run({ positionals, values, term }) {
    const [verb, file, id, ...rest] = positionals;
    if (verb !== 'apply' || !file || !id || rest.length) throw new Failure('usage', 'expected `exception apply PLAN ID`', `usage: ${this.usage}`);
    const valid = readValidPlan(file, term.env);
    const embedded = embeddedResolver(term);
    // flags are judged before any database is opened (an embedded server would be started)
    const lockTimeout = lockTimeoutMs(values['lock-timeout']);
    const ctx = await openMigration(valid, { purpose: 'exception', nowText: nowOption(values, term.env), resolveEmbedded: embedded });
    try {
      const outcome = await applyException(ctx, id, { lockTimeoutMs: lockTimeout, resolveEmbedded: embedded });
      if (outcome.kind === 'already-applied') {
        term.out(`Exception ${id} was already applied; nothing to do.\n`);
        return 0;
      }
      term.out(`${term.color.green(`Exception ${id} applied`)} and the source fingerprint re-baselined.\n`);
      for (const c of outcome.changes) term.out(`  ${c}\n`);
      if (outcome.recopy.length) term.out(`Classes to copy again: ${outcome.recopy.join(', ')}\n`);
      return 0;
    } finally {
      await ctx.close();
    }
  },
};
