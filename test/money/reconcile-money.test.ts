// Money reconciliation against real servers: invoices in dollars (and euros) on the source, in cents
// on the destination, per business day in New York; a hand-made bank statement beside the plan.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Catalog } from '../../engine/introspect/catalog.js';
import { introspect } from '../../engine/introspect/introspect.js';
import type { CheckResult } from '../../engine/diff/plan-result.js';
import type { MoneySection, Plan, RecordClass } from '../../engine/plan/types.js';
import { ensureStateSchema } from '../../engine/state/state-store.js';
import {
  cleanStreak, reconcileMoney, reconcileMoneyDays, writeReconciliationDays, type ReconciliationDay, type RunCommand,
} from '../../engine/checks/money/index.js';
import { dropFreshDatabases, freshDatabase } from '../support/databases.js';

const SOURCE_SQL = `
CREATE TABLE public.invoice (
  invoice_id int PRIMARY KEY,
  customer_id int NOT NULL,
  total numeric(10,2) NOT NULL,
  currency text NOT NULL,
  invoice_date timestamp NOT NULL,
  status text NOT NULL
);`;

const DESTINATION_SQL = `
CREATE SCHEMA storefront;
CREATE TABLE storefront.invoices (
  id int PRIMARY KEY,
  customer_id int NOT NULL,
  issued_at timestamptz NOT NULL,
  total_cents bigint NOT NULL,
  currency text NOT NULL
);`;

// 600 invoices every 97 minutes from 2026-03-01 local New York time (across the DST change on
// 2026-03-08, and around every midnight), every third in EUR, every 50th void (outside `where`).
const GENERATE = `
  SELECT g AS invoice_id, g % 7 AS customer_id, (((g * 3761) % 100000) / 100.0 + 1)::numeric(10,2) AS total,
         CASE WHEN g % 3 = 0 THEN 'EUR' ELSE 'USD' END AS currency,
         timestamp '2026-03-01 00:00' + g * interval '97 minutes' AS invoice_date,
         CASE WHEN g % 50 = 0 THEN 'void' ELSE 'ok' END AS status
    FROM generate_series(1, 600) g`;

const MIGRATION = 'money-test';
const STATE = 'cutover';

function moneySection(extra: Partial<MoneySection> = {}): MoneySection {
  return {
    amount: 'total_cents', currency: 'currency', date: 'issued_at', minor_units: 2,
    source: { amount: 'total', currency: 'currency', date: 'invoice_date' },
    timezone: 'America/New_York',
    ...extra,
  };
}

function planOf(money: MoneySection, totalMapping = '(total * 100)::bigint'): Plan {
  const invoices: RecordClass = {
    kind: 'money',
    source: { table: 'invoice', key: ['invoice_id'] },
    destination: { table: 'storefront.invoices', key: ['id'] },
    where: "status <> 'void'",
    columns: { id: 'invoice_id', customer_id: 'customer_id', issued_at: 'invoice_date', total_cents: totalMapping, currency: 'currency' },
    dropped: { status: 'void invoices stay behind' },
    timestamps: { source_timezone: 'America/New_York', ambiguous: 'earlier', nonexistent: 'forward' },
    money,
  };
  return {
    version: 1, name: MIGRATION, target: 'round_tripped',
    source: { url: 'postgresql://cutover:s3cretpw@localhost:5432/src', schemas: ['public'] },
    destination: { url: 'postgresql://cutover:s3cretpw@localhost:5432/dst' },
    classes: { invoices },
  };
}

let source: pg.Client;
let destination: pg.Client;
let sourceCatalog: Catalog;
let destinationCatalog: Catalog;
let planDir: string;

/** "copies" the source through a given total mapping, as cutover's copy would */
async function copy(totalMapping = '(total * 100)::bigint'): Promise<void> {
  const { rows } = await source.query<{ id: number; customer_id: number; issued_at: string; total_cents: string; currency: string }>(
    `SELECT invoice_id AS id, customer_id, to_char(invoice_date, 'YYYY-MM-DD"T"HH24:MI:SS') AS issued_at,
            (${totalMapping})::text AS total_cents, currency
       FROM invoice WHERE status <> 'void' ORDER BY invoice_id`);
  await destination.query('TRUNCATE storefront.invoices');
  await destination.query(
    `INSERT INTO storefront.invoices (id, customer_id, issued_at, total_cents, currency)
     SELECT r.id, r.customer_id, r.issued_at::timestamp AT TIME ZONE 'America/New_York', r.total_cents::bigint, r.currency
       FROM json_to_recordset($1::json) AS r(id int, customer_id int, issued_at text, total_cents text, currency text)`,
    [JSON.stringify(rows)]);
}

/** The source's true totals per New York day and currency, as bank lines. */
async function bankLines(): Promise<string[]> {
  const { rows } = await source.query<{ line: string }>(
    `SELECT to_char(invoice_date::date, 'YYYY-MM-DD') || ',' || currency || ',' || sum(total)::text AS line
       FROM invoice WHERE status <> 'void' GROUP BY invoice_date::date, currency ORDER BY 1`);
  return rows.map((r) => r.line);
}

function check(plan: Plan, runCommand?: RunCommand, env?: NodeJS.ProcessEnv): Promise<CheckResult> {
  return reconcileMoney({
    plan, className: 'invoices', source, destination, sourceCatalog, destinationCatalog, planDir,
    checkedAt: new Date('2026-04-01T00:00:00Z'), runCommand, env,
  });
}

function problem(result: CheckResult, kind: string) {
  return result.problems.find((p) => p.kind === kind);
}

beforeAll(async () => {
  const [sourceUrl, destinationUrl] = await Promise.all([freshDatabase('source', 'money'), freshDatabase('destination', 'money')]);
  source = new pg.Client({ connectionString: sourceUrl });
  destination = new pg.Client({ connectionString: destinationUrl });
  await Promise.all([source.connect(), destination.connect()]);
  await source.query(SOURCE_SQL);
  await destination.query(DESTINATION_SQL);
  await ensureStateSchema(destination, STATE);
  sourceCatalog = await introspect(source, ['public']);
  destinationCatalog = await introspect(destination, ['storefront']);
  planDir = mkdtempSync(path.join(os.tmpdir(), 'cutover-money-'));
});

afterAll(async () => {
  await Promise.all([source?.end(), destination?.end()]);
  if (planDir) rmSync(planDir, { recursive: true, force: true });
  await dropFreshDatabases();
});

beforeEach(async () => {
  await source.query('TRUNCATE invoice');
  await source.query(`INSERT INTO invoice ${GENERATE}`);
  await copy();
});

describe('reconcileMoney', () => {
  it('passes clean data, per New York day and currency, and reports what `where` excluded', async () => {
    const result = await check(planOf(moneySection()));
    expect(result.problems).toEqual([]);
    expect(result.passed).toBe(true);
    expect(result.kind).toBe('money');
    expect(result.summary).toMatch(/reconcile in America\/New_York/);
    const details = result.details as {
      totals: { days: number; currencies: number; dayCurrencies: number };
      excluded: { rows: number; byCurrency: { currency: string; amount: string; rows: number }[] };
      days: ReconciliationDay[];
    };
    expect(details.totals.currencies).toBe(2);
    expect(details.totals.days).toBe(41); // 600 × 97 min from March 1 = 40.4 days
    expect(details.excluded.rows).toBe(12);
    expect(details.days.every((d) => d.clean)).toBe(true);
    expect(details.days[0]).toMatchObject({ day: '2026-03-01', currency: 'EUR' });
  });

  it('reads a naive source date in its source_timezone when the business day is in another zone', async () => {
    const berlin = await check(planOf(moneySection({ timezone: 'Europe/Berlin' })));
    expect(berlin.problems).toEqual([]);
    // the business day moves: New York evening invoices fall on the next Berlin day
    const ny = (await check(planOf(moneySection()))).details as { days: ReconciliationDay[] };
    const days = (berlin.details as { days: ReconciliationDay[] }).days;
    const moved = days.filter((d) => ny.days.find((n) => n.day === d.day && n.currency === d.currency)?.source !== d.source);
    expect(moved.length).toBeGreaterThan(10);
  });

  it('reconciles a window of business days only (the daily run), bank lines outside it ignored', async () => {
    await destination.query('UPDATE storefront.invoices SET total_cents = total_cents + 1 WHERE id = 101'); // 2026-03-07
    writeFileSync(path.join(planDir, 'window.csv'), `${(await bankLines()).join('\n')}\n2026-02-01,USD,5.00\n`);
    const { result, days } = await reconcileMoneyDays({
      plan: planOf(moneySection({ bank_statement: 'window.csv' })), className: 'invoices', source, destination,
      sourceCatalog, destinationCatalog, planDir, checkedAt: new Date('2026-04-01T00:00:00Z'), days: { from: '2026-03-08', to: '2026-03-09' },
    });
    expect(result.problems).toEqual([]);
    expect([...new Set(days.map((d) => d.day))]).toEqual(['2026-03-08', '2026-03-09']);
    const wider = await reconcileMoney({
      plan: planOf(moneySection()), className: 'invoices', source, destination,
      sourceCatalog, destinationCatalog, planDir, checkedAt: new Date('2026-04-01T00:00:00Z'), days: { from: '2026-03-07' , to: '2026-03-07' },
    });
    expect(problem(wider, 'day-mismatch')!.samples).toMatchObject([{ day: '2026-03-07', currency: 'USD' }]);
    expect((wider.details as { totals: { days: number } }).totals.days).toBe(1);
  });

  it('finds a one-cent difference on one day in one currency, and names the day', async () => {
    // invoice 101: 2026-03-01 00:00 + 9797 min = 2026-03-07 19:17 New York, USD
    await destination.query('UPDATE storefront.invoices SET total_cents = total_cents + 1 WHERE id = 101');
    const result = await check(planOf(moneySection()));
    expect(result.passed).toBe(false);
    const mismatch = problem(result, 'day-mismatch')!;
    expect(mismatch.count).toBe(1);
    expect(mismatch.samples).toHaveLength(1);
    const sample = mismatch.samples[0] as Record<string, unknown>;
    expect(sample).toMatchObject({ day: '2026-03-07', currency: 'USD', difference: '0.01', bank: null, disagrees: 'destination' });
    expect(BigInt((sample.destination as string).replace('.', '')) - BigInt((sample.source as string).replace('.', ''))).toBe(1n);
    expect(mismatch.detail).toMatch(/2026-03-07 USD/);
    expect(result.summary).toMatch(/2026-03-07 USD/);
  });

  it('catches a mapping that rounds the cents away, which every row compared through the mapping agrees with', async () => {
    const rounding = '(round(total) * 100)::bigint';
    await copy(rounding);
    // parity reads the source through `columns`: mapped source and destination are identical
    const { rows } = await source.query<{ mapped: string }>(`SELECT sum((${rounding}))::text AS mapped FROM invoice WHERE status <> 'void'`);
    const { rows: dest } = await destination.query<{ total: string }>('SELECT sum(total_cents)::text AS total FROM storefront.invoices');
    expect(dest[0]!.total).toBe(rows[0]!.mapped);

    const result = await check(planOf(moneySection(), rounding));
    expect(result.passed).toBe(false);
    const mismatch = problem(result, 'day-mismatch')!;
    expect(mismatch.count).toBeGreaterThan(40);
    expect(mismatch.samples).toHaveLength(20);
    for (const s of mismatch.samples as { source: string; destination: string }[]) {
      expect(s.destination).toMatch(/\.00$/);
      expect(s.destination).not.toBe(s.source);
    }
  });

  it('finds a bank statement that disagrees with both sides, and days only in the bank', async () => {
    const lines = await bankLines();
    // 2026-03-10 USD: the bank saw 1.00 more; 2026-05-01: a day only in the bank
    const wrong = lines.map((l) => {
      if (!l.startsWith('2026-03-10,USD,')) return l;
      const amount = l.split(',')[2]!;
      const [whole, cents = '00'] = amount.split('.');
      return `2026-03-10,USD,${Number(whole) + 1}.${cents.padEnd(2, '0')}`;
    });
    writeFileSync(path.join(planDir, 'bank.csv'), ['date,currency,amount', ...wrong, '2026-05-01,USD,12.50', '2026-05-02,EUR,0.00', ''].join('\r\n'));
    const result = await check(planOf(moneySection({ bank_statement: 'bank.csv' })));
    expect(result.passed).toBe(false);
    const mismatch = problem(result, 'day-mismatch')!;
    expect(mismatch.count).toBe(2);
    expect(mismatch.samples).toEqual([
      expect.objectContaining({ day: '2026-03-10', currency: 'USD', difference: '1.00', disagrees: 'bank' }),
      { day: '2026-05-01', currency: 'USD', source: '0.00', destination: '0.00', bank: '12.50', difference: '12.50', disagrees: 'bank' },
    ]);
    const s = mismatch.samples[0] as { source: string; destination: string; bank: string };
    expect(s.source).toBe(s.destination);

    // the true statement (no header) passes, and every day is then clean against the bank
    writeFileSync(path.join(planDir, 'bank.csv'), `${lines.join('\n')}\n`);
    const days = await reconcileMoneyDays({
      plan: planOf(moneySection({ bank_statement: 'bank.csv' })), className: 'invoices', source, destination,
      sourceCatalog, destinationCatalog, planDir, checkedAt: new Date('2026-04-01T00:00:00Z'),
    });
    expect(days.result.problems).toEqual([]);
    expect(days.days.every((d) => d.clean && d.bank !== null)).toBe(true);
  });

  it('reports a missing bank file and unreadable lines as problems, not crashes', async () => {
    const missing = await check(planOf(moneySection({ bank_statement: 'nowhere.csv' })));
    expect(missing.passed).toBe(false);
    expect(problem(missing, 'bank-statement-error')!.detail).toMatch(/nowhere\.csv cannot be read: no such file/);

    writeFileSync(path.join(planDir, 'bad.csv'), [...await bankLines(), '2026-13-01,USD,1.00', '2026-03-02,USD,1,000.00', '2026-03-02,USD,abc'].join('\n'));
    const bad = await check(planOf(moneySection({ bank_statement: 'bad.csv' })));
    const invalid = problem(bad, 'bank-statement-invalid')!;
    expect(invalid.count).toBe(3);
    expect(problem(bad, 'day-mismatch')).toBeUndefined();
  });

  it('runs a bank `run` command in the plan folder and reads its stdout', async () => {
    writeFileSync(path.join(planDir, 'statement.csv'), `${(await bankLines()).join('\n')}\n`);
    const plan = planOf(moneySection({ bank_statement: { run: 'test -z "$PGPASSWORD" && test "$CUTOVER_CLASS" = invoices && printf "date,currency,amount\\n" && cat statement.csv' } }));
    const result = await check(plan, undefined, { PATH: process.env.PATH, PGPASSWORD: 'never-inherited' });
    expect(result.problems).toEqual([]);
    expect((result.details as { bank: { origin: string; used: boolean } }).bank).toMatchObject({ origin: 'command', used: true });
  });

  it('reports a failing command with its (scrubbed) stderr, never its secrets', async () => {
    const env = { PATH: process.env.PATH, BANK_API_TOKEN: 'tok-9f8e7d6c' };
    const plan = planOf(moneySection({ bank_statement: { run: 'echo "calling bank with $BANK_API_TOKEN and s3cretpw" >&2; exit 3' } }));
    const result = await check(plan, undefined, env);
    expect(result.passed).toBe(false);
    const error = problem(result, 'bank-statement-error')!;
    expect(error.detail).toMatch(/exited with code 3/);
    expect(error.detail).toMatch(/calling bank with \*\*\* and \*\*\*/);
    expect(JSON.stringify(result)).not.toMatch(/tok-9f8e7d6c|s3cretpw/);
    // the source and destination still agree, but no day is clean without the bank
    expect(problem(result, 'day-mismatch')).toBeUndefined();
  });

  it('stops a command that runs too long (injected runner with the timeout reached)', async () => {
    const runCommand: RunCommand = async (_command, options) => {
      options.onStdoutLine('2026-03-01,USD,1.00');
      return { exitCode: null, signal: 'SIGTERM', timedOut: true, stderrTail: '' };
    };
    const result = await check(planOf(moneySection({ bank_statement: { run: 'sleep 1000' } })), runCommand);
    expect(problem(result, 'bank-statement-error')!.detail).toMatch(/did not finish within 60 s/);
  });

  it('kills a real command at its timeout', async () => {
    const { runShellCommand } = await import('../../engine/checks/money/bank-statement.js');
    const started = Date.now();
    const outcome = await runShellCommand('sleep 30 & sleep 30; echo done', { cwd: planDir, env: { PATH: process.env.PATH }, timeoutMs: 300, onStdoutLine: () => undefined });
    expect(outcome.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('reconciliation days and the clean streak', () => {
  const day = (d: string, clean: boolean, currency = 'USD'): ReconciliationDay => ({
    day: d, currency, source: '1.00', destination: clean ? '1.00' : '1.01', bank: null, clean, sourceRows: 1, destinationRows: 1,
  });

  it('stores each day (upsert) and counts consecutive clean days ending at the latest', async () => {
    const at = new Date('2026-04-01T00:00:00Z');
    const cls = 'streak';
    expect(await cleanStreak(destination, STATE, MIGRATION, cls)).toBe(0);
    await writeReconciliationDays(destination, STATE, MIGRATION, cls, [
      day('2026-03-01', true), day('2026-03-02', false), day('2026-03-03', true), day('2026-03-03', true, 'EUR'),
      day('2026-03-05', true), day('2026-03-06', true),
    ], at);
    expect(await cleanStreak(destination, STATE, MIGRATION, cls)).toBe(3);

    // one currency of the latest day unclean: the streak is 0
    await writeReconciliationDays(destination, STATE, MIGRATION, cls, [day('2026-03-06', false, 'EUR')], at);
    expect(await cleanStreak(destination, STATE, MIGRATION, cls)).toBe(0);

    // re-reconciled clean: upserted, not duplicated
    await writeReconciliationDays(destination, STATE, MIGRATION, cls, [day('2026-03-06', true, 'EUR'), day('2026-03-02', true)], at);
    expect(await cleanStreak(destination, STATE, MIGRATION, cls)).toBe(5);
    const { rows } = await destination.query(`SELECT count(*)::int AS n FROM ${STATE}.reconciliation_days WHERE class = $1`, [cls]);
    expect(rows[0]!.n).toBe(7);
    // none of them was reconciled against a bank
    expect(await cleanStreak(destination, STATE, MIGRATION, cls, { againstBank: true })).toBe(0);
  });

  it('stores a real reconciliation, with the bank', async () => {
    writeFileSync(path.join(planDir, 'bank.csv'), `${(await bankLines()).join('\n')}\n`);
    const { result, days } = await reconcileMoneyDays({
      plan: planOf(moneySection({ bank_statement: 'bank.csv' })), className: 'invoices', source, destination,
      sourceCatalog, destinationCatalog, planDir, checkedAt: new Date('2026-04-11T00:00:00Z'),
    });
    expect(result.passed).toBe(true);
    await writeReconciliationDays(destination, STATE, MIGRATION, 'invoices', days, new Date('2026-04-11T00:00:00Z'));
    expect(await cleanStreak(destination, STATE, MIGRATION, 'invoices', { againstBank: true })).toBe(41);
    const { rows } = await destination.query<{ source_amount: string; destination_amount: string; bank_amount: string }>(
      `SELECT source_amount::text, destination_amount::text, bank_amount::text FROM ${STATE}.reconciliation_days
        WHERE class = 'invoices' AND day = '2026-03-07' AND currency = 'USD'`);
    expect(rows[0]!.source_amount).toBe(rows[0]!.destination_amount);
    expect(rows[0]!.bank_amount).toBe(rows[0]!.source_amount);
  });
});
