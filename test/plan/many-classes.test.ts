// `cutover plan` for 200 record classes completes and plans the lock of all 200 tables. (That the
// catalogs are read in a constant number of queries is tested on introspection itself, in
// test/introspect; no timing is asserted here.)
import { beforeAll, describe, expect, it } from 'vitest';
import { freshPair } from '../support/databases.js';
import { endToEndFile } from '../support/cutover-cli.js';
import { planHead } from '../support/plan-folder.js';
import { expectExit, gateOf, planDocument, runPlan, type PlanDocument } from './support.js';

const CLASSES = 200;
const names = Array.from({ length: CLASSES }, (_, i) => `item_${String(i + 1).padStart(3, '0')}`);

/** One statement creating every table, with a few rows each on the source. */
const tables = (schema: string, rows: boolean) => `DO $$
BEGIN
  FOR i IN 1..${CLASSES} LOOP
    EXECUTE format('CREATE TABLE ${schema}.%I (id int PRIMARY KEY, label text NOT NULL, amount numeric(10,2))', 'item_' || lpad(i::text, 3, '0'));
    ${rows ? `EXECUTE format('INSERT INTO ${schema}.%I SELECT n, ''L'' || n, n * 1.5 FROM generate_series(1, 3) AS n', 'item_' || lpad(i::text, 3, '0'));` : ''}
  END LOOP;
END $$;`;

const PLAN = `${planHead({ name: 'two-hundred-classes', target: 'locked' })}lock: { schema: detect, integrations: detect }   # the gate then opens whatever the role's privileges
classes:
${names.map((n) => `  ${n}:
    source: { table: ${n}, key: [id] }
    destination: { table: app.${n}, key: [id] }
    columns: { id: id, label: label, amount: amount }
    reverse: { id: id, label: label, amount: amount }
`).join('')}`;

const folder = endToEndFile();
let document: PlanDocument;

beforeAll(async () => {
  const { env } = await freshPair(tables('public', true), `CREATE SCHEMA app; ${tables('app', false)}`, 'planmany');
  const result = await runPlan(folder.write('plan.yaml', PLAN), ['--json'], env);
  expectExit(result, 0);
  document = planDocument(result);
});

describe('plan for 200 classes', () => {
  it('completes with no findings, and lock.data locks all 200 tables', () => {
    expect(document.preflight).toEqual([]);
    expect(gateOf(document, 'gate.locked')).toMatchObject({ status: 'open', reasons: [] });
    const lock = document.resource_changes.find((c) => c.address === 'lock.data');
    expect(lock).toMatchObject({ phase: 'locked', actions: ['create'], before: null });
    expect(lock!.after!.tables).toEqual(names);
    expect(document.resource_changes.map((c) => c.address)).toEqual(['source.support', 'lock.fingerprint', 'lock.data']);
    expect(document.summary).toEqual({ add: 3, change: 0, destroy: 0, gates_blocked: 0, data_problems: 0 });
  });
});
