// Money, audit, attachments and custom code end to end, the way a new user meets them: one plan
// with all four kinds of extra-care class beside a plain one, applied through the real CLI on data
// with PLANTED faults that parity cannot see —
//   money        a bank statement one cent off on one day, and a mapping that rounds the cents away
//                (mapped source = destination, so parity passes it; reconciliation must not);
//   audit        timestamps.source_timezone declared UTC for New York wall times (both sides agree
//                through the same wrong zone; only the anchor, an instant known from outside, can tell);
//   attachments  a referenced file that is missing, a file whose content no longer matches its
//                claimed sha256, and an orphan file no row references;
//   custom code  the source trigger's re-implementation did not fire during the copy (the copy runs
//                as session_replication_role = replica), so its `verify` query finds every invoice.
// Each fault is named in apply's output, in `plan --json` checks[] and in `status`; apply stops at
// the round_tripped proof (exit 3) and the phase is not reached while any check fails; every apply
// runs the checks again until they pass. The destination audit table rejects UPDATE,
// DELETE and TRUNCATE from an ordinary session. Then the faults are fixed the way an operator would
// (the plan's mapping and zone, the bank CSV, the files, a backfill of the destination), the checks
// run again, pass, and gate.dual_run opens.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { withClient } from '../support/databases.js';
import { endToEndFile } from '../support/cutover-cli.js';
import type { CliResult } from '../support/run-cli.js';
import {
  count, cutover, DUAL_RUN, expectExit, freshPair, gate, parityResults, parseJson, planHead, rows,
  type GateJson, type Pair,
} from '../round-trip/support.js';

const NAME = 'extra-care';

const SOURCE_SQL = `
CREATE TABLE customer (customer_id int PRIMARY KEY, first_name text NOT NULL, last_name text NOT NULL, email text NOT NULL);
CREATE TABLE invoice (
  invoice_id int PRIMARY KEY, customer_id int NOT NULL REFERENCES customer (customer_id),
  invoice_date timestamp NOT NULL, total numeric(10,2) NOT NULL DEFAULT 0);
CREATE TABLE invoice_line (
  invoice_line_id int PRIMARY KEY, invoice_id int NOT NULL REFERENCES invoice (invoice_id),
  unit_price numeric(10,2) NOT NULL, quantity int NOT NULL);
CREATE TABLE audit_log (id int PRIMARY KEY, occurred_at timestamp NOT NULL, actor text NOT NULL, action text NOT NULL);
CREATE TABLE attachment (id int PRIMARY KEY, storage_path text, sha256 text);

-- the legacy system keeps each invoice's total in step with its lines
CREATE FUNCTION update_invoice_total() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE invoice SET total = (SELECT coalesce(sum(unit_price * quantity), 0) FROM invoice_line WHERE invoice_id = NEW.invoice_id)
   WHERE invoice_id = NEW.invoice_id;
  RETURN NULL;
END $$;
CREATE TRIGGER update_invoice_total AFTER INSERT OR UPDATE ON invoice_line FOR EACH ROW EXECUTE FUNCTION update_invoice_total();
CREATE FUNCTION last_day(timestamp without time zone) RETURNS date LANGUAGE sql IMMUTABLE AS
  $$ SELECT (date_trunc('month', $1) + interval '1 month - 1 day')::date $$;

INSERT INTO customer SELECT i, 'First' || i, 'Last' || i, 'Customer' || i || '@Example.com' FROM generate_series(1, 6) i;
-- twelve invoices over four New York business days (January: EST, UTC-5); the last of each day at
-- 22:30 local, which is already the next day in UTC
INSERT INTO invoice (invoice_id, customer_id, invoice_date)
SELECT i, (i % 6) + 1,
       timestamp '2026-01-05 00:00' + ((i - 1) / 3) * interval '1 day'
         + CASE (i - 1) % 3 WHEN 0 THEN interval '9 hours 15 minutes' WHEN 1 THEN interval '14 hours 40 minutes' ELSE interval '22 hours 30 minutes' END
  FROM generate_series(1, 12) i;
INSERT INTO invoice_line SELECT i * 10 + l, i, round(i * 7.13 + l * 2.41, 2), l FROM generate_series(1, 12) i, generate_series(1, 2) l;
-- the audit log, in New York wall time, every 17 minutes from 09:00 on 2026-01-14
INSERT INTO audit_log SELECT 1000 + g, timestamp '2026-01-14 09:00' + (g - 1) * interval '17 minutes', 'user' || (g % 4),
  CASE WHEN g % 3 = 0 THEN 'refund' ELSE 'login' END FROM generate_series(1, 40) g;
`;

const DESTINATION_SQL = `
CREATE SCHEMA storefront;
CREATE TABLE storefront.customers (id int PRIMARY KEY, first_name text NOT NULL, last_name text NOT NULL, email text NOT NULL);
CREATE TABLE storefront.invoices (
  id int PRIMARY KEY, customer_id int NOT NULL REFERENCES storefront.customers (id),
  issued_at timestamptz NOT NULL, total_cents bigint NOT NULL, currency text NOT NULL);
CREATE TABLE storefront.invoice_lines (
  id int PRIMARY KEY, invoice_id int NOT NULL REFERENCES storefront.invoices (id),
  unit_price_cents bigint NOT NULL, quantity int NOT NULL);
-- the new system keeps invoice totals in a table of their own, maintained by a trigger
CREATE TABLE storefront.invoice_totals (invoice_id int PRIMARY KEY REFERENCES storefront.invoices (id), total_cents bigint NOT NULL);
CREATE FUNCTION storefront.update_total() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO storefront.invoice_totals AS t (invoice_id, total_cents)
  SELECT NEW.invoice_id, sum(unit_price_cents * quantity) FROM storefront.invoice_lines WHERE invoice_id = NEW.invoice_id
  ON CONFLICT (invoice_id) DO UPDATE SET total_cents = excluded.total_cents;
  RETURN NULL;
END $$;
CREATE TRIGGER update_total AFTER INSERT OR UPDATE ON storefront.invoice_lines FOR EACH ROW EXECUTE FUNCTION storefront.update_total();
CREATE TABLE storefront.audit_events (id int PRIMARY KEY, occurred_at timestamptz NOT NULL, actor text NOT NULL, action text NOT NULL);
CREATE TABLE storefront.files (id int PRIMARY KEY, path text NOT NULL, sha256 text);
`;

// ---------------------------------------------------------------------------------------------
// Files beside the plan

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

const FILE = {
  inv1: { id: 1, path: 'invoices/2026/inv-1.pdf', content: '%PDF-1.4 invoice one\n' },
  inv2: { id: 2, path: 'invoices/2026/inv-2.pdf', content: '%PDF-1.4 invoice two\n' },
  receipt3: { id: 3, path: 'scans/receipt-3.png', content: '\u0089PNG receipt three\n' }, // planted: missing
  receipt4: { id: 4, path: 'scans/receipt-4.png', content: '\u0089PNG receipt four\n' }, // planted: corrupted on disk
  contract5: { id: 5, path: 'contracts/c-5.txt', content: 'a contract with no claimed checksum\n' },
} as const;
const ORPHAN = 'stray/old-export.zip';
const CORRUPTED_4 = '\u0089PNG receipt fuor\n';

function attachmentRowsSql(): string {
  const values = Object.values(FILE).map((f) => `(${f.id}, '${f.path}', ${f.id === 5 ? 'NULL' : `'${sha256(f.content)}'`})`);
  return `INSERT INTO attachment VALUES ${values.join(', ')};`;
}

// ---------------------------------------------------------------------------------------------
// The plan

const FAULTY = { totalCents: '(trunc(total) * 100)::bigint', auditZone: 'UTC' };
const FIXED = { totalCents: '(total * 100)::bigint', auditZone: 'America/New_York' };

/** 09:00 New York time on 2026-01-14 (EST) is 14:00 UTC: audit row 1001 is known, from the mail server's log, to be then. */
const ANCHOR_UTC = '2026-01-14T14:00:00Z';

const VERIFY = `SELECT i.id FROM storefront.invoices i
        JOIN storefront.invoice_lines l ON l.invoice_id = i.id
        LEFT JOIN storefront.invoice_totals t ON t.invoice_id = i.id
       GROUP BY i.id, t.total_cents
      HAVING t.total_cents IS DISTINCT FROM sum(l.unit_price_cents * l.quantity)`;

function plan(o: { target: string; totalCents: string; auditZone: string }): string {
  return `${planHead({ name: NAME, target: o.target })}classes:
  customers:
    source: { table: customer, key: [customer_id] }
    destination: { table: storefront.customers, key: [id] }
    columns: { id: customer_id, first_name: first_name, last_name: last_name, email: lower(email) }
  invoices:
    kind: money
    source: { table: invoice, key: [invoice_id] }
    destination: { table: storefront.invoices, key: [id] }
    columns:
      id: invoice_id
      customer_id: customer_id
      issued_at: invoice_date
      total_cents: "${o.totalCents}"
      currency: "'USD'"
    timestamps: { source_timezone: America/New_York, ambiguous: earlier, nonexistent: forward }
    money:
      amount: total_cents
      currency: currency
      date: issued_at
      minor_units: 2
      source: { amount: total, currency: "'USD'", date: invoice_date }
      timezone: America/New_York
      bank_statement: statements/bank.csv
  invoice_lines:
    source: { table: invoice_line, key: [invoice_line_id] }
    destination: { table: storefront.invoice_lines, key: [id] }
    columns: { id: invoice_line_id, invoice_id: invoice_id, unit_price_cents: "(unit_price * 100)::bigint", quantity: quantity }
  audit_events:
    kind: audit
    source: { table: audit_log, key: [id] }
    destination: { table: storefront.audit_events, key: [id] }
    columns: { id: id, occurred_at: occurred_at, actor: actor, action: action }
    timestamps: { source_timezone: ${o.auditZone} }
    audit:
      order_by: [occurred_at, id]
      anchors:
        - { key: [1001], utc: ${ANCHOR_UTC} }
  attachments:
    kind: attachments
    source: { table: attachment, key: [id] }
    destination: { table: storefront.files, key: [id] }
    columns: { id: id, path: storage_path, sha256: sha256 }
    files:
      path: storage_path
      destination_path: path
      checksum: sha256
      source_root: ./legacy-files
      destination_root: ./storefront-files
custom_code:
  - source: trigger public.invoice_line.update_invoice_total
    reimplemented: trigger storefront.invoice_lines.update_total
    verify: >-
      ${VERIFY.replace(/\n\s*/g, ' ')}
  - { source: function public.update_invoice_total(), reimplemented: function storefront.update_total() }
  - { source: function public.last_day(timestamp without time zone), retired: replaced by date_trunc in the service }
${DUAL_RUN}`;
}

// ---------------------------------------------------------------------------------------------
// JSON documents (the parts read here)

interface CheckJson {
  class: string;
  kind: string;
  passed: boolean;
  summary: string;
  problems: { kind: string; count: number; samples: unknown[]; detail: string | null }[];
}

interface PlanJson {
  plan: { phase: string; target: string };
  resource_changes: { address: string; actions: string[] }[];
  gates: GateJson[];
  checks: CheckJson[];
}

interface StatusJson {
  plan: { phase: string };
  gates: GateJson[];
  checks: CheckJson[];
}

function check(checks: readonly CheckJson[], cls: string, kind: string): CheckJson {
  const found = checks.find((c) => c.class === cls && c.kind === kind);
  expect(found, `${kind} check of ${cls} among ${JSON.stringify(checks.map((c) => `${c.class}/${c.kind}`))}`).toBeDefined();
  return found!;
}

function problem(c: CheckJson, kind: string): CheckJson['problems'][number] {
  const found = c.problems.find((p) => p.kind === kind);
  expect(found, `${kind} among ${JSON.stringify(c.problems)}`).toBeDefined();
  return found!;
}

// ---------------------------------------------------------------------------------------------

const folder = endToEndFile();
const legacy = path.join(folder.dir, 'legacy-files');
const storefront = path.join(folder.dir, 'storefront-files');
const bankCsv = path.join(folder.dir, 'statements', 'bank.csv');
const planFile = path.join(folder.dir, 'migration.yaml');
let pair: Pair;
let first: CliResult;
/** per New York business day, the source's own total in dollars (text, two decimals) */
let dailyTotals: { day: string; total: string; truncated: string }[];
/** the day the bank statement is planted one cent off */
let centOffDay: string;

function reconciliationDays(): Promise<Record<string, unknown>[]> {
  return rows(pair.destination, `
    SELECT to_char(day, 'YYYY-MM-DD') AS day, currency, source_amount::numeric(12,2)::text AS source,
           destination_amount::numeric(12,2)::text AS destination, bank_amount::numeric(12,2)::text AS bank, clean
      FROM cutover.reconciliation_days WHERE migration = $1 AND class = 'invoices' ORDER BY day, currency`, [NAME]);
}

function writeFile(file: string, content: string | Buffer): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
}

function writeBank(offByOneCentOn: string | null): void {
  const lines = dailyTotals.map(({ day, total }) => {
    const amount = day === offByOneCentOn ? (Number(total) + 0.01).toFixed(2) : total;
    return `${day},USD,${amount}`;
  });
  writeFile(bankCsv, `date,currency,amount\n${lines.join('\n')}\n`);
}

beforeAll(async () => {
  pair = await freshPair(SOURCE_SQL + attachmentRowsSql(), DESTINATION_SQL);
  // the source's own figures, from the source's own columns
  dailyTotals = await rows<{ day: string; total: string; truncated: string }>(pair.source,
    `SELECT to_char(invoice_date::date, 'YYYY-MM-DD') AS day, sum(total)::text AS total, sum(trunc(total))::numeric(12,2)::text AS truncated
       FROM invoice GROUP BY 1 ORDER BY 1`);
  centOffDay = dailyTotals[2]!.day;
  writeBank(centOffDay);
  for (const f of [FILE.inv1, FILE.inv2, FILE.contract5]) writeFile(path.join(legacy, f.path), f.content);
  writeFile(path.join(legacy, FILE.receipt4.path), CORRUPTED_4);
  writeFile(path.join(legacy, ORPHAN), 'nobody remembers this export\n');
  writeFile(planFile, plan({ target: 'round_tripped', ...FAULTY }));
  first = await cutover(['apply', planFile, '--auto-approve'], pair.env);
}, 90_000);

describe('planted faults that parity cannot see', () => {
  it('the fixture is what it claims: four business days with cents, 24 lines, 40 audit rows', async () => {
    expect(dailyTotals.map((d) => d.day)).toEqual(['2026-01-05', '2026-01-06', '2026-01-07', '2026-01-08']);
    // every day has invoices with cents, so rounding them away shows on every day
    expect(dailyTotals.filter((d) => d.total === d.truncated)).toEqual([]);
    expect(await count(pair.source, 'SELECT count(*) AS n FROM invoice_line')).toBe(24);
    expect(await count(pair.source, 'SELECT count(*) AS n FROM audit_log')).toBe(40);
    expect(await count(pair.source, `SELECT count(*) AS n FROM invoice WHERE total <> trunc(total)`)).toBeGreaterThan(6);
  });

  it('apply copies every class and parity passes, but stops at the round_tripped proof naming each failed check', async () => {
    expectExit(first, 3);
    expect(first.stdout).not.toContain('Apply complete');
    expect(first.stdout).toMatch(/Apply stopped at phase locked: \d+ changes applied, \d+ failing checks\./);
    expect(first.stdout).toContain('Stopped at the round_tripped proof');
    expect(first.stdout).toMatch(/✗ money of class invoices: 4 day\/currency totals, day-mismatch: .*\n\s+samples: day 2026-01-05, .*source 164\.49, .*destination 163\.00/);
    expect(first.stdout).toMatch(/✗ audit of class audit_events: 1 row, anchor-mismatch: /);
    expect(first.stdout).toMatch(new RegExp(`✗ attachments of class attachments: 1 file, missing: .*\\n\\s+samples: key "3", path ${FILE.receipt3.path}`));
    expect(first.stdout).not.toMatch(/✗ attachments of class attachments: 1 file, orphan/); // reported, not failing
    expect(first.stdout).toMatch(/✗ custom code verify of class custom_code: 12 rows, verify-failed: /);
    expect(await rows(pair.destination, `SELECT phase FROM cutover.migrations WHERE name = $1`, [NAME])).toEqual([{ phase: 'locked' }]);
    for (const address of ['class.invoices.money', 'class.audit_events.audit_guard', 'class.audit_events.audit', 'class.attachments.attachments', 'custom_code.verify']) {
      expect(first.stdout).toContain(`${address}: Creation complete`);
    }
    // parity passes every class, the rounded cents included: mapped source = destination
    expect(first.stdout).not.toMatch(/parity FAILED/);
    const parity = await parityResults(pair.destination, NAME);
    expect([...parity.keys()].sort()).toEqual(['attachments', 'audit_events', 'customers', 'invoice_lines', 'invoices']);
    for (const [name, p] of parity) expect(p.passed, `${name}: ${JSON.stringify(p.differences)}`).toBe(true);
    expect(await count(pair.destination, `SELECT count(*) AS n FROM storefront.invoices WHERE total_cents % 100 <> 0`)).toBe(0);

    const out = first.stdout;
    // money: the rounded cents on every day, and the bank's cent on its day
    expect(out).toMatch(/money check of invoices FAILED: 4 day\/currency totals of 4 do not reconcile in America\/New_York/);
    expect(out).toMatch(/ {2}day-mismatch: 4 \(.*destination differs from source on 4, bank differs from source on 1\)/);
    expect(out).toContain(`"day":"${centOffDay}"`);
    // audit: the anchor, five hours off
    expect(out).toMatch(/audit check of audit_events FAILED: anchor-mismatch \(1\)/);
    expect(out).toMatch(/ {2}anchor-mismatch: 1 \(an anchor does not hold: source key \[1001\]: .*off by -05:00:00\).*timestamps\.source_timezone is declared wrong/);
    // attachments: the missing file, the corrupted one and the orphan, by path
    expect(out).toMatch(/attachments check of attachments FAILED: attachments of attachments failed: 1 missing, 1 checksum-mismatch;.*1 orphan file under source_root/);
    expect(out).toMatch(new RegExp(` {2}missing: 1 .*${FILE.receipt3.path}`));
    expect(out).toMatch(new RegExp(` {2}checksum-mismatch: 1 .*${FILE.receipt4.path}`));
    expect(out).toMatch(new RegExp(` {2}orphan: 1 .*${ORPHAN}`));
    // custom code: the verify query and how many invoices it found
    expect(out).toMatch(/custom-code check of custom_code FAILED: 1 verify query: 0 passed, 1 failed/);
    expect(out).toMatch(/ {2}verify-failed: 12 \(trigger public\.invoice_line\.update_invoice_total → trigger storefront\.invoice_lines\.update_total: the verify query returned 12 rows/);
  });

  it('stores each result in cutover.check_results', async () => {
    const stored = await rows<{ class: string; kind: string; passed: boolean }>(pair.destination,
      `SELECT class, kind, passed FROM cutover.check_results WHERE migration = $1 ORDER BY class, kind`, [NAME]);
    expect(stored).toEqual([
      { class: 'attachments', kind: 'attachments', passed: false },
      { class: 'audit_events', kind: 'audit', passed: false },
      { class: 'custom_code', kind: 'custom-code', passed: false },
      { class: 'invoices', kind: 'money', passed: false },
    ]);
    // and each business day's reconciliation, for the clean streak `closed` waits for
    const days = await reconciliationDays();
    expect(days).toEqual(dailyTotals.map(({ day, total, truncated }) => ({
      day, currency: 'USD', source: total, destination: truncated, bank: day === centOffDay ? (Number(total) + 0.01).toFixed(2) : total, clean: false,
    })));
  });

  it('plan --json names every fault in checks[], and plans every check again', async () => {
    writeFile(planFile, plan({ target: 'dual_run', ...FAULTY }));
    const result = await cutover(['plan', planFile, '--json'], pair.env);
    expectExit(result, 0);
    const doc = parseJson<PlanJson>(result);
    expect(doc.plan).toMatchObject({ phase: 'locked', target: 'dual_run' });

    // money: the rounded cents (destination vs source, every day) and the bank's cent (one day)
    const money = check(doc.checks, 'invoices', 'money');
    expect(money.passed).toBe(false);
    const days = problem(money, 'day-mismatch');
    expect(days.count).toBe(4);
    const samples = days.samples as { day: string; source: string; destination: string; bank: string; disagrees: string }[];
    const truncated = new Map(dailyTotals.map((d) => [d.day, d.truncated]));
    for (const { day, total } of dailyTotals) {
      const s = samples.find((x) => x.day === day)!;
      expect(s.source).toBe(total);
      expect(s.destination).toBe(truncated.get(day)); // the cents rounded away
      expect(s.disagrees).toBe(day === centOffDay ? 'destination and bank' : 'destination');
      expect(s.bank).toBe(day === centOffDay ? (Number(total) + 0.01).toFixed(2) : total);
    }

    // audit: the anchor, off by the five hours of the wrongly declared zone
    const audit = check(doc.checks, 'audit_events', 'audit');
    expect(audit.passed).toBe(false);
    expect(audit.problems.map((p) => p.kind)).toEqual(['anchor-mismatch']);
    const anchor = problem(audit, 'anchor-mismatch');
    expect(anchor.samples).toEqual([expect.objectContaining({ key: [1001], expected: ANCHOR_UTC, found: '2026-01-14T09:00:00Z', offBy: '-05:00:00' })]);
    expect(anchor.detail).toMatch(/timestamps\.source_timezone is declared wrong/);

    // attachments: the missing file, the corrupted one, the orphan (reported, not failing)
    const files = check(doc.checks, 'attachments', 'attachments');
    expect(files.passed).toBe(false);
    expect(files.problems.map((p) => p.kind).sort()).toEqual(['checksum-mismatch', 'missing', 'orphan']);
    // (sample keys: attachments gives them as text, ["3"], where parity and anchors give [3])
    const named = (kind: string) => problem(files, kind).samples.map((x) => {
      const { key, path: p } = x as { key: unknown[]; path: string };
      return `${key.map(String).join(',')} ${p}`;
    });
    expect(problem(files, 'missing').count).toBe(1);
    expect(named('missing')).toEqual([`3 ${FILE.receipt3.path}`]);
    expect(problem(files, 'checksum-mismatch').count).toBe(1);
    expect(named('checksum-mismatch')).toEqual([`4 ${FILE.receipt4.path}`]);
    expect(problem(files, 'orphan')).toMatchObject({ count: 1, samples: [expect.objectContaining({ path: ORPHAN })] });

    // custom code: every invoice, since the re-implemented trigger did not fire during the copy
    const verify = check(doc.checks, 'custom_code', 'custom-code');
    expect(verify.passed).toBe(false);
    const failed = problem(verify, 'verify-failed');
    expect(failed.count).toBe(12);
    expect(failed.detail).toContain('trigger public.invoice_line.update_invoice_total → trigger storefront.invoice_lines.update_total');
    expect(failed.samples).toHaveLength(12);

    // round_tripped is not reached: its checks run again (every one of them, since some failed),
    // and gate.dual_run waits for them
    expect(doc.resource_changes.map((c) => `${c.address}:${c.actions.join('/')}`)).toEqual(expect.arrayContaining([
      'class.invoices.money:create', 'class.audit_events.audit:create', 'class.attachments.attachments:create', 'custom_code.verify:create',
      'class.customers.parity:create',
    ]));
    expect(gate(doc, 'gate.dual_run').status).toBe('deferred');
  });

  it('the human plan shows the section "Money, audit, attachments and custom code"', async () => {
    const result = await cutover(['plan', planFile], pair.env);
    expectExit(result, 0);
    const section = result.stdout.slice(result.stdout.indexOf('Money, audit, attachments and custom code:'));
    expect(section).not.toBe(result.stdout);
    expect(section).toMatch(/✗ invoices money: .*do not reconcile/);
    expect(section).toMatch(/✗ audit_events audit: anchor-mismatch/);
    expect(section).toMatch(/✗ attachments attachments: .*1 missing, 1 checksum-mismatch/);
    expect(section).toMatch(/✗ custom_code custom-code: .*1 failed/);
    expect(section).toContain(`orphan: 1`);
    expect(section).toContain(ORPHAN);
    expect(result.stdout).toMatch(/class\.invoices\.money will be created\n\s+\(it runs again: its last run failed\)/);
  });

  it('status names them too, and in --json', async () => {
    const human = await cutover(['status', planFile], pair.env);
    expectExit(human, 0);
    for (const line of [/✗ invoices money: /, /✗ audit_events audit: /, /✗ attachments attachments: /, /✗ custom_code custom-code: /]) {
      expect(human.stdout).toMatch(line);
    }
    const json = parseJson<StatusJson>(await cutover(['status', planFile, '--json'], pair.env));
    expect(json.plan.phase).toBe('locked');
    expect(json.checks.map((c) => `${c.class}/${c.kind}:${c.passed}`).sort()).toEqual([
      'attachments/attachments:false', 'audit_events/audit:false', 'custom_code/custom-code:false', 'invoices/money:false',
    ]);
  });

  it('apply to dual_run runs the checks again and stops at the round_tripped proof (exit 3), naming the failed checks', async () => {
    const result = await cutover(['apply', planFile, '--auto-approve'], pair.env);
    expectExit(result, 3);
    expect(result.stdout).toMatch(/class\.invoices\.money: Creation complete after \d+s, but the check FAILED/);
    expect(result.stdout).toContain('Stopped at the round_tripped proof');
    expect(result.stdout).toMatch(/✗ money of class invoices: /);
    expect(result.stdout).toMatch(/✗ custom code verify of class custom_code: /);
    expect(await rows(pair.destination, `SELECT phase FROM cutover.migrations WHERE name = $1`, [NAME])).toEqual([{ phase: 'locked' }]);
  });

  it('the destination audit table is append-only for an ordinary session', async () => {
    await withClient(pair.destination, async (c) => {
      // the test role is a superuser, but an ordinary session: triggers fire
      expect((await c.query<{ r: string }>(`SELECT current_setting('session_replication_role') AS r`)).rows[0]!.r).toBe('origin');
      const refused = async (sql: string) => {
        const error = await c.query(sql).then(() => null, (e: Error) => e);
        expect(error, `${sql} was not refused`).not.toBeNull();
        return error!.message;
      };
      expect(await refused(`UPDATE storefront.audit_events SET actor = 'mallory' WHERE id = 1001`))
        .toBe(`UPDATE on storefront.audit_events is not allowed: it is an append-only audit table (cutover migration ${NAME})`);
      expect(await refused(`DELETE FROM storefront.audit_events WHERE id = 1002`)).toMatch(/^DELETE on storefront\.audit_events is not allowed/);
      expect(await refused(`TRUNCATE storefront.audit_events`)).toMatch(/^TRUNCATE on storefront\.audit_events is not allowed/);
      // appending is what an audit log is for (taken out again below, the way cutover's copy writes: as replica)
      await c.query(`INSERT INTO storefront.audit_events VALUES (9001, now(), 'ops', 'note')`);
      await c.query(`SET session_replication_role = replica`);
      await c.query(`DELETE FROM storefront.audit_events WHERE id = 9001`);
    });
    expect(await count(pair.destination, `SELECT count(*) AS n FROM storefront.audit_events WHERE actor = 'mallory'`)).toBe(0);
    expect(await count(pair.destination, `SELECT count(*) AS n FROM storefront.audit_events`)).toBe(40);
  });

  it('once the faults are fixed, the checks run again, pass, and gate.dual_run opens into dual_run', async () => {
    // the plan: the cents carried over, the audit log read in its real zone
    writeFile(planFile, plan({ target: 'dual_run', ...FIXED }));
    // the bank statement, re-exported
    writeBank(null);
    // the files: the missing one found, the corrupted one restored from backup, the orphan removed
    writeFile(path.join(legacy, FILE.receipt3.path), FILE.receipt3.content);
    writeFile(path.join(legacy, FILE.receipt4.path), FILE.receipt4.content);
    rmSync(path.join(legacy, ORPHAN));
    // the destination: the re-implemented trigger's table backfilled (it does not fire during the copy)
    await withClient(pair.destination, (c) => c.query(
      `INSERT INTO storefront.invoice_totals SELECT invoice_id, sum(unit_price_cents * quantity) FROM storefront.invoice_lines GROUP BY 1`));
    // nothing needs forgetting: failed checks run again on their own
    const planned = parseJson<PlanJson>(await cutover(['plan', planFile, '--json'], pair.env));
    const addresses = planned.resource_changes.map((c) => `${c.address}:${c.actions.join('/')}`);
    expect(addresses).toEqual(expect.arrayContaining([
      'class.invoices.copy:delete/create', 'class.audit_events.copy:delete/create',
      'class.invoices.money:create', 'class.audit_events.audit:create', 'class.attachments.attachments:create', 'custom_code.verify:create',
    ]));
    expect(gate(planned, 'gate.dual_run').status).toBe('deferred');

    // apply to dual_run: the round_tripped step copies again and runs the checks again, they pass,
    // round_tripped is reached, and apply goes past gate.dual_run into dual_run
    const again = await cutover(['apply', planFile, '--auto-approve'], pair.env);
    expect(again.stdout + again.stderr).not.toContain('Stopped at gate.dual_run');
    expect(again.stdout).not.toMatch(/FAILED/);
    for (const address of ['class.invoices.money', 'class.audit_events.audit', 'class.attachments.attachments', 'custom_code.verify']) {
      expect(again.stdout).toContain(`${address}: Creation complete`);
    }
    expectExit(again, 0);
    expect(again.stdout).toContain('Phase dual_run reached.');

    const stored = await rows<{ class: string; kind: string; passed: boolean }>(pair.destination,
      `SELECT class, kind, passed FROM cutover.check_results WHERE migration = $1 ORDER BY class, kind`, [NAME]);
    expect(stored.map((s) => `${s.class}/${s.kind}:${s.passed}`)).toEqual([
      'attachments/attachments:true', 'audit_events/audit:true', 'custom_code/custom-code:true', 'invoices/money:true',
    ]);
    expect(await rows(pair.destination, `SELECT total_cents::text AS t FROM storefront.invoices WHERE id = 1`))
      .toEqual(await rows(pair.source, `SELECT (total * 100)::bigint::text AS t FROM invoice WHERE invoice_id = 1`));
    expect(await reconciliationDays()).toEqual(dailyTotals.map(({ day, total }) => ({ day, currency: 'USD', source: total, destination: total, bank: total, clean: true })));
    expect(readFileSync(path.join(storefront, FILE.receipt3.path), 'utf8')).toBe(FILE.receipt3.content);
    expect(readFileSync(path.join(storefront, FILE.receipt4.path), 'utf8')).toBe(FILE.receipt4.content);

    const doc = parseJson<PlanJson>(await cutover(['plan', planFile, '--json'], pair.env));
    for (const [cls, kind] of [['invoices', 'money'], ['audit_events', 'audit'], ['attachments', 'attachments'], ['custom_code', 'custom-code']] as const) {
      const c = check(doc.checks, cls, kind);
      expect(c.passed, `${cls} ${kind}: ${c.summary}`).toBe(true);
    }
    expect(check(doc.checks, 'invoices', 'money').summary).toBe('4 days × 1 currency reconcile in America/New_York (source = destination = bank)');
    expect(check(doc.checks, 'audit_events', 'audit').summary).toMatch(/^40 audit rows in the same order by occurred_at, id on both sides; 1 anchors? holds?\b/);
    expect(check(doc.checks, 'attachments', 'attachments').problems).toEqual([]);
    // gate.dual_run opened: the migration is in dual_run now, with nothing of phase two to redo
    expect(doc.plan.phase).toBe('dual_run');
    expect(doc.resource_changes).toEqual([]);

    // dual-run: a new attachment row on the source, its file beside it, mirrored; the compare copies
    // the file, verifies its sha256 and reconciles money in the same pass
    const receipt6 = '\u0089PNG receipt six\n';
    writeFileSync(path.join(folder.dir, 'legacy-files', 'scans', 'receipt-6.png'), receipt6);
    await withClient(pair.source, (c) => c.query(`INSERT INTO attachment VALUES (6, 'scans/receipt-6.png', $1)`, [sha256(receipt6)]));
    expectExit(await cutover(['mirror', planFile, '--once'], pair.env), 0);
    const compared = await cutover(['compare', planFile], pair.env);
    expectExit(compared, 0);
    expect(compared.stdout).toMatch(/class attachments: 6 rows on both sides, every row matches/);
    expect(readFileSync(path.join(storefront, 'scans', 'receipt-6.png'), 'utf8')).toBe(receipt6);
  });
});
