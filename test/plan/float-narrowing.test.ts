// double precision into real, judged by the data: a value real holds only approximately (0.1, 1e30)
// is a precision-loss, a value outside real's range (1e300, 1e-300) a numeric-overflow — each with
// its count and keys — and neither stops the class's other findings from being reported.
import { beforeAll, describe, expect, it } from 'vitest';
import { freshPair } from '../support/databases.js';
import { endToEndFile } from '../support/cutover-cli.js';
import { planHead } from '../support/plan-folder.js';
import { findingsOf, oneFinding, planDocument, runPlan, type PlanDocument } from './support.js';

const SOURCE_SQL = `
CREATE TABLE public.m (id int PRIMARY KEY, f float8, code text);
INSERT INTO public.m VALUES
  (1, 0.1, 'abc'), (2, 1e30, 'ok'), (3, 1e300, 'ok'), (4, 0.5, 'ok'), (5, -1e-300, 'ok'),
  (6, 'NaN', 'ok'), (7, '-Infinity', 'ok'), (8, NULL, 'ok'), (9, 3.4028234663852886e38, 'ok');
CREATE TABLE public.n (id int PRIMARY KEY, f float8);
INSERT INTO public.n VALUES (1, 0.5), (2, 1e30::real), (3, 'NaN'), (4, NULL), (5, 1.5);
CREATE TABLE public.p (id int PRIMARY KEY, x numeric);
INSERT INTO public.p VALUES (1, 1e39), (2, 0.5), (3, 1e-50), (4, 'Infinity'), (5, 340282346638528859811704183484516925440);
`;
const DESTINATION_SQL = `
CREATE TABLE public.m (id int PRIMARY KEY, f real, code varchar(2));
CREATE TABLE public.n (id int PRIMARY KEY, f real);
CREATE TABLE public.p (id int PRIMARY KEY, x real);
`;

const PLAN = `${planHead({ name: 'float-narrowing', target: 'round_tripped' })}classes:
  m:
    source: { table: m, key: [id] }
    destination: { table: m, key: [id] }
    columns: { id: id, f: f, code: code }
    reverse: { id: id, f: f, code: code }
  n:
    source: { table: n, key: [id] }
    destination: { table: n, key: [id] }
    columns: { id: id, f: f }
    reverse: { id: id, f: f }
  p:
    source: { table: p, key: [id] }
    destination: { table: p, key: [id] }
    columns: { id: id, x: x }
    reverse: { id: id, x: x }
`;

const folder = endToEndFile();
let document: PlanDocument;

beforeAll(async () => {
  const { env } = await freshPair(SOURCE_SQL, DESTINATION_SQL, 'floatnar');
  document = planDocument(await runPlan(folder.write('plan.yaml', PLAN), ['--json'], env));
});

describe('double precision into real', () => {
  it('values real holds only approximately are a precision-loss error, with count and keys', () => {
    const f = oneFinding(document, 'precision-loss', 'f', 'm');
    expect(f).toMatchObject({ severity: 'error', count: 2, sample_keys: [[1], [2]] });
  });

  it('values outside the range of real are a numeric-overflow error, with count and keys', () => {
    const f = oneFinding(document, 'numeric-overflow', 'f', 'm');
    expect(f).toMatchObject({ severity: 'error', count: 2, sample_keys: [[3], [5]] });
    expect(f.message).toContain('outside the range of real');
  });

  it('one value out of range does not hide the class: no preflight-failed, the other findings are there', () => {
    expect(findingsOf(document, 'preflight-failed')).toEqual([]);
    expect(oneFinding(document, 'too-long', 'code', 'm')).toMatchObject({ count: 1, sample_keys: [[1]] });
    expect(findingsOf(document, 'narrowing', 'f', 'm')).toEqual([]);
  });

  it('numeric into real: values outside its range are a numeric-overflow, not a failed class', () => {
    expect(oneFinding(document, 'numeric-overflow', 'x', 'p')).toMatchObject({ severity: 'error', count: 2, sample_keys: [[1], [3]] });
    expect(findingsOf(document, 'preflight-failed')).toEqual([]);
  });

  it('when every value converts unchanged, one narrowing warning says so', () => {
    expect(document.preflight.filter((f) => f.class === 'n').map((f) => `${f.severity}:${f.kind}:${f.column}`)).toEqual(['warning:narrowing:f']);
    expect(oneFinding(document, 'narrowing', 'f', 'n').message).toMatch(/every value fits: .*every value converts to real unchanged$/);
  });
});
