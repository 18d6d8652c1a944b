// describeMappings against real servers: mapping expressions described on the source (never a row
// read), bad ones pinpointed, result types resolved, and compared with the destination columns.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Session } from '../../engine/db/connect.js';
import type { Finding } from '../../engine/diff/plan-result.js';
import type { Catalog, CatalogColumn } from '../../engine/introspect/catalog.js';
import { introspect } from '../../engine/introspect/introspect.js';
import type { Plan, RecordClass } from '../../engine/plan/types.js';
import { describeMappings } from '../../engine/checks/expressions.js';
import { balanced } from '../../engine/plan/sql-lexer.js';
import { assignable, checkedByData, lossiness, type ExpressionType } from '../../engine/checks/type-fit.js';
import { dropFreshDatabases, freshDatabase, withClient } from '../support/databases.js';
import { positions } from '../support/positions.js';

const SOURCE_SQL = `
CREATE TYPE public.mood AS ENUM ('calm', 'busy');
CREATE DOMAIN public.cents AS bigint CHECK (VALUE >= 0);
CREATE TABLE public.invoice (
  invoice_id int PRIMARY KEY,
  customer_id int,
  total numeric(10,2),
  invoice_date timestamp,
  note varchar(100),
  created timestamptz,
  amount numeric(12,4),
  big bigint,
  ratio float8,
  label text,
  mood public.mood,
  paid public.cents
);
INSERT INTO public.invoice VALUES (1, 1, 9.99, '2026-01-01', 'n', now(), 1, 1, 0.5, 'x', 'calm', 100);
CREATE TABLE public.parent (id int PRIMARY KEY, v text);
CREATE TABLE public.child (extra int) INHERITS (public.parent);
CREATE TABLE public.dup_a (id int);
CREATE SCHEMA other;
CREATE TABLE other.dup_a (id int);
`;

const DESTINATION_SQL = `
CREATE SCHEMA storefront;
CREATE TYPE storefront.status AS ENUM ('open', 'paid');
CREATE TABLE storefront.invoices (
  id int PRIMARY KEY,
  customer_id bigint,
  total_cents bigint,
  issued_at timestamptz,
  note varchar(50),
  day date,
  amount numeric(12,2),
  small int,
  ratio numeric(10,2),
  flag boolean,
  extra text,
  total_sum numeric,
  zero int,
  gen int GENERATED ALWAYS AS (id * 2) STORED,
  status storefront.status,
  mood text,
  paid bigint,
  fallback int,
  wide numeric(20,4),
  broken text,
  twice text
);
CREATE TABLE storefront.parents (id int PRIMARY KEY, v text);
`;

function planOf(classes: Record<string, RecordClass>): Plan {
  return {
    version: 1, name: 'expressions-test', target: 'locked',
    source: { url: 'unused', schemas: ['public', 'other'] }, destination: { url: 'unused' }, classes,
  };
}

const invoices: RecordClass = {
  source: { table: 'invoice', key: ['invoice_id'] },
  destination: { table: 'storefront.invoices', key: ['id'] },
  columns: {
    id: 'invoice_id',
    customer_id: 'customer_id',
    total_cents: '(total * 100)::bigint',
    issued_at: 'invoice_date',
    note: 'note',
    day: 'created',
    amount: 'amount',
    small: 'big',
    ratio: 'ratio',
    flag: 'label',
    extra: 'upper(no_such_column)',
    total_sum: 'sum(total)',
    zero: '1/0',
    gen: '1',
    missing_col: '1',
    status: "'open'",
    mood: 'mood -- a trailing comment',
    paid: 'paid',
    fallback: 'NULL',
    wide: 'amount',
    broken: 'lower(label',
    twice: 'label), (label',
  },
};

let source: Session;
let sourceCatalog: Catalog;
let destinationCatalog: Catalog;

beforeAll(async () => {
  const sourceUrl = await freshDatabase('source', 'expressions');
  const destinationUrl = await freshDatabase('destination', 'expressions');
  await withClient(sourceUrl, (c) => c.query(SOURCE_SQL));
  await withClient(destinationUrl, (c) => c.query(DESTINATION_SQL));
  source = await connect({ side: 'source', url: sourceUrl }, { readOnly: true, purpose: 'test' });
  sourceCatalog = await introspect(source.client, ['public', 'other']);
  destinationCatalog = await withClient(destinationUrl, (c) => introspect(c, ['storefront']));
});

afterAll(async () => {
  await source?.close();
  await dropFreshDatabases();
});

const kinds = (findings: Finding[]) => findings.map((f) => `${f.kind}:${f.column ?? ''}`).sort();

describe('describeMappings', () => {
  let findings: Finding[];
  let types: Map<string, Map<string, ExpressionType>>;
  let queries: string[];
  const { locate, at } = positions(5);

  beforeAll(async () => {
    queries = [];
    const counting = { query: (text: string, values?: unknown[]) => { queries.push(text); return source.client.query(text, values); } };
    ({ findings, types } = await describeMappings(counting as never, planOf({ invoices }), sourceCatalog, destinationCatalog, locate));
  });

  // narrower destination columns (amount, day, note, ratio, small) are judged by preflight on
  // their data, not here: a narrower column is no mistake while every value fits
  it('reports every problem of the mapping, and nothing else', () => {
    expect(kinds(findings)).toEqual([
      'destination-column-generated:gen',
      'destination-column-missing:missing_col',
      'expression-invalid:broken',
      'expression-invalid:extra',
      'expression-invalid:total_sum',
      'expression-invalid:twice',
      'expression-invalid:zero',
      'timestamp-without-zone:issued_at',
      'type-incompatible:flag',
    ]);
    expect(findings.every((f) => f.severity === 'error' && f.class === 'invoices')).toBe(true);
  });

  it('positions each finding at its expression and quotes the database', () => {
    const extra = findings.find((f) => f.kind === 'expression-invalid' && f.column === 'extra')!;
    expect(extra).toMatchObject(at('classes', 'invoices', 'columns', 'extra'));
    expect(extra.message).toContain('column "no_such_column" does not exist');
    const zero = findings.find((f) => f.column === 'zero')!;
    expect(zero.message).toContain('division by zero');
    const sum = findings.find((f) => f.column === 'total_sum')!;
    expect(sum.message).toMatch(/one value per source row: aggregate functions are not allowed/);
    expect(findings.find((f) => f.column === 'twice')!.message).toContain('parentheses do not balance');
    expect(findings.find((f) => f.kind === 'type-incompatible')!.message).toContain('boolean');
    expect(findings.find((f) => f.kind === 'timestamp-without-zone')).toMatchObject(at('classes', 'invoices', 'columns', 'issued_at'));
  });

  it('gives the type of every valid expression', () => {
    const t = types.get('invoices')!;
    expect(t.get('total_cents')).toMatchObject({ typeOid: 20, typeName: 'bigint', typmod: -1, baseType: 'int8', category: 'N' });
    expect(t.get('note')).toMatchObject({ typeOid: 1043, typeName: 'character varying(100)', baseType: 'varchar' });
    expect(t.get('amount')).toMatchObject({ typeName: 'numeric(12,4)', baseType: 'numeric' });
    expect(t.get('mood')).toMatchObject({ typeName: 'mood', category: 'E' });
    expect(t.get('paid')).toMatchObject({ baseType: 'int8' });
    expect(t.has('extra')).toBe(false);
    expect(t.has('zero')).toBe(false);
    expect(t.has('total_sum')).toBe(false);
  });

  it('reads nothing but the catalog, and only in read-only transactions', () => {
    for (const q of queries) {
      expect(q.startsWith('BEGIN READ ONLY;') || q === 'ROLLBACK').toBe(true);
    }
  });
});

describe('round trips', () => {
  it('describes a valid plan in two queries, whatever its size', async () => {
    const { locate } = positions(5);
    let count = 0;
    const counting = { query: (text: string, values?: unknown[]) => { count++; return source.client.query(text, values); } };
    const classes: Record<string, RecordClass> = {};
    for (let i = 0; i < 20; i++) {
      classes[`c${i}`] = {
        source: { table: 'invoice', key: ['invoice_id'] },
        destination: { table: 'storefront.invoices', key: ['id'] },
        columns: { id: 'invoice_id', total_cents: '(total * 100)::bigint', customer_id: 'customer_id' },
        where: `invoice_id > ${i}`,
      };
    }
    const { findings, types } = await describeMappings(counting as never, planOf(classes), sourceCatalog, destinationCatalog, locate);
    expect(findings).toEqual([]);
    expect(types.size).toBe(20);
    expect(count).toBe(2);
  });

  it('pinpoints a positioned error without falling back to one query per class', async () => {
    const { locate } = positions(5);
    let count = 0;
    const counting = { query: (text: string, values?: unknown[]) => { count++; return source.client.query(text, values); } };
    const classes: Record<string, RecordClass> = {};
    for (let i = 0; i < 10; i++) {
      classes[`c${i}`] = {
        source: { table: 'invoice', key: ['invoice_id'] },
        destination: { table: 'storefront.invoices', key: ['id'] },
        columns: { id: 'invoice_id', customer_id: i === 7 ? 'customer_idd' : 'customer_id' },
      };
    }
    const { findings } = await describeMappings(counting as never, planOf(classes), sourceCatalog, destinationCatalog, locate);
    expect(findings.map((f) => [f.class, f.kind, f.column])).toEqual([['c7', 'expression-invalid', 'customer_id']]);
    // failed batch + rollback, the batch again, the types
    expect(count).toBe(4);
  });
});

describe('tables and keys', () => {
  it('reports missing and ambiguous tables and missing key columns, and an invalid where', async () => {
    const { locate, at } = positions(5);
    const plan = planOf({
      gone: {
        source: { table: 'no_such_table', key: ['id'] },
        destination: { table: 'storefront.nothing', key: ['id'] },
        columns: { id: 'id' },
      },
      ambiguous: {
        source: { table: 'dup_a', key: ['id'] },
        destination: { table: 'storefront.parents', key: ['id'] },
        columns: { id: 'id' },
      },
      keys: {
        source: { table: 'parent', key: ['id', 'nope'] },
        destination: { table: 'storefront.parents', key: ['id', 'nada'] },
        where: 'id',
        columns: { id: 'id', v: 'v' },
      },
    });
    const { findings, invalidWhere } = await describeMappings(source.client, plan, sourceCatalog, destinationCatalog, locate);
    expect(findings.map((f) => [f.class, f.kind, f.column ?? null])).toEqual([
      ['gone', 'source-table-missing', null],
      ['gone', 'destination-table-missing', null],
      ['ambiguous', 'source-table-missing', null],
      ['keys', 'source-key-missing', 'nope'],
      ['keys', 'destination-key-missing', 'nada'],
      ['keys', 'where-invalid', null],
    ]);
    expect(findings[0]).toMatchObject(at('classes', 'gone', 'source', 'table'));
    expect(findings[2]!.message).toContain('more than one table');
    expect(findings[3]).toMatchObject(at('classes', 'keys', 'source', 'key', 1));
    expect(findings[4]).toMatchObject(at('classes', 'keys', 'destination', 'key', 1));
    expect(findings[5]!.message).toContain('must be type boolean');
    expect(invalidWhere).toEqual(new Set(['keys']));
  });

  it('reads an inheritance parent FROM ONLY', async () => {
    const { locate } = positions(5);
    const queries: string[] = [];
    const counting = { query: (text: string, values?: unknown[]) => { queries.push(text); return source.client.query(text, values); } };
    const plan = planOf({
      parents: { source: { table: 'parent', key: ['id'] }, destination: { table: 'storefront.parents', key: ['id'] }, columns: { id: 'id', v: 'v' } },
    });
    const { findings } = await describeMappings(counting as never, plan, sourceCatalog, destinationCatalog, locate);
    expect(findings).toEqual([]);
    expect(queries[0]).toContain('FROM ONLY "public"."parent"');
  });
});

describe('balanced', () => {
  it('counts parentheses outside literals, quoted names, dollar quotes and comments', () => {
    expect(balanced('lower(email)')).toBe(true);
    expect(balanced("coalesce(a, ')')")).toBe(true);
    expect(balanced('"we(ird" || $$)$$ || $t$($t$ -- )\n')).toBe(true);
    expect(balanced('a /* ) */ + (b)')).toBe(true);
    expect(balanced("E'it\\'s (' || name")).toBe(true);
    expect(balanced("'it\\' || (name)")).toBe(true);
    expect(balanced('lower(label')).toBe(false);
    expect(balanced('label), (label')).toBe(false);
    expect(balanced("'open")).toBe(false);
    expect(balanced('a /* b')).toBe(false);
  });
});

describe('type rules', () => {
  const type = (baseType: string, category: string, typmod = -1): ExpressionType =>
    ({ typeOid: 0, typeName: baseType, typmod, baseType, baseTypmod: typmod, category });
  const column = (baseType: string, category: string, extra: Partial<CatalogColumn> = {}): CatalogColumn => ({
    name: 'c', type: baseType, baseType, category, notNull: false, hasDefault: false, generated: false, identity: false,
    maxLength: null, precision: null, scale: null, enumLabels: null, ...extra,
  });
  const numeric = (p: number, s: number) => ((p << 16) | s) + 4;

  it('accepts what PostgreSQL assigns, and text into an enum', () => {
    expect(assignable(type('int4', 'N'), ['int8', 'numeric'], column('int8', 'N'))).toBe(true);
    expect(assignable(type('text', 'S'), [], column('status', 'E'))).toBe(true);
    expect(assignable(type('int4', 'N'), [], column('varchar', 'S'))).toBe(true);
    expect(assignable(type('text', 'S'), [], column('date', 'D'), "'2026-01-01'")).toBe(true);
    expect(assignable(type('text', 'S'), [], column('int4', 'N'), 'NULL')).toBe(true);
    expect(assignable(type('text', 'S'), ['varchar', 'bpchar'], column('int4', 'N'), 'code')).toBe(false);
    expect(assignable(type('bool', 'B'), ['text'], column('int4', 'N'))).toBe(false);
  });

  it('calls out conversions that can change a value', () => {
    expect(lossiness(type('numeric', 'N', numeric(12, 4)), column('numeric', 'N', { precision: 12, scale: 2 }))).toMatch(/rounds/);
    expect(lossiness(type('numeric', 'N', numeric(10, 2)), column('numeric', 'N', { precision: 12, scale: 2 }))).toBeNull();
    expect(lossiness(type('numeric', 'N'), column('numeric', 'N', { precision: 12, scale: 2 }))).toBeNull();
    expect(lossiness(type('numeric', 'N'), column('int4', 'N'))).toMatch(/fractional/);
    expect(lossiness(type('int8', 'N'), column('int4', 'N'))).toMatch(/overflow/);
    expect(lossiness(type('int4', 'N'), column('int8', 'N'))).toBeNull();
    expect(lossiness(type('int8', 'N'), column('numeric', 'N', { precision: 12, scale: 2 }))).toMatch(/overflow/);
    expect(lossiness(type('float8', 'N'), column('numeric', 'N', { precision: 10, scale: 2 }))).toMatch(/significant digits/);
    expect(lossiness(type('float8', 'N'), column('float4', 'N'))).toMatch(/precision/);
    expect(lossiness(type('varchar', 'S', 104), column('varchar', 'S', { maxLength: 50 }))).toMatch(/50 characters/);
    expect(lossiness(type('text', 'S'), column('varchar', 'S', { maxLength: 50 }))).toBeNull();
    expect(lossiness(type('timestamptz', 'D'), column('date', 'D'))).toMatch(/time of day/);
    expect(lossiness(type('timestamptz', 'D'), column('timestamptz', 'D', { type: 'timestamp(0) with time zone' }))).toMatch(/fractional seconds/);
    expect(lossiness(type('timestamp', 'D'), column('timestamptz', 'D', { type: 'timestamp with time zone' }))).toBeNull();
  });

  it('leaves to preflight every narrowing its data can prove harmless, but not a timestamp into a time of day', () => {
    expect(checkedByData(type('varchar', 'S', 104), column('varchar', 'S', { maxLength: 50 }))).toBe(true);
    expect(checkedByData(type('int8', 'N'), column('int4', 'N'))).toBe(true);
    expect(checkedByData(type('timestamptz', 'D'), column('date', 'D'))).toBe(true);
    expect(checkedByData(type('timestamp', 'D'), column('time', 'D'))).toBe(false);
  });
});
