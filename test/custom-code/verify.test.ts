// Custom-code verify queries against a real destination: rows returned fail the entry, no rows
// pass it, a broken query is a verify-error, and nothing a verify query does can write.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerifyQueries } from '../../engine/checks/custom-code-verify.js';
import type { CustomCodeEntry, Plan } from '../../engine/plan/types.js';
import { dropFreshDatabases, freshDatabase } from '../support/databases.js';

const DESTINATION_SQL = `
CREATE SCHEMA storefront;
CREATE TABLE storefront.invoices (id int PRIMARY KEY, total_cents bigint NOT NULL, note text);
CREATE TABLE storefront.invoice_lines (invoice_id int NOT NULL REFERENCES storefront.invoices (id), unit_price_cents bigint NOT NULL, quantity int NOT NULL);
INSERT INTO storefront.invoices VALUES (1, 300, 'ok'), (2, 999, NULL), (3, 9007199254740993, 'huge');
INSERT INTO storefront.invoice_lines VALUES (1, 100, 3), (2, 250, 4), (3, 9007199254740993, 1);`;

const TOTALS_DISAGREE = `SELECT i.id FROM storefront.invoices i JOIN storefront.invoice_lines l ON l.invoice_id = i.id
  GROUP BY i.id, i.total_cents HAVING i.total_cents <> sum(l.unit_price_cents * l.quantity)`;

function planOf(entries: CustomCodeEntry[]): Plan {
  return {
    version: 1, name: 'verify-test', target: 'round_tripped',
    source: { url: 'unused', schemas: ['public'] }, destination: { url: 'unused' },
    classes: {}, custom_code: entries,
  };
}

let destination: pg.Client;
const checkedAt = new Date('2026-04-01T00:00:00Z');

beforeAll(async () => {
  const url = await freshDatabase('destination', 'verify');
  destination = new pg.Client({ connectionString: url });
  await destination.connect();
  await destination.query(DESTINATION_SQL);
});

afterAll(async () => {
  await destination?.end();
  await dropFreshDatabases();
});

describe('runVerifyQueries', () => {
  it('passes when every verify query returns no rows', async () => {
    const result = await runVerifyQueries({
      plan: planOf([
        { source: 'trigger public.invoice_line.update_invoice_total', reimplemented: 'trigger storefront.invoice_lines.update_total',
          verify: `${TOTALS_DISAGREE.replace('GROUP BY', 'AND i.id = 1 GROUP BY')};  ` },
        { source: 'function public.last_day(timestamp without time zone)', retired: 'replaced by date_trunc' },
        { source: 'external nightly-export', pending: 'ERP-311', verify: 'SELECT 1' } as CustomCodeEntry,
        { source: 'view public.totals', reimplemented: 'view storefront.totals' },
      ]),
      destination, checkedAt,
    });
    expect(result).toMatchObject({ class: 'custom_code', kind: 'custom-code', passed: true, problems: [] });
    expect(result.summary).toBe('1 verify query: 1 passed; 1 re-implemented entry has no verify query');
  });

  it('fails an entry whose query returns rows, with up to 20 rows as arrays of values', async () => {
    const result = await runVerifyQueries({
      plan: planOf([
        { source: 'trigger public.invoice_line.update_invoice_total', reimplemented: 'trigger storefront.invoice_lines.update_total', verify: TOTALS_DISAGREE },
        { source: 'function public.invoice_summary(integer)', reimplemented: 'function storefront.invoice_summary(integer)',
          verify: `-- every invoice, with a duplicate column name
SELECT i.id, i.total_cents, i.note, i.id, i.total_cents > 0 AS positive FROM storefront.invoices i ORDER BY i.id -- trailing comment` },
        { source: 'view public.many', reimplemented: 'view storefront.many', verify: 'SELECT g FROM generate_series(1, 50) g' },
      ]),
      destination, checkedAt,
    });
    expect(result.passed).toBe(false);
    expect(result.problems.map((p) => [p.kind, p.count])).toEqual([['verify-failed', 1], ['verify-failed', 3], ['verify-failed', 50]]);
    const [totals, summary, many] = result.problems;
    expect(totals!.samples).toEqual([[2]]);
    expect(totals!.detail).toBe('trigger public.invoice_line.update_invoice_total → trigger storefront.invoice_lines.update_total: the verify query returned 1 row where the re-implementation disagrees');
    expect(summary!.samples).toEqual([
      [1, 300, 'ok', 1, true],
      [2, 999, null, 2, true],
      [3, '9007199254740993', 'huge', 3, true],
    ]);
    expect(many!.samples).toHaveLength(20);
    expect(result.summary).toBe('3 verify queries: 0 passed, 3 failed');
  });

  it('reports a broken query as a verify-error and carries on with the next', async () => {
    const result = await runVerifyQueries({
      plan: planOf([
        { source: 'trigger public.a.t', reimplemented: 'trigger storefront.a.t', verify: 'SELECT id FROM storefront.no_such_table' },
        { source: 'trigger public.b.t', reimplemented: 'trigger storefront.b.t', verify: 'SELECT 1 WHERE false' },
        { source: 'trigger public.c.t', reimplemented: 'trigger storefront.c.t', verify: `WITH gone AS (DELETE FROM storefront.invoice_lines RETURNING invoice_id) SELECT * FROM gone` },
        { source: 'trigger public.d.t', reimplemented: 'trigger storefront.d.t', verify: `SELECT storefront_fn() FROM (SELECT 1) x; DELETE FROM storefront.invoice_lines` },
      ]),
      destination, checkedAt,
    });
    expect(result.passed).toBe(false);
    expect(result.problems.map((p) => p.kind)).toEqual(['verify-error', 'verify-error', 'verify-error']);
    expect(result.problems[0]!.detail).toMatch(/^the verify query of trigger public.a.t → trigger storefront.a.t failed: relation "storefront.no_such_table" does not exist/);
    expect(result.summary).toBe('4 verify queries: 1 passed, 3 could not run');
    // nothing was written, and the session is usable
    const { rows } = await destination.query<{ n: number }>('SELECT count(*)::int AS n FROM storefront.invoice_lines');
    expect(rows[0]!.n).toBe(3);
  });

  it('runs under savepoints inside a transaction the caller holds', async () => {
    await destination.query('BEGIN READ ONLY');
    try {
      const result = await runVerifyQueries({
        plan: planOf([
          { source: 'trigger public.a.t', reimplemented: 'trigger storefront.a.t', verify: 'SELECT nope' },
          { source: 'trigger public.b.t', reimplemented: 'trigger storefront.b.t', verify: TOTALS_DISAGREE },
        ]),
        destination, checkedAt, destinationInTransaction: true,
      });
      expect(result.problems.map((p) => p.kind)).toEqual(['verify-error', 'verify-failed']);
      const { rows } = await destination.query<{ ok: number }>('SELECT 1 AS ok');
      expect(rows[0]!.ok).toBe(1);
    } finally {
      await destination.query('ROLLBACK');
    }
  });
});
