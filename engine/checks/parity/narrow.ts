// Narrowing: only the buckets whose counts or hash sums differ are looked at key by key. Both sides
// return (key, bucket, row hash) for the rows of those buckets, and the keys are classified: in the
// source only (missing), in the destination only (extra), in both with different hashes
// (changed). The normalised rows of at most 20 changed keys are then compared value by value to
// name the columns that differ. Rows of buckets that agree are never read again.
//
// When the differing buckets hold few rows (the usual case: one changed row in a million is one
// bucket of ~250 rows), their normalised values come along in the same pass, which saves both
// servers a second scan. Up to CHUNK_ROWS rows, keys and hashes come in one statement per side.
// Beyond that (a mapping that changed every row), each side streams its keys and hashes ordered by
// bucket through a cursor — still one scan per side, however much differs — and the two streams
// are merged bucket by bucket, so memory holds a fetch and a bucket, never the table. The values
// of the sampled changed rows are then fetched by key.
//
// A bucket with rows on one side only needs no key comparison at all: its row count is the number
// of missing (or extra) rows; a few of its keys are read for samples.
import type { QueryRunner } from '../../db/query-runner.js';
import { settleAll } from '../../db/snapshot.js';
import { bucketOf, rowHash, type Bucket, type BucketComparison, type Hashing } from './buckets.js';
import { compareKeyValues, keyOrderColumns, keyText, parseKey, type KeyValues, rowValues, sampleKey, type ParityShape, type SideSql } from './normalise.js';

export const MAX_SAMPLES = 20;
/** rows (per side) narrowed in one round trip, so memory stays bounded however much differs */
export const CHUNK_ROWS = 100_000;
/** up to this many rows per side, the differing buckets' values are read with their hashes */
export const INLINE_ROWS = 5_000;
/** rows fetched from a cursor at a time, when the differing buckets hold more than CHUNK_ROWS */
export const FETCH_ROWS = 20_000;
const CURSOR = 'cutover_parity_rows';

export interface Difference {
  kind: string;
  count: number;
  sampleKeys: unknown[][];
  columns?: string[];
  detail?: string;
}

type Values = (string | null)[];

/** Keeps the count and the first MAX_SAMPLES keys in key order (deterministic samples). */
class Tally {
  count = 0;
  samples: { key: string; bucket: number; values: KeyValues }[] = [];

  add(key: string, bucket: number, n = 1): void {
    this.count += n;
    this.offer(key, bucket);
  }

  offer(key: string, bucket: number): void {
    const values = parseKey(key);
    const last = this.samples[this.samples.length - 1];
    if (this.samples.length >= MAX_SAMPLES && last && compareKeyValues(values, last.values) >= 0) return;
    if (this.samples.some((s) => s.key === key)) return;
    this.samples.push({ key, bucket, values });
    this.samples.sort((a, b) => compareKeyValues(a.values, b.values));
    if (this.samples.length > MAX_SAMPLES) this.samples.length = MAX_SAMPLES;
  }

  has(key: string): boolean {
    return this.samples.some((s) => s.key === key);
  }
}

type Read = 'keys' | 'hashes' | 'rows';

/** kt (key text), b (bucket), and with `hashes` h (row hash), with `rows` also v (the values). */
function bucketRowsSql(side: SideSql, hashing: Hashing, read: Read): string {
  const h = read === 'keys' ? '' : `, ${rowHash(side, hashing.kind)} AS h`;
  const v = read === 'rows' ? `, ${rowValues(side)} AS v` : '';
  return `SELECT kt, b${read === 'keys' ? '' : ', h::text AS h'}${v ? ', v' : ''} FROM (
  SELECT ${keyText(side)} AS kt, ${bucketOf(side, hashing)} AS b${h}${v}
  ${side.from}
) AS q WHERE b = ANY($1::int[])`;
}

/** The first MAX_SAMPLES keys, in key order, of the rows in some buckets of one side. */
function someKeysSql(side: SideSql, hashing: Hashing): string {
  const order = keyOrderColumns(side);
  return `SELECT kt, b FROM (
  SELECT ${keyText(side)} AS kt, ${bucketOf(side, hashing)} AS b${order.select}
  ${side.from}
) AS q WHERE b = ANY($1::int[]) ORDER BY ${order.orderBy} LIMIT ${MAX_SAMPLES}`;
}

function valuesSql(side: SideSql, hashing: Hashing): string {
  return `SELECT kt, v FROM (
  SELECT ${keyText(side)} AS kt, ${bucketOf(side, hashing)} AS b, ${rowValues(side)} AS v
  ${side.from}
) AS q WHERE b = ANY($1::int[]) AND kt = ANY($2::text[])`;
}

type BucketRow = { kt: string; b: number; h: string; v?: Values };

/** key → its row (the usual case), or its rows when a side maps two rows to one key */
type ByKey = Map<string, BucketRow | BucketRow[]>;

function byKey(rows: readonly BucketRow[]): ByKey {
  const out: ByKey = new Map();
  for (const r of rows) {
    const e = out.get(r.kt);
    if (e === undefined) out.set(r.kt, r);
    else if (Array.isArray(e)) e.push(r);
    else out.set(r.kt, [e, r]);
  }
  return out;
}

/** The rows of some buckets, on whichever side has more. */
function rowsIn(list: readonly number[], source: ReadonlyMap<number, Bucket>, destination: ReadonlyMap<number, Bucket>): number {
  let rows = 0;
  for (const b of list) rows += Math.max(source.get(b)?.rows ?? 0, destination.get(b)?.rows ?? 0);
  return rows;
}

/** One side's rows of the differing buckets, FETCH_ROWS at a time, in bucket order. */
class Stream {
  buffer: BucketRow[] = [];
  done = false;
  private opened = false;

  constructor(private readonly db: QueryRunner, private readonly sql: string, private readonly buckets: readonly number[]) {}

  async more(): Promise<void> {
    if (!this.opened) {
      await this.db.query(`DECLARE ${CURSOR} NO SCROLL CURSOR FOR ${this.sql} ORDER BY b`, [this.buckets]);
      this.opened = true;
    }
    const { rows } = await this.db.query<BucketRow>(`FETCH ${FETCH_ROWS} FROM ${CURSOR}`);
    for (const r of rows) this.buffer.push(r);
    if (rows.length < FETCH_ROWS) await this.close();
  }

  async close(): Promise<void> {
    if (this.opened && !this.done) await this.db.query(`CLOSE ${CURSOR}`);
    this.done = true;
  }

  /** the last bucket buffered (complete only once a later one or the end has been seen) */
  last(): number {
    return this.buffer.length > 0 ? this.buffer[this.buffer.length - 1]!.b : -1;
  }

  /** removes and returns the buffered rows of buckets below `cut` */
  take(cut: number): BucketRow[] {
    let i = 0;
    while (i < this.buffer.length && this.buffer[i]!.b < cut) i++;
    return this.buffer.splice(0, i);
  }
}

/** Merges both sides' bucket-ordered streams, classifying every bucket once both have it whole. */
async function streamed(input: NarrowInput, out: Outcome): Promise<void> {
  const { shape, hashing, comparison } = input;
  const source = new Stream(input.source, bucketRowsSql(shape.source, hashing, 'hashes'), comparison.differing);
  const destination = new Stream(input.destination, bucketRowsSql(shape.destination, hashing, 'hashes'), comparison.differing);
  try {
    for (;;) {
      // a side's last buffered bucket may continue in its next fetch: complete are those below it
      const open = [source, destination].filter((x) => !x.done);
      if (open.length === 0) {
        classify(source.take(Infinity), destination.take(Infinity), out);
        return;
      }
      const cut = Math.min(...open.map((x) => x.last()));
      classify(source.take(cut), destination.take(cut), out);
      // fetch on every open side whose buffer holds nothing beyond the cut
      await settleAll(open.filter((x) => x.last() <= cut).map((x) => x.more()));
    }
  } finally {
    await Promise.all([source.close().catch(() => undefined), destination.close().catch(() => undefined)]);
  }
}

interface Outcome {
  missing: Tally;
  extra: Tally;
  changed: Tally;
  /** values of sampled changed rows read inline: key → [source, destination] */
  values: Map<string, [Values, Values]>;
}

/** Classifies the rows of some buckets, complete on both sides. A key a side maps twice is
 * matched row hash by row hash. Runs once per row of every differing bucket: kept lean. */
function classify(sourceRows: readonly BucketRow[], destinationRows: readonly BucketRow[], out: Outcome): void {
  const destination = byKey(destinationRows);
  for (const s of sourceRows) {
    const d = destination.get(s.kt);
    if (d === undefined) {
      out.missing.add(s.kt, s.b);
    } else if (!Array.isArray(d)) {
      destination.delete(s.kt);
      if (d.h !== s.h) changed(s, d, out);
    } else {
      const j = d.findIndex((x) => x.h === s.h);
      if (j >= 0) d.splice(j, 1);
      else if (d.length > 0) changed(s, d.shift()!, out);
      else out.missing.add(s.kt, s.b);
      if (d.length === 0) destination.delete(s.kt);
    }
  }
  for (const d of destination.values()) {
    if (Array.isArray(d)) for (const x of d) out.extra.add(x.kt, x.b);
    else out.extra.add(d.kt, d.b);
  }
  // keep only the values of keys still sampled
  if (out.values.size > MAX_SAMPLES) for (const key of out.values.keys()) if (!out.changed.has(key)) out.values.delete(key);
}

function changed(s: BucketRow, d: BucketRow, out: Outcome): void {
  out.changed.add(s.kt, s.b);
  if (s.v && d.v && out.changed.has(s.kt)) out.values.set(s.kt, [s.v, d.v]);
}

/** The columns whose normalised values differ in the sampled changed rows (values read inline, or
 * fetched now from both sides for the sampled keys only). */
async function differingColumns(input: NarrowInput, out: Outcome): Promise<string[]> {
  const { shape, hashing } = input;
  const pending = out.changed.samples.filter((s) => !out.values.has(s.key));
  if (pending.length > 0) {
    const keys = pending.map((s) => s.key);
    const list = [...new Set(pending.map((s) => s.bucket))];
    const [source, destination] = await settleAll([
      input.source.query<{ kt: string; v: Values }>(valuesSql(shape.source, hashing), [list, keys]),
      input.destination.query<{ kt: string; v: Values }>(valuesSql(shape.destination, hashing), [list, keys]),
    ]);
    const d = new Map(destination.rows.map((r) => [r.kt, r.v]));
    for (const r of source.rows) {
      const other = d.get(r.kt);
      if (other && !out.values.has(r.kt)) out.values.set(r.kt, [r.v, other]);
    }
  }
  const differ = new Set<number>();
  for (const [s, d] of out.values.values()) shape.columns.forEach((_, i) => { if (s[i] !== d[i]) differ.add(i); });
  return shape.columns.filter((_, i) => differ.has(i));
}

export interface NarrowInput {
  source: QueryRunner;
  destination: QueryRunner;
  shape: ParityShape;
  hashing: Hashing;
  sourceBuckets: ReadonlyMap<number, Bucket>;
  destinationBuckets: ReadonlyMap<number, Bucket>;
  comparison: BucketComparison;
}

/** missing, extra and changed rows (only the kinds that occur), each with up to 20 sample keys. */
export async function narrow(input: NarrowInput): Promise<Difference[]> {
  const { shape, hashing, comparison } = input;
  const out: Outcome = { missing: new Tally(), extra: new Tally(), changed: new Tally(), values: new Map() };

  const rows = rowsIn(comparison.differing, input.sourceBuckets, input.destinationBuckets);
  if (rows > CHUNK_ROWS) {
    await streamed(input, out);
  } else if (comparison.differing.length > 0) {
    const read: Read = rows <= INLINE_ROWS ? 'rows' : 'hashes';
    const [s, d] = await settleAll([
      input.source.query<BucketRow>(bucketRowsSql(shape.source, hashing, read), [comparison.differing]),
      input.destination.query<BucketRow>(bucketRowsSql(shape.destination, hashing, read), [comparison.differing]),
    ]);
    classify(s.rows, d.rows, out);
  }

  for (const b of comparison.sourceOnly) out.missing.count += input.sourceBuckets.get(b)!.rows;
  for (const b of comparison.destinationOnly) out.extra.count += input.destinationBuckets.get(b)!.rows;
  // at most one statement at a time per session, both sessions at once
  const columns = await differingColumns(input, out);
  const someKeys = async (db: QueryRunner, side: SideSql, list: number[], into: Tally) => {
    if (list.length === 0) return;
    const { rows } = await db.query<{ kt: string; b: number }>(someKeysSql(side, hashing), [list]);
    for (const r of rows) into.offer(r.kt, Number(r.b));
  };
  await settleAll([
    someKeys(input.source, shape.source, comparison.sourceOnly, out.missing),
    someKeys(input.destination, shape.destination, comparison.destinationOnly, out.extra),
  ]);

  const result: Difference[] = [];
  const keysOf = (t: Tally) => t.samples.map((s) => sampleKey(s.key, shape.keyKinds));
  if (out.missing.count > 0) result.push({ kind: 'missing', count: out.missing.count, sampleKeys: keysOf(out.missing) });
  if (out.extra.count > 0) result.push({ kind: 'extra', count: out.extra.count, sampleKeys: keysOf(out.extra) });
  if (out.changed.count > 0) result.push({ kind: 'changed', count: out.changed.count, sampleKeys: keysOf(out.changed), columns });
  return result;
}
