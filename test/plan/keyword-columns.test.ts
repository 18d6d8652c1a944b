// Columns named like the words of `AT TIME ZONE` (`at`, `time`, `zone`): mapped bare they are read,
// by `plan`'s coverage and by `validate`'s reverse check; only the phrase itself is a keyword.
import { beforeAll, describe, expect, it } from 'vitest';
import { freshPair } from '../support/databases.js';
import { endToEndFile } from '../support/cutover-cli.js';
import { planHead } from '../support/plan-folder.js';
import { runCli, type CliResult } from '../support/run-cli.js';
import { expectExit, findingsOf, planDocument, runPlan, type PlanDocument } from './support.js';

const SOURCE_SQL = `
CREATE TABLE public.k (id int PRIMARY KEY, at timestamptz, time time, zone text, year int, value numeric);
INSERT INTO public.k VALUES (1, '2026-01-01 09:00+00', '09:00', 'Europe/Paris', 2026, 1.5);
`;
const DESTINATION_SQL = `
CREATE TABLE public.k (id int PRIMARY KEY, at timestamptz, time time, zone text, year int, value numeric, local_at timestamp);
`;

const PLAN = `${planHead({ name: 'keyword-columns', target: 'round_tripped' })}classes:
  k:
    source: { table: k, key: [id] }
    destination: { table: k, key: [id] }
    columns: { id: id, at: at, time: time, zone: zone, year: year, value: value, local_at: "at AT TIME ZONE 'UTC'" }
    reverse: { id: id, year: year, value: value }
`;

const folder = endToEndFile();
let document: PlanDocument;
let validate: CliResult;

beforeAll(async () => {
  const { env } = await freshPair(SOURCE_SQL, DESTINATION_SQL, 'kwcols');
  const file = folder.write('plan.yaml', PLAN);
  const [plan, checked] = await Promise.all([runPlan(file, ['--json'], env), runCli(['validate', file], { env })]);
  expectExit(plan, 0);
  document = planDocument(plan);
  validate = checked;
});

describe('columns named at, time and zone', () => {
  it('plan counts them as read: no unmapped-column finding', () => {
    expect(findingsOf(document, 'unmapped-column')).toEqual([]);
  });

  it("validate's reverse warning names them as source columns reverse does not map", () => {
    expect(validate.status, validate.stderr).toBe(0);
    expect(validate.stderr).toContain('`reverse` does not map source columns `at`, `time`, `zone`');
  });
});
