// `cutover apply` to phase one on a clean source, end to end: the locks installed, `plan` and a
// second `apply` then say "No changes.", `status --json` tells the story from the event log, and
// without a terminal and without --auto-approve nothing happens at all.
import { beforeAll, describe, expect, it } from 'vitest';
import { withClient } from '../support/databases.js';
import { endToEndFile } from '../support/cutover-cli.js';
import {
  cutover, expectExit, expectNoSecrets, freshPair, gate, objectNames, parseJson, shopPlan, sourceObjects,
  userSchemas, type Pair, type StatusJson,
} from './support.js';

const folder = endToEndFile();

describe('apply --auto-approve to locked on a clean source', () => {
  const name = 'shop-lock';
  const names = objectNames(name);
  let pair: Pair;
  let planFile: string;

  beforeAll(async () => {
    pair = await freshPair();
    planFile = folder.write('locked.yaml', shopPlan({ name }));
  });

  it('installs the locks and reaches locked (exit 0)', async () => {
    const r = await cutover(['apply', planFile, '--auto-approve'], pair.env);
    expectExit(r, 0);
    expect(r.stdout).toContain('lock.schema: Creation complete');
    expect(r.stdout).toContain('lock.data: Creation complete');
    expect(r.stdout).toMatch(/Apply complete! Phase locked reached\. 5 changes applied\./);

    const objects = await sourceObjects(pair.source);
    expect(objects.hasSchema).toBe(true);
    expect(objects.eventTriggers).toEqual([names.integrationLock, names.schemaDrop, names.schemaLock].sort());
    expect(objects.triggers).toEqual([`customers:${names.dataLock}`, `order_lines:${names.dataLock}`, `orders:${names.dataLock}`]);
  });

  it('then `plan --detailed-exitcode` exits 0 with "No changes."', async () => {
    const r = await cutover(['plan', planFile, '--detailed-exitcode'], pair.env);
    expectExit(r, 0);
    expect(r.stdout).toContain('No changes. The destination matches the plan.');
  });

  it('and a second apply says "No changes." and exits 0, installing nothing twice', async () => {
    const before = await sourceObjects(pair.source);
    const r = await cutover(['apply', planFile], pair.env); // nothing to approve, so no prompt either
    expectExit(r, 0);
    expect(r.stdout).toContain('No changes. The destination matches the plan.');
    expect(r.stdout).not.toContain('Creating...');
    expect(await sourceObjects(pair.source)).toEqual(before);
  });

  it('status --json shows the phase, the gates and an event for every change, each ok', async () => {
    const r = await cutover(['status', planFile, '--json'], pair.env);
    expectExit(r, 0);
    const status = parseJson<StatusJson>(r);
    expect(status.plan.name).toBe(name);
    expect(status.plan.phase).toBe('locked');
    expect(Object.keys(status.phase_times)).toEqual(['locked']);
    expect(status.gates).toEqual([]); // at its target: no gate ahead
    expect(status.drift).toEqual([]);
    expect(status.resources.map((x) => x.address).sort()).toEqual(
      ['lock.data', 'lock.fingerprint', 'lock.integrations', 'lock.schema', 'source.support']);

    const changes = status.events.filter((e) => e.kind === 'change');
    expect(changes.map((e) => e.address)).toEqual(['source.support', 'lock.fingerprint', 'lock.schema', 'lock.integrations', 'lock.data']);
    for (const e of changes) {
      expect(e.outcome, `${e.address}`).toBe('ok');
      expect(e.detail.actions).toEqual(['create']);
    }
    expect(status.events.find((e) => e.kind === 'phase')).toMatchObject({ outcome: 'ok', detail: { phase: 'locked' } });
    expect(status.events.map((e) => e.id)).toEqual([...status.events.map((e) => e.id)].sort((a, b) => a - b));

    // one more phase as target: the gate ahead is shown, open (nothing drifted)
    const ahead = folder.write('locked-next.yaml', shopPlan({ name, target: 'round_tripped' }));
    const next = parseJson<StatusJson>(await cutover(['status', ahead, '--json'], pair.env));
    expect(next.plan.phase).toBe('locked');
    expect(gate(next, 'gate.round_tripped').status).toBe('open');
  });

  it('writes no password into any state row', async () => {
    const rows = await withClient(pair.destination, async (c) => {
      const tables = ['migrations', 'resources', 'events', 'lock_holders', 'findings_cache'];
      let text = '';
      for (const t of tables) text += `${(await c.query<{ t: string | null }>(`SELECT string_agg(x::text, E'\\n') AS t FROM cutover.${t} x`)).rows[0]!.t ?? ''}\n`;
      return text;
    });
    expect(rows).toContain(name);
    expectNoSecrets(rows);
    const support = await withClient(pair.source, async (c) => (await c.query<{ t: string | null }>(`SELECT string_agg(x::text, E'\\n') AS t FROM cutover.backends x`)).rows[0]!.t ?? '');
    expectNoSecrets(support);
  });
});

describe('apply without a terminal and without --auto-approve', () => {
  it('refuses naming --auto-approve (exit 1) and installs nothing on the source', async () => {
    const pair = await freshPair();
    const planFile = folder.write('no-tty.yaml', shopPlan({ name: 'shop-no-tty' }));
    const r = await cutover(['apply', planFile], pair.env);
    expectExit(r, 1);
    expect(r.stdout).toContain('Plan: 5 to add'); // the plan is shown first, as terraform does
    expect(r.stderr).toMatch(/^Error: .*nothing was changed/m);
    expect(r.stderr).toContain('--auto-approve');
    expect(r.stdout).not.toContain('Creating...');

    const objects = await sourceObjects(pair.source);
    expect(objects).toEqual({ eventTriggers: [], triggers: [], hasSchema: false, tables: [] });
    expect(await userSchemas(pair.source)).toEqual([]);
  });
});
