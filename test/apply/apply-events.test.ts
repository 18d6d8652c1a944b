// The events apply emits while it works, read by the one subscriber it is given: a small apply to
// `locked` reports each step's start and end in the plan's order, passes the gate into locked,
// reaches the phase and finishes; a closed gate is reported with its reasons, and apply stops there.
import { describe, expect, it } from 'vitest';
import { runApply } from '../../engine/apply/run-apply.js';
import type { ApplyEvent } from '../../engine/events.js';
import { readValidPlan } from '../../engine/load/valid-plan.js';
import { openMigration } from '../../engine/migration-context.js';
import { endToEndFile } from '../support/cutover-cli.js';
import { freshPair, shopPlan } from './support.js';

const folder = endToEndFile();

async function applyCollecting(file: string, env: Record<string, string>): Promise<ApplyEvent[]> {
  const events: ApplyEvent[] = [];
  const ctx = await openMigration(readValidPlan(file, env), { purpose: 'apply' });
  try {
    await runApply(ctx, {
      lockTimeoutMs: 0, planFileSha256: 'test',
      hooks: { showPlan: () => undefined, confirm: async () => true },
      onEvent: (e) => events.push(e),
    });
  } finally {
    await ctx.close();
  }
  return events;
}

describe('apply events', () => {
  it('a small apply to locked: started, each step started then finished, the gate passed, the phase reached, finished', async () => {
    const pair = await freshPair();
    const file = folder.write('events.yaml', shopPlan({ name: 'shop-events' }));
    const events = await applyCollecting(file, pair.env);
    const steps = ['source.support', 'lock.fingerprint', 'lock.schema', 'lock.integrations', 'lock.data'];
    expect(events.map((e) => ('address' in e ? `${e.kind} ${e.address}` : 'gate' in e ? `${e.kind} ${e.gate.address}` : e.kind))).toEqual([
      'apply.started',
      'gate.passed gate.locked',
      ...steps.flatMap((s) => [`step.started ${s}`, `step.finished ${s}`]),
      'phase.reached',
      'apply.finished',
    ]);
    expect(events[0]).toEqual({ kind: 'apply.started', target: 'locked', from: 'none' });
    expect(events.find((e) => e.kind === 'step.finished')).toMatchObject({ actions: ['create'], checkFailed: false });
    expect(events.at(-2)).toEqual({ kind: 'phase.reached', phase: 'locked' });
    expect(events.at(-1)).toEqual({ kind: 'apply.finished', phase: 'locked', applied: 5 });

    // nothing left to do: no event at all, the outcome says it
    expect(await applyCollecting(file, pair.env)).toEqual([]);
  }, 90_000);

  it('a pending exception keeps gate.locked closed: the gate stopped with its reasons, then apply stopped, before anything started', async () => {
    const pair = await freshPair();
    const exceptions = `    - id: CHG-8
      change: ALTER TABLE customers ADD COLUMN loyalty_tier text
      decision: pending
      reviewed_by: dana@example.com`;
    const file = folder.write('events-pending.yaml', shopPlan({ name: 'shop-events-pending', exceptions }));
    const events = await applyCollecting(file, pair.env);
    expect(events.map((e) => e.kind)).toEqual(['gate.stopped', 'apply.stopped']);
    const stopped = events[0]!;
    expect(stopped).toMatchObject({ kind: 'gate.stopped', phase: 'none', applied: 0, gate: { address: 'gate.locked', status: 'blocked' } });
    expect(stopped.kind === 'gate.stopped' && stopped.gate.reasons).toContain('exception CHG-8 is pending review');
    expect(events[1]).toMatchObject({ kind: 'apply.stopped', why: 'gate', phase: 'none', applied: 0 });
  }, 60_000);
});
