// `cutover mirror PLAN`: the long-running follower of dual-run and the tail window.
import { runMirror } from '../../engine/mirror/run-mirror.js';
import { readValidPlan } from '../../engine/load/valid-plan.js';
import { openMigration } from '../../engine/migration-context.js';
import type { Command } from '../command.js';
import { embeddedResolver } from '../embedded.js';
import { lockTimeoutMs, nowOption, onePlanFile } from '../options.js';
import { renderDiagnostics } from '../render/diagnostics.js';
import { mirrorEventPrinter } from '../render/mirror-events.js';
import type { Terminal } from '../terminal.js';

/** SIGTERM and the first Ctrl-C stop the mirror after the drain in flight; a second Ctrl-C at once
 * (as safe as a kill: every drain commits with its position). */
function stopOnSignals(term: Terminal): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (name: string) => () => {
    if (controller.signal.aborted && name === 'SIGINT') {
      term.err('\nStopped at once.\n');
      process.exit(130);
    }
    controller.abort();
    term.err(`\n${name}: stopping after the current drain…\n`);
  };
  const int = onSignal('SIGINT');
  const termSignal = onSignal('SIGTERM');
  process.on('SIGINT', int);
  process.on('SIGTERM', termSignal);
  return { signal: controller.signal, dispose: () => { process.off('SIGINT', int); process.off('SIGTERM', termSignal); } };
}

function reportMs(env: NodeJS.ProcessEnv): number | undefined {
  const n = Number(env.CUTOVER_MIRROR_REPORT_MS);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

export const mirrorCommand: Command = {
  name: 'mirror',
  summary: 'mirror the source\'s writes into the destination during dual-run and the tail window, comparing at compare_every',
  usage: 'cutover mirror PLAN [--once] [--retry-rejected] [--lock-timeout 30s] [--now TIME]',
  help: `Follows the source: again and again, every change captured up to a source snapshot is applied to
the destination in one transaction with the mirror's position (whole source transactions, never
half of one). A change the destination refuses is parked with its key, the error and the source
row; later changes of that key wait behind it, other keys go on. Every dual_run.compare_every it
runs an exact compare and records it. Every few seconds it prints what it applied, its rate, the
lag (age of the oldest change not applied yet), what waits and what is parked, and writes the same
into state for \`cutover status\`.

It holds a lock of its own: one mirror per migration, and \`cutover apply\` and \`cutover compare\`
can run beside it (they take turns through the drain).

Options:
  --once              one drain (and the compare if one is due), then stop
  --retry-rejected    first try every parked change again (after the plan, the destination or the
                      source data was fixed), then go on mirroring
  --lock-timeout DUR  wait up to DUR for the mirror lock (another mirror running) instead of failing
  --now TIME          the migration clock's time (only with clock: simulated; also CUTOVER_NOW)
  --no-color          plain output (also NO_COLOR=1)

Environment:
  CUTOVER_MIRROR_REPORT_MS  milliseconds between status lines (default 5000)

SIGTERM or Ctrl-C stops it after the drain in flight (exit 0); a kill at any moment loses nothing:
the next run continues from the last committed drain.

Exit codes: 0 stopped cleanly, 1 error.`,
  options: {
    once: { type: 'boolean' },
    'retry-rejected': { type: 'boolean' },
    'lock-timeout': { type: 'string' },
    now: { type: 'string' },
  },
  async run({ positionals, values, term }) {
    const valid = readValidPlan(onePlanFile(positionals, this.usage), term.env);
    term.err(renderDiagnostics(valid.warnings, term));
    const lockTimeout = lockTimeoutMs(values['lock-timeout']);
    const embedded = embeddedResolver(term);
    const ctx = await openMigration(valid, { purpose: 'mirror', nowText: nowOption(values, term.env), resolveEmbedded: embedded });
    const stop = stopOnSignals(term);
    try {
      await runMirror(ctx, {
        signal: stop.signal, onEvent: mirrorEventPrinter(term), resolveEmbedded: embedded, lockTimeoutMs: lockTimeout,
        once: values.once === true, retryRejected: values['retry-rejected'] === true, reportMs: reportMs(term.env),
      });
      return 0;
    } finally {
      stop.dispose();
      await ctx.close();
    }
  },
};
