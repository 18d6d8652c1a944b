// Bucket hashing: each side, inside its own database, groups its rows into B buckets by a hash of
// the normalised key and returns per bucket the row count and the sum of 64-bit row hashes. Only
// B small rows cross the wire; equal buckets are never looked at again.
//
// Why hash buckets rather than ordered key ranges (the spec's "key ranges, bisection"): the
// compared key is the DESTINATION key, which on the source is a mapping expression with no index
// and perhaps a different type and collation than on the destination, so range boundaries would
// first have to be agreed on by sorting both sides, and every bisection step would be another
// round trip to both servers. A hash of the key's normalised text puts a key in the same bucket
// on both sides with no ordering, no collation and no negotiation: one aggregate pass per side,
// run concurrently, then one narrowing pass over the differing buckets only (a bucket holds about
// a thousand rows or fewer, so that pass plays the part of the last bisection steps at once).
//
// The bucket hash is md5 of the key text, not hashtext(): md5 is defined by its RFC, so two
// servers of different versions or architectures always agree where a key belongs — which the
// narrowing relies on when it counts a bucket present on one side only as missing or extra.
// The row hash is the first 64 bits of md5 of the row text, summed as numeric (no overflow, order
// independent); with the count beside it, a changed, missing or extra row changes its bucket
// except with probability ~2^-64.
import type { QueryRunner } from '../../db/query-runner.js';
import { keyText, rowText, type SideSql } from './normalise.js';

export interface Bucket {
  rows: number;
  /** the sum of the bucket's row hashes, as numeric text */
  sum: string;
}

export const MIN_BUCKETS = 4096;
export const MAX_BUCKETS = 65536;
export const ROWS_PER_BUCKET = 250;

/**
 * How many buckets. The bucket query returns one row per non-empty bucket, so a generous count
 * costs a small table nothing, while a large table's differing bucket stays small to narrow. The
 * planner's estimate (reltuples) is 0 or stale right after a copy, so it only ever raises the
 * count above the floor: 4096 buckets hold ~250 rows each at 1M rows; 65536 ~1,500 at 100M.
 * Both sides must use the same count: it is chosen once, from both tables' estimates.
 */
export function bucketCount(estimatedRows: number): number {
  const wanted = Math.ceil(Math.max(0, estimatedRows) / ROWS_PER_BUCKET);
  return Math.min(MAX_BUCKETS, Math.max(MIN_BUCKETS, wanted));
}

/** The bucket of a row, 0 … buckets-1, from its key text. */
export function bucketOf(side: SideSql, buckets: number): string {
  return `((('x' || substr(md5(${keyText(side)}), 1, 8))::bit(32)::int & 2147483647) % ${Math.trunc(buckets)})`;
}

/** The row's 64-bit hash. */
export function rowHash(side: SideSql): string {
  return `('x' || substr(md5(${rowText(side)}), 1, 16))::bit(64)::bigint`;
}

export function bucketSql(side: SideSql, buckets: number): string {
  return `SELECT b, count(*) AS n, sum(h)::text AS s FROM (
  SELECT ${bucketOf(side, buckets)} AS b, ${rowHash(side)} AS h
  ${side.from}
) AS q GROUP BY b`;
}

export async function readBuckets(db: QueryRunner, side: SideSql, buckets: number): Promise<Map<number, Bucket>> {
  const { rows } = await db.query<{ b: number; n: string; s: string }>(bucketSql(side, buckets));
  return new Map(rows.map((r) => [Number(r.b), { rows: Number(r.n), sum: r.s }]));
}

export interface BucketComparison {
  /** buckets with rows on both sides whose counts or sums differ: narrowed key by key */
  differing: number[];
  /** buckets with rows on the source only: every row missing */
  sourceOnly: number[];
  /** buckets with rows on the destination only: every row extra */
  destinationOnly: number[];
}

export function compareBuckets(source: ReadonlyMap<number, Bucket>, destination: ReadonlyMap<number, Bucket>): BucketComparison {
  const differing: number[] = [];
  const sourceOnly: number[] = [];
  const destinationOnly: number[] = [];
  for (const [b, s] of source) {
    const d = destination.get(b);
    if (!d) sourceOnly.push(b);
    else if (d.rows !== s.rows || d.sum !== s.sum) differing.push(b);
  }
  for (const b of destination.keys()) if (!source.has(b)) destinationOnly.push(b);
  const order = (x: number, y: number) => x - y;
  return { differing: differing.sort(order), sourceOnly: sourceOnly.sort(order), destinationOnly: destinationOnly.sort(order) };
}

export function totalRows(buckets: ReadonlyMap<number, Bucket>): number {
  let n = 0;
  for (const b of buckets.values()) n += b.rows;
  return n;
}
