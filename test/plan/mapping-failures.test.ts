// `cutover plan --json` on mappings that fail at run time on some rows (a division by zero, a cast
// that fails), and on destination columns whose type is a domain with CHECKs (one domain over
// another): each finding comes with its exact count, its share and the first 5 keys of the rows,
// in key order, as any other data finding does.
import { beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, withClient } from '../support/databases.js';
import { endToEndFile } from '../support/cutover-cli.js';
import { planHead } from '../support/plan-folder.js';
import { expectExit, gateOf, lineOf, oneFinding, planDocument, runPlan, urlEnv, type PlanDocument } from './support.js';

const ROWS = 2000;

const SOURCE_SQL = `
CREATE TABLE public.shipment (
  id int PRIMARY KEY,
  weight_g int NOT NULL,
  parcels int NOT NULL,
  code text NOT NULL,
  priority int NOT NULL
);
INSERT INTO public.shipment SELECT i, 1000 + i, 1 + i % 3, lpad(i::text, 6, '0'), 1 + i % 9 FROM generate_series(1, ${ROWS}) AS i;
-- parcels = 0 on every 250th row: 8 rows divide by zero
UPDATE public.shipment SET parcels = 0 WHERE id % 250 = 0;
-- codes that are not numbers: 3 rows fail the cast
UPDATE public.shipment SET code = 'X-' || id WHERE id IN (17, 1500, 1999);
-- priorities outside the domains: 0 breaks the inner domain, 12 and 15 the outer one
UPDATE public.shipment SET priority = 0 WHERE id IN (5, 6);
UPDATE public.shipment SET priority = 12 WHERE id = 40;
UPDATE public.shipment SET priority = 15 WHERE id = 41;
`;

const DESTINATION_SQL = `
CREATE SCHEMA logistics;
CREATE DOMAIN logistics.positive AS int CONSTRAINT positive_value CHECK (VALUE > 0);
CREATE DOMAIN logistics.priority AS logistics.positive CONSTRAINT at_most_ten CHECK (VALUE <= 10);
CREATE TABLE logistics.shipments (
  id int PRIMARY KEY,
  grams_per_parcel int NOT NULL,
  code int NOT NULL,
  priority logistics.priority NOT NULL
);
`;

const PLAN = `${planHead({ name: 'mapping-failures', target: 'round_tripped' })}classes:
  shipments:
    source: { table: shipment, key: [id] }
    destination: { table: logistics.shipments, key: [id] }
    columns:
      id: id
      grams_per_parcel: weight_g / parcels
      code: code::int
      priority: priority
    reverse:
      id: id
      weight_g: grams_per_parcel
      parcels: "1"
      code: code::text
      priority: priority
`;

const folder = endToEndFile();
let document: PlanDocument;

const columnLine = (column: string) => lineOf(PLAN, new RegExp(`^      ${column}: `), /^    columns:$/);

beforeAll(async () => {
  const [sourceUrl, destinationUrl] = await Promise.all([freshDatabase('source', 'mapfail'), freshDatabase('destination', 'mapfail')]);
  await withClient(sourceUrl, (c) => c.query(SOURCE_SQL));
  await withClient(destinationUrl, (c) => c.query(DESTINATION_SQL));
  const result = await runPlan(folder.write('plan.yaml', PLAN), ['--json'], urlEnv(sourceUrl, destinationUrl));
  expectExit(result, 0);
  document = planDocument(result);
}, 60_000);

describe('plan --json: mappings that fail on some rows', () => {
  it('a division by zero: the exact count, its share and the first 5 keys in key order', () => {
    const f = oneFinding(document, 'mapping-failed', 'grams_per_parcel');
    expect(f).toMatchObject({
      class: 'shipments', severity: 'error', count: 8, share: 8 / ROWS,
      sample_keys: [[250], [500], [750], [1000], [1250]], line: columnLine('grams_per_parcel'),
    });
    expect(f.message).toContain('division by zero');
    expect(f.message).toContain(`8 of ${ROWS} source rows`);
  });

  it('a cast that fails: every failing row counted', () => {
    const f = oneFinding(document, 'mapping-failed', 'code');
    expect(f).toMatchObject({ class: 'shipments', severity: 'error', count: 3, share: 3 / ROWS, sample_keys: [[17], [1500], [1999]] });
    expect(f.message).toContain('invalid input syntax for type integer');
  });
});

describe('plan --json: a destination domain CHECK, over another domain', () => {
  it('each CHECK of the domain chain is checked like a table CHECK, with count, share and keys', () => {
    const checks = document.preflight.filter((f) => f.kind === 'check-violation');
    expect(checks.map((f) => f.message.match(/CHECK constraint (\w+)/)?.[1]).sort()).toEqual(['at_most_ten', 'positive_value']);
    const inner = checks.find((f) => f.message.includes('positive_value'))!;
    expect(inner).toMatchObject({
      class: 'shipments', column: 'priority', severity: 'error', count: 2, share: 2 / ROWS, sample_keys: [[5], [6]], line: columnLine('priority'),
    });
    expect(inner.message).toContain('domain logistics.positive');
    const outer = checks.find((f) => f.message.includes('at_most_ten'))!;
    expect(outer).toMatchObject({ column: 'priority', severity: 'error', count: 2, share: 2 / ROWS, sample_keys: [[40], [41]] });
    expect(outer.message).toContain('domain logistics.priority');
  });

  it('nothing else is found, and the errors close gate.round_tripped', () => {
    expect(document.preflight.map((f) => `${f.kind}:${f.column ?? ''}`).sort()).toEqual([
      'check-violation:priority', 'check-violation:priority', 'mapping-failed:code', 'mapping-failed:grams_per_parcel',
    ]);
    expect([...gateOf(document, 'gate.round_tripped').reasons].sort()).toEqual(['2 check-violation findings', '2 mapping-failed findings']);
  });
});
