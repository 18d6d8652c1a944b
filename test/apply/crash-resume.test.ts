// kill -9 of `apply` between two lock steps: the rerun converges, and nothing is installed twice.
// Forty classes in freeze mode make phase one long enough (a data-lock trigger and capture per
// table) that the kill, sent as soon as `lock.schema: Creation complete` is printed, lands midway.
import { describe, expect, it } from 'vitest';
import { withClient } from '../support/databases.js';
import { endToEndFile } from '../support/cutover-cli.js';
import { lockSection, planHead } from '../support/plan-folder.js';
import { cutover, expectExit, freshPair, LiveCli, objectNames, parseJson, sourceObjects, type StatusJson } from './support.js';

const folder = endToEndFile();

const TABLES = Array.from({ length: 40 }, (_, i) => `item_${String(i + 1).padStart(2, '0')}`);

const SOURCE = TABLES.map((t, i) => `CREATE TABLE ${t} (id int PRIMARY KEY, label text NOT NULL);
  INSERT INTO ${t} SELECT g, 'row ' || g FROM generate_series(1, ${i + 1}) g;`).join('\n');
const DESTINATION = `CREATE SCHEMA inventory;\n${TABLES.map((t) => `CREATE TABLE inventory.${t} (id int PRIMARY KEY, label text NOT NULL);`).join('\n')}`;

function manyClassesPlan(name: string): string {
  const classes = TABLES.map((t) => `  ${t}:
    source: { table: ${t}, key: [id] }
    destination: { table: inventory.${t}, key: [id] }
    columns: { id: id, label: label }
    reverse: { id: id, label: label }`).join('\n');
  const data = `    mode: freeze
    rules:
      - { classes: [item_01], allow: [insert], reason: intake keeps registering items }
    ends: 2099-12-31T00:00:00Z`;
  return `${planHead({ name, target: 'locked' })}${lockSection({ data })}classes:
${classes}
`;
}

describe('kill -9 of apply mid-way through phase one', () => {
  it('the rerun converges (exit 0), with every lock object exactly once and phase locked', async () => {
    const name = 'inventory-crash';
    const names = objectNames(name);
    const pair = await freshPair(SOURCE, DESTINATION);
    const planFile = folder.write('crash.yaml', manyClassesPlan(name));

    const first = new LiveCli(['apply', planFile, '--auto-approve'], pair.env);
    await first.waitFor(/lock\.schema: Creation complete/);
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.stdout).not.toContain('Apply complete');

    // the first run stopped part-way: the migration is not locked yet
    const midway = await withClient(pair.destination, async (c) => (await c.query<{ phase: string }>(
      'SELECT phase FROM cutover.migrations WHERE name = $1', [name])).rows[0]?.phase);
    expect(midway).toBe('none');
    const partial = await sourceObjects(pair.source);
    expect(partial.eventTriggers).toContain(names.schemaLock);
    expect(partial.triggers.filter((t) => t.endsWith(`:${names.capture}`)).length).toBeLessThan(TABLES.length);

    // the killed run's sessions end with it; the rerun waits for its state lock if need be
    const rerun = await cutover(['apply', planFile, '--auto-approve', '--lock-timeout', '20s'], pair.env);
    expectExit(rerun, 0);
    expect(rerun.stdout).toContain('Apply complete! Phase locked reached.');

    const objects = await sourceObjects(pair.source);
    expect(objects.eventTriggers).toEqual([names.integrationLock, names.schemaDrop, names.schemaLock].sort());
    const expectedTriggers = TABLES.flatMap((t) => [`${t}:${names.capture}`, `${t}:${names.captureTruncate(t)}`, `${t}:${names.dataLock}`]).sort();
    expect(objects.triggers).toEqual(expectedTriggers); // one of each per table, none twice
    expect(objects.tables).toEqual(['backends', names.captureLog].sort()); // one capture log for every class
    const functions = await withClient(pair.source, async (c) => (await c.query<{ name: string; n: number }>(
      `SELECT proname AS name, count(*)::int AS n FROM pg_proc WHERE pronamespace = 'cutover'::regnamespace GROUP BY 1 ORDER BY 1`)).rows);
    for (const f of functions) expect(f.n, f.name).toBe(1);

    const status = parseJson<StatusJson>(await cutover(['status', planFile, '--json'], pair.env));
    expect(status.plan.phase).toBe('locked');
    expect(status.resources.filter((r) => r.address.endsWith('.capture'))).toHaveLength(TABLES.length);

    // and the locks work: the allowed insert is captured, another write is rejected
    await withClient(pair.source, async (c) => {
      await c.query(`INSERT INTO item_01 VALUES (100, 'new intake')`);
      const captured = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM cutover.${c.escapeIdentifier(names.captureLog)} WHERE class = 'item_01'`);
      expect(captured.rows[0]!.n).toBe(1);
      await expect(c.query(`INSERT INTO item_02 VALUES (100, 'x')`)).rejects.toThrow(/locked \(freeze\) by migration inventory-crash/);
    });
  }, 90_000);
});
