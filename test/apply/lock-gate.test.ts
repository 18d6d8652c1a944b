// The gate into `locked` as `plan` and `apply` report it: a freeze whose `ends` has passed (on a
// simulated clock) and a `pending` exception each keep it closed; apply stops there with exit 3
// and installs nothing.
import { describe, expect, it } from 'vitest';
import { endToEndFile } from '../support/cutover-cli.js';
import { cutover, expectExit, freshPair, gate, parseJson, shopPlan, sourceObjects, type PlanJson } from './support.js';

const folder = endToEndFile();

const FREEZE = `    mode: freeze
    rules:
      - { classes: [order_lines], allow: [insert], reason: the till keeps selling }
    ends: 2030-01-01T00:00:00Z`;

describe('gate.locked', () => {
  it('is blocked once the freeze has ended (simulated clock, --now after ends): plan says so, apply exits 3', async () => {
    const pair = await freshPair();
    const planFile = folder.write('ended.yaml', shopPlan({ name: 'shop-ended', clock: 'simulated', data: FREEZE }));
    const after = ['--now', '2030-01-02T00:00:00Z'];

    const json = parseJson<PlanJson>(await cutover(['plan', planFile, '--json', ...after], pair.env));
    const locked = gate(json, 'gate.locked');
    expect(locked.status).toBe('blocked');
    expect(locked.reasons.join('\n')).toContain('the freeze ended at 2030-01-01T00:00:00Z');
    expect(json.resource_changes).toEqual([]);

    const applied = await cutover(['apply', planFile, '--auto-approve', ...after], pair.env);
    expectExit(applied, 3);
    expect(applied.stdout).toMatch(/gate\.locked blocked/); // the plan it shows
    expect(applied.stdout).toContain('Stopped at gate.locked');
    expect(applied.stdout).toContain('the freeze ended at 2030-01-01T00:00:00Z');
    expect(applied.stdout).not.toContain('Creating...');
    expect(await sourceObjects(pair.source)).toEqual({ eventTriggers: [], triggers: [], hasSchema: false, tables: [] });

    // before `ends` the same plan locks
    const before = await cutover(['apply', planFile, '--auto-approve', '--now', '2029-12-01T00:00:00Z'], pair.env);
    expectExit(before, 0);
    expect(before.stdout).toContain('Apply complete! Phase locked reached.');
  }, 90_000);

  it('is blocked by a pending exception (target locked): plan names it, apply exits 3', async () => {
    const pair = await freshPair();
    const exceptions = `    - id: CHG-7
      change: ALTER TABLE customers ADD COLUMN loyalty_tier text
      decision: pending
      reviewed_by: dana@example.com`;
    const planFile = folder.write('pending.yaml', shopPlan({ name: 'shop-pending', exceptions }));

    const json = parseJson<PlanJson>(await cutover(['plan', planFile, '--json'], pair.env));
    const locked = gate(json, 'gate.locked');
    expect(locked.status).toBe('blocked');
    expect(locked.reasons).toContain('exception CHG-7 is pending review');

    const applied = await cutover(['apply', planFile, '--auto-approve'], pair.env);
    expectExit(applied, 3);
    expect(applied.stdout).toContain('Stopped at gate.locked');
    expect(applied.stdout).toContain('exception CHG-7 is pending review');
    expect(await sourceObjects(pair.source)).toEqual({ eventTriggers: [], triggers: [], hasSchema: false, tables: [] });
  }, 60_000);
});
