// A real schema's names, end to end: a source schema `Sales Ops` whose tables and columns have
// spaces, non-ASCII letters, mixed case, keywords, dots, parentheses and double quotes in their
// names. `cutover plan` names each unclassified table, unmapped column and unlisted piece of custom
// code with the plan text to add; pasted into the plan as printed, `validate` accepts it, and
// `apply` locks the source, copies every class and proves parity; then enters dual-run, where the
// mirror and the compare carry writes on those names over exactly.
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { endToEndFile } from '../support/cutover-cli.js';
import { planHead as sharedPlanHead, lockSection } from '../support/plan-folder.js';
import { planDocument, type PlanDocument } from '../plan/support.js';
import type { CliResult } from '../support/run-cli.js';
import { cutover, DUAL_RUN, expectExit, freshPair, parityResults, rows, type Pair } from './support.js';

const NAME = 'hostile-names';

// the same tables on both sides: in `Sales Ops` on the source, `App Ops` on the destination
const tables = (schema: string) => `
CREATE SCHEMA "${schema}";
CREATE TABLE "${schema}"."Größe" (id int PRIMARY KEY, "Maß" text);
CREATE TABLE "${schema}"."Order Lines" ("Order Id" int PRIMARY KEY, "user" text NOT NULL, "OrderTotal" numeric(10,2),
  "select" int, "Größe" text, "Größe Id" int REFERENCES "${schema}"."Größe" (id));
CREATE TABLE "${schema}"."user" (id int PRIMARY KEY, name text);
CREATE TABLE "${schema}"."a.b" ("x.y" int PRIMARY KEY, "(v)" text);
CREATE TABLE "${schema}"."MixedCase" ("Id" int PRIMARY KEY, "camelCase" text, """q""" text, "it's" text);
`;

const SOURCE_SQL = `${tables('Sales Ops')}
-- nobody classified these two: the hints must name them so that YAML and the plan read them back
CREATE TABLE "Sales Ops"."""quoted""" (id int PRIMARY KEY);
CREATE TABLE "Sales Ops"."Old Stuff (2019)" (id int PRIMARY KEY);
-- custom code nobody listed, with names the grammar must quote
CREATE FUNCTION "Sales Ops".touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER "set total" BEFORE INSERT ON "Sales Ops"."Order Lines" FOR EACH ROW EXECUTE FUNCTION "Sales Ops".touch();
CREATE FUNCTION "Sales Ops"."f.n"(integer, text) RETURNS int LANGUAGE sql AS $$ SELECT $1 $$;

INSERT INTO "Sales Ops"."Größe" VALUES (1, 'groß'), (2, 'klein');
INSERT INTO "Sales Ops"."Order Lines" SELECT g, 'u' || g, g * 1.25, g % 3, 'größe ' || g, g % 2 + 1 FROM generate_series(1, 40) g;
INSERT INTO "Sales Ops"."user" VALUES (1, 'ada'), (2, 'grace');
INSERT INTO "Sales Ops"."a.b" VALUES (1, 'one'), (2, NULL);
INSERT INTO "Sales Ops"."MixedCase" VALUES (1, 'camel', '"q"', 'it''s');
`;

// every class maps its key only: `plan` says what else to add
const PLAN_START = `${sharedPlanHead({ name: NAME, target: 'round_tripped' }).replace('schemas: [public]', 'schemas: [Sales Ops]')}${lockSection()}classes:
  order_lines:
    source: { table: Sales Ops.Order Lines, key: [Order Id] }
    destination: { table: App Ops.Order Lines, key: [Order Id] }
    columns:
      Order Id: '"Order Id"'
  groesse:
    source: { table: Größe, key: [id] }
    destination: { table: App Ops.Größe, key: [id] }
    columns:
      id: id
  users:
    source: { table: Sales Ops.user, key: [id] }
    destination: { table: App Ops.user, key: [id] }
    columns:
      id: id
  dotted:
    source: { table: 'Sales Ops."a.b"', key: ['"x.y"'] }
    destination: { table: 'App Ops."a.b"', key: ['"x.y"'] }
    columns:
      '"x.y"': '"x.y"'
  mixed:
    source: { table: '"Sales Ops"."MixedCase"', key: [Id] }
    destination: { table: App Ops.MixedCase, key: [Id] }
    columns:
      Id: '"Id"'
`;

const folder = endToEndFile();
let pair: Pair;
let document: PlanDocument;
let human: CliResult;

/** The plan text a finding's message says to add, and where. */
function hintsOf(doc: PlanDocument): { under: string; text: string }[] {
  return doc.preflight.flatMap((f) => {
    if (f.kind === 'unmapped-column') {
      const m = /add `([^`]+)` under classes\.(\w+)\.columns/.exec(f.message);
      return m ? [{ under: `${m[2]}.columns`, text: m[1]! }] : [];
    }
    if (f.kind === 'unclassified-table') {
      const m = /`(- \{ table: [^`]+)` under ignore/.exec(f.message);
      return m ? [{ under: 'ignore', text: m[1]! }] : [];
    }
    if (f.kind === 'custom-code-unlisted') {
      const m = /add `(- \{[^`]+)` under custom_code/.exec(f.message);
      return m ? [{ under: 'custom_code', text: m[1]! }] : [];
    }
    return [];
  });
}

/** The plan with each hint pasted where it says. */
function pasted(plan: string, hints: { under: string; text: string }[]): string {
  let out = plan;
  for (const cls of ['order_lines', 'groesse', 'users', 'dotted', 'mixed']) {
    const lines = hints.filter((h) => h.under === `${cls}.columns`).map((h) => `      ${h.text}\n`).join('');
    const at = out.indexOf('    columns:\n', out.indexOf(`  ${cls}:\n`)) + '    columns:\n'.length;
    out = out.slice(0, at) + lines + out.slice(at);
  }
  for (const section of ['ignore', 'custom_code']) {
    const items = hints.filter((h) => h.under === section).map((h) => `  ${h.text}\n`).join('');
    if (items) out += `${section}:\n${items}`;
  }
  return out;
}

beforeAll(async () => {
  pair = await freshPair(SOURCE_SQL, tables('App Ops'));
  const file = folder.write('start.yaml', PLAN_START);
  const [planned, text] = await Promise.all([cutover(['plan', file, '--json'], pair.env), cutover(['plan', file], pair.env)]);
  expectExit(planned, 0);
  document = planDocument(planned);
  human = text;
}, 120_000);

describe('names a real schema has', () => {
  it('plan names every unclassified table, unmapped column and unlisted custom code by the plan rule', () => {
    const hints = hintsOf(document);
    expect(hints.filter((h) => h.under === 'ignore').map((h) => h.text).sort()).toEqual([
      `- { table: 'Sales Ops."""quoted"""', reason: "…" }`,
      `- { table: 'Sales Ops."Old Stuff (2019)"', reason: "…" }`,
    ]);
    expect(hints.filter((h) => h.under.endsWith('.columns')).map((h) => `${h.under} ${h.text}`).sort()).toEqual([
      `dotted.columns '"(v)"': '"(v)"'`,
      `groesse.columns Maß: '"Maß"'`,
      `mixed.columns '"""q"""': '"""q"""'`,
      `mixed.columns 'it''s': '"it''s"'`,
      `mixed.columns camelCase: '"camelCase"'`,
      `order_lines.columns Größe Id: '"Größe Id"'`,
      `order_lines.columns Größe: '"Größe"'`,
      `order_lines.columns OrderTotal: '"OrderTotal"'`,
      `order_lines.columns select: '"select"'`,
      `order_lines.columns user: '"user"'`,
      `users.columns name: name`,
    ]);
    expect(hints.filter((h) => h.under === 'custom_code').map((h) => h.text).sort()).toEqual([
      `- { source: 'function Sales Ops."f.n"(integer, text)', pending: "…" }`,
      `- { source: function Sales Ops.touch(), pending: "…" }`,
      `- { source: trigger Sales Ops.Order Lines.set total, pending: "…" }`,
    ]);
    // the human output gives the same text
    for (const h of hints) expect(human.stdout).toContain(h.text);
    // each hint is YAML that reads back as the names in the catalog
    for (const h of hints) expect(() => parse(h.text), h.text).not.toThrow();
  });

  it('a dotted name written without its double quotes is a missing table, with the way to write it', async () => {
    const plan = PLAN_START.replace(`source: { table: 'Sales Ops."a.b"'`, 'source: { table: a.b');
    const planned = await cutover(['plan', folder.write('unquoted-dot.yaml', plan), '--json'], pair.env);
    const missing = planDocument(planned).preflight.filter((f) => f.kind === 'source-table-missing');
    expect(missing.map((f) => f.message)).toEqual([
      'source table `a.b` does not exist in the source database; a table named `a.b` is written `Sales Ops."a.b"` (a name with a dot in double quotes)',
    ]);
  });

  it('pasted as printed, the hints make a plan validate accepts, and apply round-trips every class', async () => {
    const plan = pasted(PLAN_START, hintsOf(document));
    const file = folder.write('pasted.yaml', plan);

    const validated = await cutover(['validate', file], pair.env);
    expectExit(validated, 0);
    expect(validated.stdout + validated.stderr).not.toMatch(/error:/);

    const again = await cutover(['plan', file, '--json'], pair.env);
    expectExit(again, 0);
    expect(planDocument(again).preflight.filter((f) => f.severity === 'error')).toEqual([]);

    const applied = await cutover(['apply', file, '--auto-approve'], pair.env);
    expectExit(applied, 0);
    expect(applied.stdout).toContain('Apply complete! Phase round_tripped reached.');

    // the source is locked: the data lock holds on a table whose name has a dot
    const write = await rows(pair.source, `INSERT INTO "Sales Ops"."a.b" VALUES (3, 'late')`).catch((e: Error) => e);
    expect(String(write)).toMatch(/its data is locked/);

    const parity = await parityResults(pair.destination, NAME);
    expect([...parity.keys()].sort()).toEqual(['dotted', 'groesse', 'mixed', 'order_lines', 'users']);
    for (const [cls, p] of parity) expect(p.passed, `${cls}: ${JSON.stringify(p.differences)}`).toBe(true);

    // every row and value arrived
    for (const table of ['"Order Lines"', '"Größe"', '"user"', '"a.b"', '"MixedCase"']) {
      const [source, destination] = await Promise.all([
        rows(pair.source, `SELECT * FROM "Sales Ops".${table} ORDER BY 1`),
        rows(pair.destination, `SELECT * FROM "App Ops".${table} ORDER BY 1`),
      ]);
      expect(destination, table).toEqual(source);
      expect(destination.length, table).toBeGreaterThan(0);
    }

    // dual-run on the same names: capture, the mirror's drain and the compare quote them too
    const dual = `${plan.replace('target: round_tripped', 'target: dual_run').replace(/pending: "…"/g, 'retired: "not carried over"')}${DUAL_RUN}`;
    const dualFile = folder.write('dual.yaml', dual);
    const entered = await cutover(['apply', dualFile, '--auto-approve'], pair.env);
    expectExit(entered, 0);
    expect(entered.stdout).toContain('Phase dual_run reached.');
    for (const sql of [
      `INSERT INTO "Sales Ops"."a.b" VALUES (3, 'late')`, `UPDATE "Sales Ops"."a.b" SET "x.y" = 20 WHERE "x.y" = 2`,
      `UPDATE "Sales Ops"."Order Lines" SET "OrderTotal" = 0, "Größe" = 'neu' WHERE "Order Id" <= 5`,
      `DELETE FROM "Sales Ops"."Order Lines" WHERE "Order Id" = 40`,
      `INSERT INTO "Sales Ops"."MixedCase" VALUES (2, 'x', '"q2"', 'it''s 2')`, `UPDATE "Sales Ops"."Größe" SET "Maß" = 'mittel' WHERE id = 2`,
    ]) await rows(pair.source, sql);
    expectExit(await cutover(['mirror', dualFile, '--once'], pair.env), 0);
    const compared = await cutover(['compare', dualFile], pair.env);
    expectExit(compared, 0);
    for (const table of ['"Order Lines"', '"Größe"', '"user"', '"a.b"', '"MixedCase"']) {
      expect(await rows(pair.destination, `SELECT * FROM "App Ops".${table} ORDER BY 1`), table)
        .toEqual(await rows(pair.source, `SELECT * FROM "Sales Ops".${table} ORDER BY 1`));
    }
  }, 180_000);
});

describe('names a real schema has, in freeze mode', () => {
  it('the freeze lets through only the rules\' writes on such tables, and apply carries them over', async () => {
    const fresh = await freshPair(SOURCE_SQL, tables('App Ops'));
    const freeze = `    mode: freeze
    rules:
      - { classes: [dotted, order_lines], allow: [insert, update], reason: the tills keep selling }
    ends: 2099-12-31T00:00:00Z`;
    const plan = (target: string) => pasted(PLAN_START, hintsOf(document))
      .replace('    mode: pause', freeze).replace('target: round_tripped', `target: ${target}`).replace(`name: ${NAME}`, 'name: hostile-freeze');
    const locked = await cutover(['apply', folder.write('freeze-locked.yaml', plan('locked')), '--auto-approve'], fresh.env);
    expectExit(locked, 0);

    // writes the rules allow, into tables whose names hold a dot and a space, keyed by such columns
    await rows(fresh.source, `INSERT INTO "Sales Ops"."a.b" VALUES (3, 'late')`);
    await rows(fresh.source, `UPDATE "Sales Ops"."Order Lines" SET "OrderTotal" = 99.99 WHERE "Order Id" = 7`);
    const denied = await rows(fresh.source, `DELETE FROM "Sales Ops"."a.b" WHERE "x.y" = 1`).catch((e: Error) => e);
    expect(String(denied)).toMatch(/its data is locked/);

    const applied = await cutover(['apply', folder.write('freeze.yaml', plan('round_tripped')), '--auto-approve'], fresh.env);
    expectExit(applied, 0);
    const parity = await parityResults(fresh.destination, 'hostile-freeze');
    for (const [cls, p] of parity) expect(p.passed, `${cls}: ${JSON.stringify(p.differences)}`).toBe(true);
    expect(await rows(fresh.destination, `SELECT "x.y", "(v)" FROM "App Ops"."a.b" WHERE "x.y" = 3`)).toEqual([{ 'x.y': 3, '(v)': 'late' }]);
    expect(await rows(fresh.destination, `SELECT "OrderTotal" FROM "App Ops"."Order Lines" WHERE "Order Id" = 7`)).toEqual([{ OrderTotal: '99.99' }]);
  }, 180_000);
});
