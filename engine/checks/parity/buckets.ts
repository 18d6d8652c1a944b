// Bucket hashing: each side, inside its own database, puts every row in one of B buckets by a hash
// of its normalised key and returns, per bucket, the row count and the sum of 64-bit row hashes.
// Only the buckets (at most B small rows) cross the wire; equal buckets are never looked at again.
//
// Why hash buckets rather than ordered key ranges (the spec's "per key range … bisection"): the
// compared key is the DESTINATION key, which on the source is a mapping expression — no index,
// perhaps another type and collation than on the destination — so range boundaries would first
// have to be agreed by sorting both sides, and every bisection step would be one more round trip
// to both servers. A hash of the key's normalised text puts a key in the same bucket on both sides
// with no ordering, no collation and no negotiation: one aggregate pass per side, both sides at
// once, then a single narrowing pass over the differing buckets only (a bucket holds ~250 rows or
// fewer, so that pass does the work of the last bisection steps at once).
//
// Hashes: a bucket's is the numeric sum of its rows' 64-bit hashes (no overflow, order
// independent); with the count beside it, a changed, missing or extra row changes its bucket
// except with probability ~2^-64. Two ways to hash a row, the same on both sides:
// - native (fast, in the server; used when both servers give the same value for a probe of every
//   function involved — same algorithms, byte order and server encoding): each column hashed on
//   its own with a seed of its own (values trading places between columns change the row), by the
//   type's own extended hash function for integers, numerics, floats, booleans, dates, timestamps
//   and uuids (equal values hash alike: 1.5 = 1.50), by hashtextextended() of the normalised text
//   for everything else; NULL is a per-column constant (so NULL and '' differ); the row's hash is
//   the XOR of its columns'. Rendering dates or booleans as text costs more than the hashing.
// - portable (otherwise): md5 of the UTF-8 bytes of the record of normalised texts, slower but
//   defined by its RFC.
// Both sides must bucket alike: the narrowing counts a bucket present on one side only as missing
// or extra rows without comparing keys.
import type { QueryRunner } from '../../db/query-runner.js';
import type { NativeHash, SideSql } from './normalise.js';

export interface Bucket {
  rows: number;
  /** the sum of the bucket's row hashes, as numeric text */
  sum: string;
}

export type HashKind = 'native' | 'portable';

export interface Hashing {
  kind: HashKind;
  /** the number of buckets, the same on both sides */
  buckets: number;
}

export const MIN_BUCKETS = 4096;
export const MAX_BUCKETS = 65536;
export const ROWS_PER_BUCKET = 250;

/**
 * How many buckets. The bucket query returns one row per non-empty bucket, so a generous count
 * costs a small table nothing, while a large table's differing bucket stays small to narrow. The
 * planner's estimate (reltuples) is 0 or stale right after a copy, so it only ever raises the
 * count above the floor: 4096 buckets hold ~250 rows each at 1M rows; 65536 ~1,500 at 100M.
 */
export function bucketCount(estimatedRows: number): number {
  const wanted = Math.ceil(Math.max(0, estimatedRows) / ROWS_PER_BUCKET);
  return Math.min(MAX_BUCKETS, Math.max(MIN_BUCKETS, wanted));
}

const ROW_SEED = 1;
const KEY_SEED = 1001;

/** A fixed, distinct 64-bit constant standing for NULL in column `seed`. */
function nullMarker(seed: number): string {
  return `'${BigInt.asIntN(64, 0x9e3779b97f4a7c15n * BigInt(seed) + 0x632be59bd9b4e019n)}'::bigint`;
}

function nativeHash(text: string, typed: NativeHash | null, seed: number): string {
  const h = typed ? `${typed.fn}(${typed.value}, ${seed})` : `pg_catalog.hashtextextended(${text}, ${seed})`;
  return `coalesce(${h}, ${nullMarker(seed)})`;
}

/** 64 bits of md5 of the UTF-8 bytes of a record of texts (record output: NULL and '' differ). */
function portableHash(texts: readonly string[], hexDigits: 8 | 16): string {
  return `('x' || substr(md5(convert_to(ROW(${texts.join(', ')})::text, 'UTF8')), 1, ${hexDigits}))::bit(${hexDigits * 4})::${hexDigits === 16 ? 'bigint' : 'int'}`;
}

function nativeCombined(texts: readonly string[], typed: readonly (NativeHash | null)[] | undefined, seed: number): string {
  return `(${texts.map((t, i) => nativeHash(t, typed?.[i] ?? null, seed + i)).join(' # ')})`;
}

/** The row's 64-bit hash over every compared column. */
export function rowHash(side: SideSql, kind: HashKind): string {
  return kind === 'native' ? nativeCombined(side.values, side.valuesNative, ROW_SEED) : portableHash(side.values, 16);
}

/** The bucket of a row, 0 … buckets-1, from its normalised key. */
export function bucketOf(side: SideSql, hashing: Hashing): string {
  const n = Math.trunc(hashing.buckets);
  return hashing.kind === 'native'
    ? `((${nativeCombined(side.key, side.keyNative, KEY_SEED)} & 9223372036854775807) % ${n})::int`
    : `((${portableHash(side.key, 8)} & 2147483647) % ${n})`;
}

/** A probe both servers must agree on for the native hashes: every function they may use, on
 * values whose bytes differ by byte order, and non-ASCII (but LATIN1-representable) text so a
 * difference in server encoding shows too. */
export const PROBE_SQL = `SELECT concat_ws(':',
  pg_catalog.hashtextextended('cutover parity probe: déjà vu', 7),
  pg_catalog.hashint2extended(12345::int2, 7),
  pg_catalog.hashint4extended(123456789, 7),
  pg_catalog.hashint8extended(1234567890123456789, 7),
  pg_catalog.hash_numeric_extended(-12345.678900, 7),
  pg_catalog.hashfloat4extended(1.5::float4, 7),
  pg_catalog.hashfloat8extended(-1.25e-7::float8, 7),
  pg_catalog.timestamp_hash_extended('2026-01-02 03:04:05.678'::timestamp, 7),
  pg_catalog.uuid_hash_extended('0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0'::uuid, 7)) AS p`;

/** The server's probe value, or null when it cannot compute it. */
export async function probe(db: QueryRunner): Promise<string | null> {
  try {
    const { rows } = await db.query<{ p: string }>(PROBE_SQL);
    return rows[0]?.p ?? null;
  } catch {
    return null;
  }
}

export function bucketSql(side: SideSql, hashing: Hashing): string {
  return `SELECT b, count(*) AS n, sum(h)::text AS s FROM (
  SELECT ${bucketOf(side, hashing)} AS b, ${rowHash(side, hashing.kind)} AS h
  ${side.from}
) AS q GROUP BY b`;
}

/**
 * One side's buckets. The planner cannot know that `… % B` has only B values: it takes the bucket
 * to be as distinct as the key, expects a million groups for a million rows, and sorts them all
 * (spilling to disk) rather than hash B groups in memory. Sorting is switched off for this one
 * statement (transaction-local, restored after), which leaves the hash aggregate.
 */
export async function readBuckets(db: QueryRunner, side: SideSql, hashing: Hashing): Promise<Map<number, Bucket>> {
  const before = await db.query<{ was: string }>(`SELECT current_setting('enable_sort') AS was, set_config('enable_sort', 'off', true)`);
  const { rows } = await db.query<{ b: number; n: string; s: string }>(bucketSql(side, hashing));
  await db.query(`SELECT set_config('enable_sort', $1, true)`, [before.rows[0]?.was ?? 'on']);
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
