// Narrowing: only the buckets whose counts or hash sums differ are looked at key by key. Both sides
// return (key, bucket, row hash) for those buckets — never a full row — and the keys are
// classified: in the source only (missing), in the destination only (extra), in both with
// different hashes (changed). Then the normalised rows of at most 20 changed keys are fetched from
// both sides to name the columns that differ. A bucket with rows on one side only needs no key
// comparison at all: its count is the number of missing (or extra) rows; a few of its keys are
// read for samples.
import type { QueryRunner } from '../../db/query-runner.js';
import type { Bucket, BucketComparison } from './buckets.js';
import { bucketOf, rowHash } from './buckets.js';
import { keyText, rowValues, sampleKey, type ParityShape, type SideSql } from './normalise.js';

export const MAX_SAMPLES = 20;
/** rows (per side) narrowed in one round trip, so memory stays bounded however much differs */
export const CHUNK_ROWS = 100_000;

export interface Difference {
  kind: string;
  count: number;
  sampleKeys: unknown[][];
  columns?: string[];
  detail?: string;
}

interface Sides {
  source: QueryRunner;
  destination: QueryRunner;
}

/** Keeps the count and the first MAX_SAMPLES key texts in text order (deterministic samples). */
class Tally {
  count = 0;
  samples: { key: string; bucket: number }[] = [];

  add(key: string, bucket: number, n = 1): void {
    this.count += n;
    this.offer(key, bucket);
  }

  offer(key: string, bucket: number): void {
    if (this.samples.length >= MAX_SAMPLES && key >= this.samples[this.samples.length - 1]!.key) return;
    this.samples.push({ key, bucket });
    this.samples.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    if (this.samples.length > MAX_SAMPLES) this.samples.length = MAX_SAMPLES;
  }
}

function keysSql(side: SideSql, buckets: number, withHash: boolean): string {
  return `SELECT kt, b${withHash ? ', h::text AS h' : ''} FROM (
  SELECT ${keyText(side)} AS kt, ${bucketOf(side, buckets)} AS b${withHash ? `, ${rowHash(side)} AS h` : ''}
  ${side.from}
) AS q WHERE b = ANY($1::int[])`;
}

function valuesSql(side: SideSql, buckets: number): string {
  return `SELECT kt, v FROM (
  SELECT ${keyText(side)} AS kt, ${bucketOf(side, buckets)} AS b, ${rowValues(side)} AS v
  ${side.from}
) AS q WHERE b = ANY($1::int[]) AND kt = ANY($2::text[])`;
}

type KeyRow = { kt: string; b: number; h: string };

function group(rows: readonly KeyRow[]): Map<string, { bucket: number; hashes: string[] }> {
  const out = new Map<string, { bucket: number; hashes: string[] }>();
  for (const r of rows) {
    const e = out.get(r.kt);
    if (e) e.hashes.push(r.h);
    else out.set(r.kt, { bucket: Number(r.b), hashes: [r.h] });
  }
  return out;
}

/** Splits buckets into chunks of at most CHUNK_ROWS rows on either side (a bigger bucket alone). */
function chunks(list: readonly number[], source: ReadonlyMap<number, Bucket>, destination: ReadonlyMap<number, Bucket>): number[][] {
  const out: number[][] = [];
  let current: number[] = [];
  let rows = 0;
  for (const b of list) {
    const n = Math.max(source.get(b)?.rows ?? 0, destination.get(b)?.rows ?? 0);
    if (current.length > 0 && rows + n > CHUNK_ROWS) {
      out.push(current);
      current = [];
      rows = 0;
    }
    current.push(b);
    rows += n;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Classifies one chunk's keys. A key the source maps twice is matched hash by hash. */
function classify(
  sourceRows: readonly KeyRow[], destinationRows: readonly KeyRow[], missing: Tally, extra: Tally, changed: Tally,
): void {
  const source = group(sourceRows);
  const destination = group(destinationRows);
  for (const [key, s] of source) {
    const d = destination.get(key);
    const left = [...s.hashes];
    const right = d ? [...d.hashes] : [];
    for (let i = left.length - 1; i >= 0; i--) {
      const j = right.indexOf(left[i]!);
      if (j >= 0) {
        left.splice(i, 1);
        right.splice(j, 1);
      }
    }
    const both = Math.min(left.length, right.length);
    if (both > 0) changed.add(key, s.bucket, both);
    if (left.length > both) missing.add(key, s.bucket, left.length - both);
    if (right.length > both) extra.add(key, s.bucket, right.length - both);
  }
  for (const [key, d] of destination) if (!source.has(key)) extra.add(key, d.bucket, d.hashes.length);
}

/** Up to MAX_SAMPLES keys (in text order) of the rows in some buckets of one side. */
async function someKeys(db: QueryRunner, side: SideSql, buckets: number, list: readonly number[], into: Tally): Promise<void> {
  if (list.length === 0) return;
  const { rows } = await db.query<{ kt: string; b: number }>(`${keysSql(side, buckets, false)} ORDER BY kt COLLATE "C" LIMIT ${MAX_SAMPLES}`, [list]);
  for (const r of rows) into.offer(r.kt, Number(r.b));
}

/** The columns whose normalised values differ in the sampled changed rows. */
async function differingColumns(sides: Sides, shape: ParityShape, buckets: number, changed: Tally): Promise<string[]> {
  if (changed.samples.length === 0) return [];
  const keys = changed.samples.map((s) => s.key);
  const list = [...new Set(changed.samples.map((s) => s.bucket))];
  const [source, destination] = await Promise.all([
    sides.source.query<{ kt: string; v: (string | null)[] }>(valuesSql(shape.source, buckets), [list, keys]),
    sides.destination.query<{ kt: string; v: (string | null)[] }>(valuesSql(shape.destination, buckets), [list, keys]),
  ]);
  const byKey = new Map<string, (string | null)[][]>();
  for (const r of destination.rows) byKey.set(r.kt, [...(byKey.get(r.kt) ?? []), r.v]);
  const differ = new Set<number>();
  for (const s of source.rows) {
    for (const d of byKey.get(s.kt) ?? []) {
      shape.columns.forEach((_, i) => {
        if (s.v[i] !== d[i]) differ.add(i);
      });
    }
  }
  return shape.columns.filter((_, i) => differ.has(i));
}

export interface NarrowInput {
  source: QueryRunner;
  destination: QueryRunner;
  shape: ParityShape;
  buckets: number;
  sourceBuckets: ReadonlyMap<number, Bucket>;
  destinationBuckets: ReadonlyMap<number, Bucket>;
  comparison: BucketComparison;
}

/** missing, extra and changed rows (only the kinds that occur), each with up to 20 sample keys. */
export async function narrow(input: NarrowInput): Promise<Difference[]> {
  const { shape, buckets, comparison } = input;
  const missing = new Tally();
  const extra = new Tally();
  const changed = new Tally();

  for (const chunk of chunks(comparison.differing, input.sourceBuckets, input.destinationBuckets)) {
    const [s, d] = await Promise.all([
      input.source.query<KeyRow>(keysSql(shape.source, buckets, true), [chunk]),
      input.destination.query<KeyRow>(keysSql(shape.destination, buckets, true), [chunk]),
    ]);
    classify(s.rows, d.rows, missing, extra, changed);
  }

  for (const b of comparison.sourceOnly) missing.count += input.sourceBuckets.get(b)!.rows;
  for (const b of comparison.destinationOnly) extra.count += input.destinationBuckets.get(b)!.rows;
  // at most one statement at a time per session, both sessions at once
  const columns = await differingColumns(input, shape, buckets, changed);
  await Promise.all([
    someKeys(input.source, shape.source, buckets, comparison.sourceOnly, missing),
    someKeys(input.destination, shape.destination, buckets, comparison.destinationOnly, extra),
  ]);

  const out: Difference[] = [];
  const keysOf = (t: Tally) => t.samples.map((s) => sampleKey(s.key, shape.keyKinds));
  if (missing.count > 0) out.push({ kind: 'missing', count: missing.count, sampleKeys: keysOf(missing) });
  if (extra.count > 0) out.push({ kind: 'extra', count: extra.count, sampleKeys: keysOf(extra) });
  if (changed.count > 0) out.push({ kind: 'changed', count: changed.count, sampleKeys: keysOf(changed), columns });
  return out;
}
