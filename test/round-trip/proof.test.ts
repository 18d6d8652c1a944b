// round_tripped means copied AND proven. A billing migration through the real CLI:
//  - a mapping that multiplies by 1000 instead of 100 (parity cannot see it: mapped source equals
//    destination) is caught by the plan's own check, and a destination column the new system was
//    meant to compute is caught by `computed`: apply stops at the round_tripped proof (exit 3),
//    names each check with its class, count and sample keys, and does not record the phase; once
//    the mapping and the column are fixed, the next apply copies again and passes;
//  - rows written into a destination class table by hand after parity make the pass stale: `plan`
//    plans the parity again (counts), `plan --refresh` finds what counts cannot (full parity),
//    status no longer shows the pass, and apply does not report success until the data is right;
//  - a re-copy over a table holding a row cutover did not write is refused before anything is
//    changed, with the count and key, and the row and every copied row are left as they were.
import { beforeAll, describe, expect, it } from 'vitest';
import { withClient } from '../support/databases.js';
import { endToEndFile } from '../support/cutover-cli.js';
import {
  count, cutover, expectExit, freshPair, parityResults, parseJson, planHead, rows, type Pair, type PlanJson, type StatusJson,
} from './support.js';

const NAME = 'billing-proof';

const SOURCE_SQL = `
CREATE TABLE invoices (id int PRIMARY KEY, total numeric(10,2) NOT NULL);
INSERT INTO invoices SELECT g, g * 333.33 FROM generate_series(1, 20) g;
CREATE TABLE items (id int PRIMARY KEY, sku text NOT NULL);
INSERT INTO items SELECT g, 'sku-' || g FROM generate_series(1, 8) g;
`;

// label is the new system's own column: it should hold upper(sku), but nothing fills it yet
const DESTINATION_SQL = `
CREATE SCHEMA billing;
CREATE TABLE billing.invoices (id int PRIMARY KEY, total_cents bigint NOT NULL);
CREATE TABLE billing.items (id int PRIMARY KEY, sku text NOT NULL, label text NOT NULL DEFAULT '');
`;

function plan(cents: string): string {
  return `${planHead({ name: NAME })}classes:
  invoices:
    source: { table: invoices, key: [id] }
    destination: { table: billing.invoices, key: [id] }
    columns: { id: id, total_cents: "${cents}" }
    checks:
      - name: no invoice over 10,000.00
        destination: SELECT id FROM billing.invoices WHERE total_cents > 1000000 ORDER BY id
  items:
    source: { table: items, key: [id] }
    destination: { table: billing.items, key: [id] }
    columns: { id: id, sku: sku }
    computed:
      label: upper(sku)
`;
}

const folder = endToEndFile();
let pair: Pair;
let planFile: string;

const phase = async () => (await rows<{ phase: string }>(pair.destination, 'SELECT phase FROM cutover.migrations WHERE name = $1', [NAME]))[0]?.phase;

beforeAll(async () => {
  pair = await freshPair(SOURCE_SQL, DESTINATION_SQL);
  planFile = folder.write('billing.yaml', plan('(total * 1000)::bigint'));
}, 60_000);

describe('a phase is reached only when its proof passes', () => {
  it('a failing class check and computed column stop apply at the round_tripped proof, naming each', async () => {
    const apply = await cutover(['apply', planFile, '--auto-approve'], pair.env);
    expectExit(apply, 3);
    const out = apply.stdout;
    expect(out).not.toContain('Apply complete');
    expect(out).not.toContain('Phase round_tripped reached');
    expect(out).toMatch(/Apply stopped at phase locked: \d+ changes applied, 2 failing checks\./);
    expect(out).toContain('Stopped at the round_tripped proof');
    // invoices 4 to 20 are over 10,000.00 once multiplied by 1000
    expect(out).toContain('✗ check "no invoice over 10,000.00" of class invoices: 17 rows, rows returned');
    expect(out).toContain('sample keys: 4; 5; 6; 7; 8 (and 12 more)');
    expect(out).toMatch(/✗ computed column label of class items: 8 rows/);
    expect(out).toContain('sample keys: 1; 2; 3; 4; 5 (and 3 more)');
    expect(out).not.toMatch(/"sampleKeys"|\{"/); // words, not JSON
    expect(await phase()).toBe('locked');

    // the failed checks are not applied: the next plan runs them again, saying why
    const doc = parseJson<PlanJson>(await cutover(['plan', planFile, '--json'], pair.env));
    const planned = doc.resource_changes.map((c) => `${c.address}:${c.actions.join('/')}`);
    expect(planned).toEqual(expect.arrayContaining(['class.invoices.parity:create', 'class.items.parity:create']));
    const human = await cutover(['plan', planFile], pair.env);
    expect(human.stdout).toMatch(/class\.invoices\.parity will be created\n\s+\(it runs again: its last run failed\)/);
    const status = parseJson<StatusJson>(await cutover(['status', planFile, '--json'], pair.env));
    expect(status.plan.phase).toBe('locked');
  }, 90_000);

  it('once the mapping and the column are fixed, the next apply copies again, checks again and passes', async () => {
    folder.write('billing.yaml', plan('(total * 100)::bigint'));
    await withClient(pair.destination, (c) => c.query('UPDATE billing.items SET label = upper(sku)'));
    const apply = await cutover(['apply', planFile, '--auto-approve'], pair.env);
    expectExit(apply, 0);
    expect(apply.stdout).toContain('class.invoices.copy: Replacement complete');
    expect(apply.stdout).toMatch(/class\.invoices\.parity: (Creation|Modifications) complete/);
    expect(apply.stdout).toMatch(/class\.items\.parity: (Creation|Modifications) complete/);
    expect(apply.stdout).toContain('Apply complete! Phase round_tripped reached.');
    expect(await phase()).toBe('round_tripped');
    expect(await count(pair.destination, 'SELECT max(total_cents) AS n FROM billing.invoices')).toBe(666_660);
    const parity = await parityResults(pair.destination, NAME);
    expect(parity.get('invoices')?.passed).toBe(true);
    expect(parity.get('items')?.passed).toBe(true);
  }, 90_000);
});

describe('results never go stale', () => {
  it('a row written into a destination table after parity reopens its parity; apply fails until it is gone', async () => {
    await withClient(pair.destination, (c) => c.query(`INSERT INTO billing.items VALUES (100, 'sku-100', 'SKU-100')`));

    const doc = parseJson<PlanJson>(await cutover(['plan', planFile, '--json'], pair.env));
    expect(doc.resource_changes.map((c) => `${c.address}:${c.actions.join('/')}`)).toEqual(['class.items.parity:create']);
    const human = await cutover(['plan', planFile], pair.env);
    expect(human.stdout).toMatch(/rows of class items changed outside cutover since its parity ran: its destination table holds 9 rows, 9 not written by cutover \(then 8 rows, 8 not written by cutover\)/);
    expect(human.stdout).not.toContain('No changes.');
    // status shows no pass older than the data it judged
    const status = parseJson<StatusJson>(await cutover(['status', planFile, '--json'], pair.env));
    expect(status.parity.map((p) => `${p.class}:${p.passed}`)).toEqual(['invoices:true']);

    const apply = await cutover(['apply', planFile, '--auto-approve'], pair.env);
    expectExit(apply, 3);
    expect(apply.stdout).toContain('✗ parity of class items: 1 row, rows in the destination that the source does not have');
    expect(apply.stdout).toContain('sample keys: 100');
    expect(apply.stdout).not.toContain('Apply complete');

    await withClient(pair.destination, (c) => c.query('DELETE FROM billing.items WHERE id = 100'));
    const again = await cutover(['apply', planFile, '--auto-approve'], pair.env);
    expectExit(again, 0);
    expect(again.stdout).toContain('class.items.parity: Creation complete');
    expect(again.stdout).toContain('Apply complete! Phase round_tripped reached.');
  }, 90_000);

  it('plan --refresh runs parity in full and finds a change no count shows', async () => {
    // every items row was already changed by hand (the label backfill): one more change moves no count
    await withClient(pair.destination, (c) => c.query(`UPDATE billing.items SET sku = 'SKU-TWO' WHERE id = 2`));
    const cheap = parseJson<PlanJson>(await cutover(['plan', planFile, '--json'], pair.env));
    expect(cheap.resource_changes).toEqual([]);

    const refreshed = parseJson<PlanJson>(await cutover(['plan', planFile, '--refresh', '--json'], pair.env));
    // a check of the phase failed, so every check of it runs again
    expect(refreshed.resource_changes.map((c) => `${c.address}:${c.actions.join('/')}`).sort()).toEqual(['class.invoices.parity:create', 'class.items.parity:create']);
    const items = refreshed.parity.find((p) => p.class === 'items')!;
    expect(items.passed).toBe(false);
    expect(items.differences.find((d) => d.kind === 'changed')).toMatchObject({ sample_keys: [[2]], columns: ['sku'] });

    await withClient(pair.destination, (c) => c.query(`UPDATE billing.items SET sku = 'sku-2' WHERE id = 2`));
    const clean = parseJson<PlanJson>(await cutover(['plan', planFile, '--refresh', '--json'], pair.env));
    expect(clean.resource_changes).toEqual([]);
  }, 90_000);
});

describe('a re-copy never deletes rows cutover did not write', () => {
  it('is refused before anything changes, with the count and key; once the row is gone it copies again', async () => {
    await withClient(pair.destination, (c) => c.query('INSERT INTO billing.invoices VALUES (999, 42)'));
    folder.write('billing.yaml', plan('round(total * 100)::bigint'));

    const human = await cutover(['plan', planFile], pair.env);
    expect(human.stdout).toMatch(/class\.invoices\.copy will be replaced/);
    expect(human.stdout).toMatch(/recopy-foreign-rows/);
    expect(human.stdout).toMatch(/billing\.invoices holds 1 row cutover did not write/);
    expect(human.stdout).toMatch(/sample keys: 999/);

    const refused = await cutover(['apply', planFile, '--auto-approve'], pair.env);
    expectExit(refused, 1);
    expect(refused.stderr).toMatch(/nothing was changed: class\.invoices\.copy will be replaced, but billing\.invoices holds 1 row cutover did not write.*sample keys: 999/);
    expect(refused.stdout).not.toMatch(/Destroying|Replacing/);
    expect(await count(pair.destination, 'SELECT count(*) AS n FROM billing.invoices')).toBe(21);
    expect(await rows(pair.destination, 'SELECT total_cents::int AS t FROM billing.invoices WHERE id = 999')).toEqual([{ t: 42 }]);

    await withClient(pair.destination, (c) => c.query('DELETE FROM billing.invoices WHERE id = 999'));
    const done = await cutover(['apply', planFile, '--auto-approve'], pair.env);
    expectExit(done, 0);
    expect(done.stdout).toContain('class.invoices.copy: Replacement complete');
    expect(done.stdout).toContain('Apply complete! Phase round_tripped reached.');
    expect(await count(pair.destination, 'SELECT count(*) AS n FROM billing.invoices')).toBe(20);
  }, 90_000);
});
