// What a pipeline reads from `plan`: --detailed-exitcode gives 2 only for changes and 1 when the
// plan counts data problems (apply would refuse them); a gate that is blocked with nothing to
// apply ends on `No changes.` and what is in the way, never above it; and drift since the lock
// (the fingerprint's differences, new client sessions) is in the human output and in --json
// under `drift`, also once the round_tripped gate that drift blocks has been passed.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { withClient } from '../support/databases.js';
import { cutover, endToEndFile, expectExit } from '../support/cutover-cli.js';
import { lockSection, planHead } from '../support/plan-folder.js';
import { freshPair } from '../round-trip/support.js';
import { planDocument } from './support.js';

const SOURCE_SQL = `
CREATE TABLE ledger (id int PRIMARY KEY, amount numeric(12,2), memo text);
INSERT INTO ledger SELECT g, g / 100.0, 'entry ' || g FROM generate_series(1, 20) g;
`;
const DESTINATION_SQL = `
CREATE SCHEMA books;
CREATE TABLE books.ledger (id int PRIMARY KEY, amount numeric(12,2) NOT NULL, memo text);
`;

const plan = (name: string, target: string) => `${planHead({ name, target })}${lockSection({ schema: 'detect', integrations: 'detect' })}classes:
  ledger:
    source: { table: ledger, key: [id] }
    destination: { table: books.ledger, key: [id] }
    columns: { id: id, amount: amount, memo: memo }
`;

const folder = endToEndFile();
const lastLine = (text: string) => text.trimEnd().split('\n').pop();

describe('plan --detailed-exitcode', () => {
  it('exits 1 when the plan counts a data problem, which also holds back every change (apply would lock nothing)', async () => {
    const pair = await freshPair(`${SOURCE_SQL}UPDATE ledger SET amount = NULL WHERE id = 7;`, DESTINATION_SQL);
    const file = folder.write('problem.yaml', plan('ledger-problem', 'round_tripped'));
    const r = await cutover(['plan', file, '--detailed-exitcode'], pair.env);
    expectExit(r, 1);
    expect(r.stdout).toMatch(/error\s+null-into-not-null, column amount, 1 row/);
    expect(r.stdout).not.toMatch(/will be created/);
    expect(lastLine(r.stdout)).toBe('No changes. 1 gate blocked. 1 data problem.');
  }, 60_000);

  it('exits 0 with `No changes. 1 gate blocked.` last when drift blocks the next gate and nothing can be applied', async () => {
    const pair = await freshPair(SOURCE_SQL.replace('amount numeric(12,2)', 'amount numeric(12,2) NOT NULL'), DESTINATION_SQL);
    const name = 'ledger-drift-locked';
    expectExit(await cutover(['apply', folder.write('drift-lock.yaml', plan(name, 'locked')), '--auto-approve'], pair.env), 0);
    await withClient(pair.source, (c) => c.query('CREATE UNIQUE INDEX ledger_memo ON ledger (memo)'));

    const file = folder.write('drift-next.yaml', plan(name, 'round_tripped'));
    const r = await cutover(['plan', file, '--detailed-exitcode'], pair.env);
    expectExit(r, 0);
    expect(r.stdout).not.toContain('The destination matches the plan');
    expect(r.stdout).toContain('Drift since the lock:\n  changed table public.ledger: unique index ledger_memo added');
    expect(lastLine(r.stdout)).toBe('No changes. 1 gate blocked. 1 source change since the lock.');
  }, 90_000);
});

describe('drift once round_tripped is reached', () => {
  it('is in the human output and in --json under `drift`: a new unique index and a new client session', async () => {
    const pair = await freshPair(SOURCE_SQL.replace('amount numeric(12,2)', 'amount numeric(12,2) NOT NULL'), DESTINATION_SQL);
    const file = folder.write('drift-after.yaml', plan('ledger-drift-after', 'round_tripped'));
    const applied = await cutover(['apply', file, '--auto-approve'], pair.env);
    expectExit(applied, 0);
    expect(applied.stdout, 'apply holds the state lock itself: no note about it').not.toContain('the state is locked');
    await withClient(pair.source, (c) => c.query('CREATE UNIQUE INDEX ledger_memo ON ledger (memo)'));
    const etl = new pg.Client({ connectionString: pair.source, application_name: 'nightly-etl' });
    await etl.connect();
    try {
      const human = await cutover(['plan', file, '--detailed-exitcode'], pair.env);
      expectExit(human, 0);
      expect(human.stdout).not.toContain('The destination matches the plan');
      expect(human.stdout).toContain('Drift since the lock:\n  changed table public.ledger: unique index ledger_memo added\n');
      expect(human.stdout).toMatch(/\n {2}new client \S+ \/ nightly-etl \/ [^\n]+ \(a possible new integration/);
      expect(lastLine(human.stdout)).toBe('No changes. 1 source change since the lock.');

      const json = planDocument(await cutover(['plan', file, '--json'], pair.env));
      expect(json.drift.source_changes).toEqual(['table public.ledger: unique index ledger_memo added']);
      expect(json.drift.new_connections).toHaveLength(1);
      expect(json.drift.new_connections[0]).toMatch(/ \/ nightly-etl \/ /);
      expect(json.state_lock).toBeNull();
    } finally {
      await etl.end();
    }
  }, 90_000);
});
