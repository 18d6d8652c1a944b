// Saved plans: `plan -out FILE` writes down exactly what `apply FILE` will do, with no secret in
// it; once the state or the plan file moved on, `apply FILE` refuses it as stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withClient } from '../support/databases.js';
import { endToEndFile } from '../support/cutover-cli.js';
import { cutover, expectExit, expectNoSecrets, freshPair, shopPlan, sourceObjects } from './support.js';

const folder = endToEndFile();

interface SavedPlanFile {
  kind: string;
  result: { changes: { address: string; actions: string[] }[] };
}

describe('saved plans', () => {
  it('`plan -out FILE` then `apply FILE` applies exactly the saved changes (exit 0), and the file holds no password', async () => {
    const pair = await freshPair();
    const planFile = folder.write('saved.yaml', shopPlan({ name: 'shop-saved' }));
    const out = folder.path('saved.plan');

    const planned = await cutover(['plan', planFile, '-out', out], pair.env);
    expectExit(planned, 0);
    expect(planned.stdout).toContain(`cutover apply ${out}`);
    const text = readFileSync(out, 'utf8');
    expectNoSecrets(text);
    expect(text).not.toContain(pair.source);
    expect(text).not.toContain(pair.destination);
    const saved = JSON.parse(text) as SavedPlanFile;
    expect(saved.kind).toBe('cutover-saved-plan');
    const addresses = saved.result.changes.map((c) => c.address);
    expect(addresses).toEqual(['source.support', 'lock.fingerprint', 'lock.schema', 'lock.integrations', 'lock.data']);

    const applied = await cutover(['apply', out], pair.env); // a saved plan is its own approval
    expectExit(applied, 0);
    const done = [...applied.stdout.matchAll(/^(\S+): Creation complete/gm)].map((m) => m[1]);
    expect(done).toEqual(addresses);
    expect(applied.stdout).toContain('Apply complete! Phase locked reached. 5 changes applied.');
    const phase = await withClient(pair.destination, async (c) => (await c.query<{ phase: string }>(
      'SELECT phase FROM cutover.migrations WHERE name = $1', ['shop-saved'])).rows[0]?.phase);
    expect(phase).toBe('locked');
  }, 90_000);

  it('is refused as stale (exit 1) once the state changed since it was saved', async () => {
    const pair = await freshPair();
    const planFile = folder.write('stale.yaml', shopPlan({ name: 'shop-stale' }));
    const out = folder.path('stale.plan');
    expectExit(await cutover(['plan', planFile, '-out', out], pair.env), 0);
    // meanwhile someone applies the plan itself
    expectExit(await cutover(['apply', planFile, '--auto-approve'], pair.env), 0);
    const triggers = (await sourceObjects(pair.source)).triggers;

    const r = await cutover(['apply', out], pair.env);
    expectExit(r, 1);
    expect(r.stderr).toMatch(/^Error: the saved plan is stale: .*the migration state changed since the plan was saved/m);
    expect(r.stdout).not.toContain('Creating...');
    expect((await sourceObjects(pair.source)).triggers).toEqual(triggers);
  }, 90_000);

  it('is refused as stale (exit 1) once the plan file changed since it was saved', async () => {
    const pair = await freshPair();
    const planFile = folder.write('edited.yaml', shopPlan({ name: 'shop-edited' }));
    const out = folder.path('edited.plan');
    expectExit(await cutover(['plan', planFile, '-out', out], pair.env), 0);
    writeFileSync(planFile, shopPlan({ name: 'shop-edited' }).replace('the new shop counts orders itself', 'reports moved to the warehouse'));

    const r = await cutover(['apply', out], pair.env);
    expectExit(r, 1);
    expect(r.stderr).toMatch(/^Error: the saved plan is stale: the plan file .* changed since the plan was saved/m);
    expect((await sourceObjects(pair.source)).hasSchema).toBe(false);
  }, 60_000);
});
