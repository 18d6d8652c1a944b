// The audit sequence: every row of the class's scope, in `audit.order_by` order, normalised the way
// parity normalises rows (normalise.ts: the mapped source row and the destination row both rendered
// through the destination column types, timestamps as UTC instants), must be the same sequence on
// both sides. Parity proves the same SET of rows; this proves the same ORDER, which is what an
// audit log is for.
//
// Hashing: a chunked running hash. Each side numbers its rows in order (row_number() over
// `order_by`, then the destination key as a tie-breaker, so equal `order_by` values still give one
// deterministic order) and returns, per chunk of CHUNK_ROWS consecutive positions, the row count
// and md5 of the chunk's row texts joined by newlines in order. One statement per side, run
// concurrently; only (chunks) small rows cross the wire — 100 for 1M rows. The sequence's hash is
// md5 over the chunk hashes in order (computed here), reported in details.
//
// Ordering is by typed values (the source's mapped expression cast to the destination column's
// type, so both sides sort numbers, instants and dates by value). Text-like columns (strings,
// enums, other user types) sort as text with COLLATE "C" on both sides: two servers with different
// default collations must still agree on the order. NULLs sort last on both sides.
//
// Divergence: the first chunk whose count or hash differs is read position by position on both
// sides (key text and md5 of the row, never the row), and the positions that differ are reported:
// a different key at a position is `order-differs`; the same key with a different row is
// `row-differs`.
import { createHash } from 'node:crypto';
import type { QueryRunner } from '../../db/query-runner.js';
import { quoteIdent } from '../../db/sql-identifiers.js';
import { Failure } from '../../failure.js';
import type { CatalogColumn, CatalogTable } from '../../introspect/catalog.js';
import type { RecordClass } from '../../plan/types.js';
import { mappedColumns } from '../../copy/mapped-select.js';
import type { ExpressionType } from '../expressions.js';
import { familyOf, keyText, rowText, sampleKey, type ParityShape, type SideSql } from '../parity/normalise.js';

export const CHUNK_ROWS = 10_000;
const SAMPLES = 20;

export interface SequenceSide {
  side: SideSql;
  /** ORDER BY list: order_by columns then the destination key */
  order: string;
}

export interface Chunk {
  rows: number;
  hash: string;
}

function column(table: CatalogTable, name: string, what: string, className: string): CatalogColumn {
  const c = table.columns.find((x) => x.name === name);
  if (!c) throw new Failure('audit.column-missing', `audit check of class ${className}: ${table.qualified} has no column \`${name}\` (${what})`);
  return c;
}

/** One ordering term: the value typed as the destination column (or as text, C collation). */
function orderTerm(c: CatalogColumn, expression: string, side: 'source' | 'destination'): string {
  const family = familyOf(c);
  if (family.kind === 'text' || c.category === 'S') return `(${expression})::text COLLATE "C"`;
  if (side === 'destination' && family.kind === 'builtin') return expression;
  return `(${expression})::${family.cast}`;
}

/** ORDER BY lists for both sides. */
export function sequenceOrder(
  cls: RecordClass, className: string, destinationTable: CatalogTable, types: ReadonlyMap<string, ExpressionType> | undefined,
): { source: string; destination: string; columns: string[] } {
  const orderBy = cls.audit?.order_by ?? [];
  if (orderBy.length === 0) throw new Failure('audit.order-missing', `audit check of class ${className}: \`audit.order_by\` names no column`);
  const mapped = new Map(mappedColumns(cls, types, destinationTable).map((m) => [m.column, m.sql]));
  const columns = [...orderBy, ...cls.destination.key.filter((k) => !orderBy.includes(k))];
  const source: string[] = [];
  const destination: string[] = [];
  for (const name of columns) {
    const c = column(destinationTable, name, orderBy.includes(name) ? 'audit.order_by' : 'destination key', className);
    const sql = mapped.get(name);
    if (sql === undefined) {
      throw new Failure('audit.order-unmapped', `audit check of class ${className}: \`${name}\` (${orderBy.includes(name) ? 'audit.order_by' : 'destination key'}) is not mapped in \`columns\``,
        'order_by names destination columns that `columns` fills');
    }
    source.push(orderTerm(c, sql, 'source'));
    destination.push(orderTerm(c, `dst.${quoteIdent(name)}`, 'destination'));
  }
  return { source: source.join(', '), destination: destination.join(', '), columns: orderBy };
}

export function chunksSql(s: SequenceSide, chunkRows: number): string {
  return `SELECT (q.rn / ${Math.trunc(chunkRows)})::int8::text AS chunk, count(*)::int8::text AS n,
       md5(string_agg(q.r, E'\\n' ORDER BY q.rn)) AS h
  FROM (SELECT row_number() OVER (ORDER BY ${s.order}) - 1 AS rn, ${rowText(s.side)} AS r
        ${s.side.from}) AS q
 GROUP BY 1 ORDER BY 1`;
}

export async function readChunks(db: QueryRunner, s: SequenceSide, chunkRows: number): Promise<Chunk[]> {
  const { rows } = await db.query<{ chunk: string; n: string; h: string }>(chunksSql(s, chunkRows));
  return rows.map((r) => ({ rows: Number(r.n), hash: r.h }));
}

/** md5 over the chunk hashes in order: the sequence's fingerprint. */
export function sequenceHash(chunks: readonly Chunk[]): string {
  const h = createHash('md5');
  for (const c of chunks) h.update(`${c.rows}:${c.hash}\n`);
  return h.digest('hex');
}

export function firstDifferingChunk(source: readonly Chunk[], destination: readonly Chunk[]): number {
  const n = Math.max(source.length, destination.length);
  for (let i = 0; i < n; i++) {
    const s = source[i];
    const d = destination[i];
    if (!s || !d || s.rows !== d.rows || s.hash !== d.hash) return i;
  }
  return -1;
}

export function differingChunks(source: readonly Chunk[], destination: readonly Chunk[]): number {
  let n = 0;
  for (let i = 0; i < Math.max(source.length, destination.length); i++) {
    const s = source[i];
    const d = destination[i];
    if (!s || !d || s.rows !== d.rows || s.hash !== d.hash) n++;
  }
  return n;
}

function positionsSql(s: SequenceSide): string {
  return `SELECT q.rn::text AS rn, q.k, md5(q.r) AS h
  FROM (SELECT row_number() OVER (ORDER BY ${s.order}) - 1 AS rn, ${keyText(s.side)} AS k, ${rowText(s.side)} AS r
        ${s.side.from}) AS q
 WHERE q.rn >= $1 AND q.rn < $2 ORDER BY q.rn`;
}

export interface Divergence {
  /** 0-based position of the first difference */
  first: number;
  order: { count: number; samples: { position: number; source: unknown[] | null; destination: unknown[] | null }[] };
  rows: { count: number; samples: { position: number; key: unknown[] }[] };
}

/** Reads one chunk's positions on both sides (keys and row hashes only) and compares them. */
export async function locateDivergence(
  source: QueryRunner, destination: QueryRunner, shape: ParityShape, order: { source: string; destination: string },
  chunk: number, chunkRows: number,
): Promise<Divergence> {
  const from = chunk * chunkRows;
  const to = from + chunkRows;
  type Row = { rn: string; k: string; h: string };
  const [s, d] = await Promise.all([
    source.query<Row>(positionsSql({ side: shape.source, order: order.source }), [from, to]),
    destination.query<Row>(positionsSql({ side: shape.destination, order: order.destination }), [from, to]),
  ]);
  const key = (text: string | undefined) => (text === undefined ? null : sampleKey(text, shape.keyKinds));
  const result: Divergence = { first: -1, order: { count: 0, samples: [] }, rows: { count: 0, samples: [] } };
  const n = Math.max(s.rows.length, d.rows.length);
  for (let i = 0; i < n; i++) {
    const a = s.rows[i];
    const b = d.rows[i];
    if (a && b && a.k === b.k && a.h === b.h) continue;
    const position = from + i;
    if (result.first < 0) result.first = position;
    if (a && b && a.k === b.k) {
      result.rows.count++;
      if (result.rows.samples.length < SAMPLES) result.rows.samples.push({ position, key: key(a.k)! });
    } else {
      result.order.count++;
      if (result.order.samples.length < SAMPLES) result.order.samples.push({ position, source: key(a?.k), destination: key(b?.k) });
    }
  }
  return result;
}
