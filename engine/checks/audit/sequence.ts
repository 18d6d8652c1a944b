// The audit sequence: every row of the class's scope, in `audit.order_by` order, normalised the way
// parity normalises rows (normalise.ts: the mapped source row and the destination row both rendered
// through the destination column types, timestamps as UTC instants), must be the same sequence on
// both sides. Parity proves the same SET of rows; this proves the same ORDER, which is what an
// audit log is for.
//
// Hashing: a chunked running hash. Each side numbers its rows in order (row_number() over
// `order_by`, then the destination key as a tie-breaker, so equal `order_by` values still give one
// deterministic order) and returns, per chunk of CHUNK_ROWS consecutive positions, the row count
// and the sum of the 64-bit hashes (first 64 bits of md5) of "position:row text" — each row's hash
// bound to its position, so the chunk's sum changes when rows change places, with a false match
// probability of about 2^-64, and no sort beyond the one row_number() needs. One statement per
// side, run concurrently; only (chunks) small rows cross the wire — 100 for 1M rows. The
// sequence's hash is md5 over the chunk sums in order (computed here), reported in details.
//
// Ordering is by typed values (the source's mapped expression cast to the destination column's
// type, so both sides sort numbers, instants and dates by value). Text-like columns (strings,
// enums, other user types) sort as text with COLLATE "C" on both sides: two servers with different
// default collations must still agree on the order. NULLs sort last on both sides.
//
// Divergence: the first (up to 5) chunks whose count or hash differs are read position by position
// on both sides in one statement each (key text and md5 of the row, never the row), and the
// positions that differ are reported:
// a different key at a position is `order-differs`; the same key with a different row is
// `row-differs`.
import { createHash } from 'node:crypto';
import type { QueryRunner } from '../../db/query-runner.js';
import { settleAll } from '../../db/snapshot.js';
import { quoteIdent } from '../../db/sql-identifiers.js';
import { Failure } from '../../failure.js';
import type { CatalogColumn, CatalogTable } from '../../introspect/catalog.js';
import type { RecordClass } from '../../plan/types.js';
import { mappedColumns, sourceFrom } from '../../copy/mapped-select.js';
import type { ExpressionType } from '../expressions.js';
import {
  destinationFrom, destinationNormalised, familyOf, keyKindOf, keyText, rowText, sampleKey, sourceNormalised, type KeyKind, type Normalised,
  type SideSql,
} from '../parity/normalise.js';

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

export interface Sequence {
  source: SequenceSide;
  destination: SequenceSide;
  /** the `order_by` columns */
  columns: string[];
  keyKinds: KeyKind[];
}

/**
 * Both sides' SQL for the sequence. On the source the mapped expressions are computed once per row
 * in an inner query (fenced with OFFSET 0 so the planner cannot inline them twice): the ordering
 * and the row text then read its columns, so an expensive mapping (a timestamp read through a
 * zone with daylight-saving policies) is evaluated once, not once for the sort and again for the
 * text. The normalisation is parity's (sourceValue / destinationValue), over those columns.
 */
export function sequenceSides(
  cls: RecordClass, className: string, sourceTable: CatalogTable, destinationTable: CatalogTable,
  types: ReadonlyMap<string, ExpressionType> | undefined,
): Sequence {
  const orderBy = cls.audit?.order_by ?? [];
  if (orderBy.length === 0) throw new Failure('audit.order-missing', `audit check of class ${className}: \`audit.order_by\` names no column`);
  const mapped = mappedColumns(cls, types, destinationTable);
  const alias = new Map(mapped.map((m, i) => [m.column, `src.${quoteIdent(`c${i}`)}`]));
  const ref = (name: string, what: string) => {
    const a = alias.get(name);
    if (a === undefined) {
      throw new Failure('audit.order-unmapped', `audit check of class ${className}: \`${name}\` (${what}) is not mapped in \`columns\``,
        'order_by names destination columns that `columns` fills');
    }
    return a;
  };
  const inner = mapped.map((m, i) => `${m.sql} AS ${quoteIdent(`c${i}`)}`).join(', ');
  const ordering = [...orderBy, ...cls.destination.key.filter((k) => !orderBy.includes(k))];
  const what = (name: string) => (orderBy.includes(name) ? 'audit.order_by' : 'destination key');
  const sourceOrder: string[] = [];
  const destinationOrder: string[] = [];
  for (const name of ordering) {
    const c = column(destinationTable, name, what(name), className);
    sourceOrder.push(orderTerm(c, ref(name, what(name)), 'source'));
    destinationOrder.push(orderTerm(c, `dst.${quoteIdent(name)}`, 'destination'));
  }
  const columns = mapped.map((m) => m.column);
  const keyColumns = cls.destination.key.map((k) => column(destinationTable, k, 'destination key', className));
  const valueColumns = columns.map((name) => column(destinationTable, name, 'mapped column', className));
  const side = (from: string, values: Normalised[], key: Normalised[]): SideSql => ({
    from, values: values.map((v) => v.text), key: key.map((v) => v.text),
    valuesNative: values.map((v) => v.native), keyNative: key.map((v) => v.native),
  });
  const dst = (c: CatalogColumn) => destinationNormalised(c, `dst.${quoteIdent(c.name)}`);
  return {
    source: {
      side: side(
        `FROM (SELECT ${inner} ${sourceFrom(cls, sourceTable)} OFFSET 0) AS src`,
        valueColumns.map((c) => sourceNormalised(c, alias.get(c.name)!, types?.get(c.name))),
        keyColumns.map((c) => sourceNormalised(c, ref(c.name, 'destination key'), types?.get(c.name))),
      ),
      order: sourceOrder.join(', '),
    },
    destination: {
      side: side(destinationFrom(destinationTable), valueColumns.map(dst), keyColumns.map(dst)),
      order: destinationOrder.join(', '),
    },
    columns: orderBy,
    keyKinds: keyColumns.map(keyKindOf),
  };
}

/**
 * Per chunk: the row count and the sum of 64-bit hashes of (position, row text). Binding each row's
 * hash to its position makes the sum an order-sensitive fingerprint of the chunk (a swap changes two
 * terms) while the aggregate itself needs no second sort (unlike string_agg … ORDER BY): one sort
 * for row_number(), which carries only the table's columns (the row text is computed after it).
 */
export function chunksSql(s: SequenceSide, chunkRows: number): string {
  const n = Math.trunc(chunkRows);
  return `SELECT (q.rn / ${n})::text AS chunk, count(*)::text AS n,
       sum(('x' || substr(md5(q.rn::text || ':' || q.r), 1, 16))::bit(64)::int8)::text AS h
  FROM (SELECT row_number() OVER (ORDER BY ${s.order}) - 1 AS rn, ${rowText(s.side)} AS r
        ${s.side.from}) AS q
 GROUP BY q.rn / ${n} ORDER BY q.rn / ${n}`;
}

export async function readChunks(db: QueryRunner, s: SequenceSide, chunkRows: number): Promise<Chunk[]> {
  const { rows } = await db.query<{ chunk: string; n: string; h: string }>(chunksSql(s, chunkRows));
  // chunks are numbered from 0 without gaps (positions are consecutive); the index is the number
  return rows.map((r, i) => {
    if (Number(r.chunk) !== i) throw new Error(`audit sequence: chunk ${r.chunk} arrived at index ${i}`);
    return { rows: Number(r.n), hash: r.h };
  });
}

/** md5 over the chunk hashes in order: the sequence's fingerprint. */
export function sequenceHash(chunks: readonly Chunk[]): string {
  const h = createHash('md5');
  for (const c of chunks) h.update(`${c.rows}:${c.hash}\n`);
  return h.digest('hex');
}

/** indexes of the chunks whose count or hash differs (or that one side lacks), in order */
export function differingChunks(source: readonly Chunk[], destination: readonly Chunk[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < Math.max(source.length, destination.length); i++) {
    const s = source[i];
    const d = destination[i];
    if (!s || !d || s.rows !== d.rows || s.hash !== d.hash) out.push(i);
  }
  return out;
}

function positionsSql(s: SequenceSide, chunkRows: number): string {
  return `SELECT q.rn::text AS rn, q.k, md5(q.r) AS h
  FROM (SELECT row_number() OVER (ORDER BY ${s.order}) - 1 AS rn, ${keyText(s.side)} AS k, ${rowText(s.side)} AS r
        ${s.side.from}) AS q
 WHERE q.rn / ${Math.trunc(chunkRows)} = ANY ($1::int8[]) ORDER BY q.rn`;
}

/** at most this many differing chunks are read position by position */
export const NARROWED_CHUNKS = 5;

export interface Divergence {
  /** 0-based position of the first difference */
  first: number;
  /** the chunks read position by position (the first NARROWED_CHUNKS differing ones) */
  chunks: number[];
  order: { count: number; samples: { position: number; source: unknown[] | null; destination: unknown[] | null }[] };
  rows: { count: number; samples: { position: number; key: unknown[] }[] };
}

/** Reads the first differing chunks' positions on both sides (keys and row hashes only) and compares them. */
export async function locateDivergence(
  source: QueryRunner, destination: QueryRunner, sequence: Sequence, chunks: readonly number[], chunkRows: number,
): Promise<Divergence> {
  const wanted = chunks.slice(0, NARROWED_CHUNKS);
  type Row = { rn: string; k: string; h: string };
  const [s, d] = await settleAll([
    source.query<Row>(positionsSql(sequence.source, chunkRows), [wanted]),
    destination.query<Row>(positionsSql(sequence.destination, chunkRows), [wanted]),
  ] as const);
  const bySource = new Map(s.rows.map((r) => [Number(r.rn), r]));
  const byDestination = new Map(d.rows.map((r) => [Number(r.rn), r]));
  const positions = [...new Set([...bySource.keys(), ...byDestination.keys()])].sort((x, y) => x - y);
  const key = (text: string | undefined) => (text === undefined ? null : sampleKey(text, sequence.keyKinds));
  const result: Divergence = { first: -1, chunks: wanted, order: { count: 0, samples: [] }, rows: { count: 0, samples: [] } };
  for (const position of positions) {
    const a = bySource.get(position);
    const b = byDestination.get(position);
    if (a && b && a.k === b.k && a.h === b.h) continue;
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
