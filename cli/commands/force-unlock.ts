// `cutover force-unlock PLAN`: end the session still holding the state lock after the command that
// took it died, once its process is confirmed gone.
import { connect } from '../../engine/db/connect.js';
import { readValidPlan } from '../../engine/load/valid-plan.js';
import { stateSchema } from '../../engine/plan/defaults.js';
import { endHolder, inspectStateLock, recordUnlock } from '../../engine/state/force-unlock.js';
import { describeHolder } from '../../engine/state/state-lock.js';
import type { Command } from '../command.js';
import { embeddedResolver } from '../embedded.js';
import { onePlanFile } from '../options.js';
import { confirmTypedName } from '../prompt.js';
import { renderDiagnostics } from '../render/diagnostics.js';

export const forceUnlockCommand: Command = {
  name: 'force-unlock',
  summary: 'end the session holding a stale state lock, once its process is confirmed gone',
  usage: 'cutover force-unlock PLAN [--auto-approve]',
  help: `When a command holding the migration's state lock dies without its database session ending
(its machine lost, or killed while the session was busy), the lock outlives it and every later
command fails with "Error acquiring the state lock". force-unlock reads who holds it (pid, host,
command, since), refuses when that process is still running on this host, and otherwise asks you
to type the plan's name, then ends the holding session on the destination (pg_terminate_backend).
A holder on another host cannot be looked for from here: make sure it is gone before confirming.

Options:
  --auto-approve  do not ask (required when there is no terminal)
  --no-color      plain output (also NO_COLOR=1)

Exit codes: 0 unlocked (or the lock was not held), 1 error, refused or cancelled.`,
  options: { 'auto-approve': { type: 'boolean' } },
  async run({ positionals, values, term }) {
    const valid = readValidPlan(onePlanFile(positionals, this.usage), term.env);
    term.err(renderDiagnostics(valid.warnings, term));
    const { plan } = valid;
    const schema = stateSchema(plan);
    const session = await connect({ side: 'destination', url: plan.destination.url }, { purpose: 'force-unlock', resolveEmbedded: embeddedResolver(term) });
    try {
      const found = await inspectStateLock(session.client, schema, plan.name);
      if (found.kind === 'free') {
        term.out(`The state lock of migration ${plan.name} is not held; nothing to unlock.\n`);
        return 0;
      }
      const { holder } = found;
      term.out(`The state lock of migration ${plan.name} is held by ${describeHolder(holder)}.\n`
        + `  ${found.verified ? 'Confirmed: ' : 'Not confirmed: '}${found.why}.\n`
        + `  Its database session (backend ${holder.backendPid} on the destination) is ${found.backendState}.\n`);
      const approved = values['auto-approve'] === true || await confirmTypedName(term, '--auto-approve', plan.name,
        `End backend ${holder.backendPid} to release the lock?`,
        found.verified ? 'whatever it was doing is rolled back by PostgreSQL; cutover commands resume from their checkpoints.'
          : 'make sure the process named above is really gone: if it is still running, it loses its database session mid-step.');
      if (!approved) {
        term.err('\nForce-unlock cancelled: nothing was changed.\n');
        return 1;
      }
      await endHolder(session.client, schema, plan.name, holder);
      const recorded = await recordUnlock(session.client, schema, plan, found.verified, holder);
      if (!recorded) term.err('Warning: the event log could not be written (a table of the state schema is locked); the unlock itself is done.\n');
      term.out(`\n${term.color.green('Unlocked.')} Backend ${holder.backendPid} was ended; the state lock of migration ${plan.name} is free.\n`);
      return 0;
    } finally {
      await session.close();
    }
  },
};
