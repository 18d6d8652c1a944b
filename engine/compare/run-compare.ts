// `cutover compare`: one exact compare now, recorded in state by the migration clock's time. It
// drains the capture first (under the drain lock, so a running mirror waits for it), which makes
// it a mutating command of the dual-run: from dual_run on, and before the write switch.
import { openClassSteps, openSourceWriter, type StepOptions } from '../apply/class-steps.js';
import { computePlan } from '../compute-plan.js';
import { Failure } from '../failure.js';
import { unregisterBackend } from '../lock/source-support.js';
import type { MigrationContext } from '../migration-context.js';
import { stateSchema } from '../plan/defaults.js';
import type { CompareFindings } from './compare-findings.js';

export interface CompareOptions {
  resolveEmbedded?: StepOptions['resolveEmbedded'];
  signal?: AbortSignal;
}

function requirePhase(phase: string, migration: string): void {
  if (phase === 'dual_run' || phase === 'reads_switched') return;
  throw new Failure('compare.phase', `migration ${migration} is at phase ${phase}: compares run in dual_run and reads_switched`,
    phase === 'none' || phase === 'locked' || phase === 'round_tripped'
      ? 'before dual-run, apply proves the copy with parity; set target: dual_run and run `cutover apply`'
      : 'after the write switch the write switch\'s final compare is the last one');
}

export async function runCompare(ctx: MigrationContext, options: CompareOptions): Promise<CompareFindings> {
  const schema = stateSchema(ctx.plan);
  const { observed } = await computePlan(ctx, { refresh: false });
  requirePhase(observed.state.migration?.phase ?? 'none', ctx.plan.name);
  const writer = await openSourceWriter(ctx, options.resolveEmbedded, schema, 'compare');
  const steps = openClassSteps(ctx, writer, observed, { resolveEmbedded: options.resolveEmbedded, signal: options.signal, command: 'cutover compare' });
  try {
    return await steps.compare();
  } finally {
    await steps.close().catch(() => undefined);
    await unregisterBackend(writer.client, schema).catch(() => undefined);
    await writer.close();
  }
}
