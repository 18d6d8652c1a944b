// A plan mistake `plan` can already see never locks the source: every finding that would stop a
// phase up to the target is judged before apply's first change. With target round_tripped, a
// missing destination table, a destination column of an incompatible type and a mapping that
// fails on some rows each make apply change nothing at all (exit 1, both catalogs as they were),
// where it used to install every lock and stop at gate.round_tripped. And once the target is
// reached, `plan` goes on checking the mappings and destination tables.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { endToEndFile } from '../support/cutover-cli.js';
import { databaseSnapshot, withClient } from '../support/databases.js';
import {
  cutover, DESTINATION_SQL, expectExit, freshPair, gate, parseJson, shopPlan, SOURCE_SQL, sourceObjects, type Pair, type PlanJson,
} from './support.js';

const folder = endToEndFile();

interface FindingJson { class: string; column: string | null; kind: string; severity: string; count: number | null; sample_keys: unknown[][] }
type Document = PlanJson & { preflight: FindingJson[] };

/** Both databases' catalogs and rows, but for the rows of cutover's own state (its event log, its lock holders). */
async function snapshots(pair: Pair): Promise<unknown[]> {
  return Promise.all([pair.source, pair.destination].map(async (url) => {
    const { catalog, data } = await withClient(url, (c: pg.Client) => databaseSnapshot(c)) as { catalog: unknown; data: Record<string, string> };
    return { catalog, data: Object.fromEntries(Object.entries(data).filter(([table]) => !table.startsWith('cutover.'))) };
  }));
}

const FAULTS: { title: string; kind: string; destination: string; plan: (yaml: string) => string }[] = [
  {
    title: 'a missing destination table',
    kind: 'destination-table-missing',
    destination: DESTINATION_SQL.replace(/CREATE TABLE shop\.order_lines[\s\S]*$/, ''),
    plan: (yaml) => yaml,
  },
  {
    title: 'a destination column of an incompatible type',
    kind: 'type-incompatible',
    destination: DESTINATION_SQL.replace('placed_at timestamptz NOT NULL', 'placed_at int NOT NULL'),
    plan: (yaml) => yaml,
  },
  {
    title: 'a mapping that fails on some rows (division by zero)',
    kind: 'mapping-failed',
    destination: DESTINATION_SQL,
    plan: (yaml) => yaml.replace('sku: sku, qty: qty }', 'sku: sku, qty: 12 / (qty - 2) }'),
  },
];

describe('apply to round_tripped with a mistake plan can see', () => {
  for (const fault of FAULTS) {
    it(`${fault.title}: changes nothing on either side and exits 1, naming ${fault.kind}`, async () => {
      const pair = await freshPair(SOURCE_SQL, fault.destination);
      const planFile = folder.write(`${fault.kind}.yaml`, fault.plan(shopPlan({ name: `judged-${fault.kind}`, target: 'round_tripped' })));

      const json = parseJson<Document>(await cutover(['plan', planFile, '--json'], pair.env));
      expect(json.preflight.map((f) => f.kind)).toContain(fault.kind);
      expect(gate(json, 'gate.round_tripped').status).toBe('blocked');
      expect(gate(json, 'gate.round_tripped').reasons.join('\n')).toContain(fault.kind);
      expect(json.resource_changes).toEqual([]); // the lock is not planned: apply would not make it

      const before = await snapshots(pair);
      const applied = await cutover(['apply', planFile, '--auto-approve'], pair.env);
      expectExit(applied, 1);
      expect(applied.stdout + applied.stderr).toContain(fault.kind);
      expect(applied.stderr).toMatch(/nothing was changed/);
      expect(applied.stdout).not.toContain('Creating...');
      expect(await snapshots(pair)).toEqual(before);
      expect(await sourceObjects(pair.source)).toEqual({ eventTriggers: [], triggers: [], hasSchema: false, tables: [] });
    }, 90_000);
  }

  it('the failing mapping is named with its count and the keys of the rows it fails on', async () => {
    const pair = await freshPair(SOURCE_SQL, DESTINATION_SQL);
    const planFile = folder.write('failing.yaml', FAULTS[2]!.plan(shopPlan({ name: 'judged-failing', target: 'round_tripped' })));
    const json = parseJson<Document>(await cutover(['plan', planFile, '--json'], pair.env));
    expect(json.preflight.filter((f) => f.kind === 'mapping-failed')).toMatchObject([
      { class: 'order_lines', column: 'qty', severity: 'error', count: 1, sample_keys: [[10, 2]] },
    ]);
  }, 60_000);
});

describe('after the target is reached', () => {
  it('plan still checks the destination tables and mappings, and apply changes nothing while they are wrong', async () => {
    const pair = await freshPair(SOURCE_SQL, DESTINATION_SQL);
    const planFile = folder.write('reached.yaml', shopPlan({ name: 'judged-reached', target: 'round_tripped' }));
    expectExit(await cutover(['apply', planFile, '--auto-approve'], pair.env), 0);

    await withClient(pair.destination, (c) => c.query(`
      ALTER TABLE shop.customers DROP COLUMN name;
      ALTER TABLE shop.order_lines RENAME TO order_lines_old`));
    const result = await cutover(['plan', planFile, '--json'], pair.env);
    expectExit(result, 0);
    const json = parseJson<Document>(result);
    expect(json.plan.phase).toBe('round_tripped');
    const found = json.preflight.filter((f) => f.severity === 'error').map((f) => `${f.class}:${f.kind}:${f.column ?? ''}`).sort();
    expect(found).toEqual(['customers:destination-column-missing:name', 'order_lines:destination-table-missing:']);
    expect(json.summary.data_problems).toBe(2);

    // a mapping change that would re-copy customers is not started over a broken destination
    const changed = folder.write('reached-changed.yaml', shopPlan({ name: 'judged-reached', target: 'round_tripped' })
      .replace('columns: { id: id, email: email, name: name }', 'columns: { id: id, email: lower(email), name: name }'));
    const before = await snapshots(pair);
    const applied = await cutover(['apply', changed, '--auto-approve'], pair.env);
    expectExit(applied, 1);
    expect(applied.stdout + applied.stderr).toContain('destination-column-missing');
    expect(applied.stdout).not.toMatch(/class\.customers\.copy: Replacing/);
    expect(await snapshots(pair)).toEqual(before);
  }, 120_000);
});
