// Which rows of a class's destination table cutover wrote. Every transaction that writes rows of a
// class (a copy batch, a batch of replayed changes) records its own transaction id in state, inside
// itself: a row whose current version (xmin) was made by none of them was written — or changed —
// by someone else. Such rows are never deleted, and they make the class's parity stale.
//
// xmin is the 32-bit transaction id; state keeps the 64-bit txid_current(), compared modulo 2^32.
// A row of someone else could only pass for cutover's if its transaction had the same id four
// billion transactions later.
import type { QueryRunner } from '../db/query-runner.js';
import { quoteIdent, quoteLiteral, tableFromItem } from '../db/sql-identifiers.js';
import type { CatalogTable } from '../introspect/catalog.js';

/** Records the calling transaction as one that writes rows of `cls`: call it inside that transaction. */
export async function recordWrite(db: QueryRunner, schema: string, migration: string, cls: string): Promise<void> {
  await db.query(`INSERT INTO ${quoteIdent(schema)}.written_xids (migration, class, xid) VALUES ($1, $2, txid_current()) ON CONFLICT DO NOTHING`,
    [migration, cls]);
}

/**
 * A statement that upserts with `write` (an INSERT … RETURNING xmin) and records the transaction ids
 * the written rows carry. Rows written under a savepoint carry the subtransaction's id, not the
 * transaction's, so recordWrite alone would not know them.
 */
export function writeRecordingXmins(write: string, schema: string, migration: string, cls: string): string {
  return `WITH written AS (${write} RETURNING xmin)
   INSERT INTO ${quoteIdent(schema)}.written_xids (migration, class, xid)
   SELECT DISTINCT ${quoteLiteral(migration)}, ${quoteLiteral(cls)}, xmin::text::bigint FROM written ON CONFLICT DO NOTHING`;
}

/** Forgets the transactions of `cls`, once the rows they wrote are deleted. */
export async function forgetWrites(db: QueryRunner, schema: string, migration: string, cls: string): Promise<void> {
  await db.query(`DELETE FROM ${quoteIdent(schema)}.written_xids WHERE migration = $1 AND class = $2`, [migration, cls]);
}

/** True for a row of alias `dst` whose current version one of cutover's transactions for `cls` wrote. */
export function writtenByCutover(schema: string, migration: string, cls: string, alias = 'dst'): string {
  return `${alias}.xmin::text::bigint IN (SELECT w.xid % 4294967296 FROM ${quoteIdent(schema)}.written_xids w
   WHERE w.migration = ${quoteLiteral(migration)} AND w.class = ${quoteLiteral(cls)})`;
}

export interface ForeignRows {
  /** rows in the table */
  rows: number;
  /** rows cutover did not write (or that were changed after it wrote them) */
  foreign: number;
  /** up to 5 of their keys, in key order */
  sampleKeys: unknown[][];
}

const INTEGER = new Set(['int2', 'int4', 'int8']);

function keyValue(text: string | null, baseType: string | undefined): unknown {
  if (text === null) return null;
  const n = Number(text);
  return baseType && INTEGER.has(baseType) && Number.isSafeInteger(n) ? n : text;
}

/** The key of a row of alias `dst`, as a JSON array of texts: sampleKeysFrom reads it back. */
export function keyTextJson(key: readonly string[], alias = 'dst'): string {
  return `json_build_array(${key.map((k) => `${alias}.${quoteIdent(k)}::text`).join(', ')})`;
}

/** Sample keys read as keyTextJson gave them: integers as numbers, the rest as text. */
export function sampleKeysFrom(keys: readonly (readonly (string | null)[])[], table: CatalogTable, key: readonly string[]): unknown[][] {
  const types = key.map((k) => table.columns.find((c) => c.name === k)?.baseType);
  return keys.map((k) => k.map((v, i) => keyValue(v, types[i])));
}

/** The rows of `table` (a class's destination) that cutover did not write, with sample keys. */
export async function foreignRows(
  db: QueryRunner, t: { schema: string; migration: string; cls: string; table: CatalogTable; key: readonly string[] },
): Promise<ForeignRows> {
  const from = `FROM ${tableFromItem(t.table)} AS dst`;
  const ours = writtenByCutover(t.schema, t.migration, t.cls);
  const counts = await db.query<{ n: string; foreign: string }>(
    `SELECT count(*)::text AS n, (count(*) FILTER (WHERE NOT (${ours})))::text AS foreign ${from}`);
  const rows = Number(counts.rows[0]?.n ?? 0);
  const foreign = Number(counts.rows[0]?.foreign ?? 0);
  return { rows, foreign, sampleKeys: foreign === 0 ? [] : await foreignSampleKeys(db, t) };
}

/** The first 5 keys, in key order, of the rows cutover did not write. */
async function foreignSampleKeys(
  db: QueryRunner, t: { schema: string; migration: string; cls: string; table: CatalogTable; key: readonly string[] },
): Promise<unknown[][]> {
  const key = t.key.map((k) => `dst.${quoteIdent(k)}`);
  const samples = await db.query<{ k: (string | null)[] }>(
    `SELECT ${keyTextJson(t.key)} AS k FROM ${tableFromItem(t.table)} AS dst
      WHERE NOT (${writtenByCutover(t.schema, t.migration, t.cls)}) ORDER BY ${key.join(', ')} LIMIT 5`);
  return sampleKeysFrom(samples.rows.map((r) => r.k), t.table, t.key);
}

/** Sample keys for a one-line message: `4, 99` or `(1, "a"), (2, "b")`. */
export function sampleKeysText(keys: readonly (readonly unknown[])[]): string {
  return keys.map((k) => (k.length === 1 ? JSON.stringify(k[0]) : `(${k.map((v) => JSON.stringify(v)).join(', ')})`)).join(', ');
}

/** Each class's destination table now, for the classes whose copy finished: one scan per table. */
export async function observeClassTables(
  db: QueryRunner, schema: string, migration: string, classes: readonly { cls: string; table: CatalogTable }[],
): Promise<Map<string, { rows: number; foreign: number }>> {
  if (classes.length === 0) return new Map();
  const sql = classes.map((c, i) => `SELECT ${i} AS i, count(*)::text AS n, (count(*) FILTER (WHERE NOT (${writtenByCutover(schema, migration, c.cls)})))::text AS foreign
  FROM ${tableFromItem(c.table)} AS dst`).join('\nUNION ALL\n');
  const { rows } = await db.query<{ i: number; n: string; foreign: string }>(sql);
  return new Map(rows.map((r) => [classes[r.i]!.cls, { rows: Number(r.n), foreign: Number(r.foreign) }]));
}

/** observeClassTables, with sample keys of the rows cutover did not write where there are any. */
export async function observeClassTablesWithSamples(
  db: QueryRunner, schema: string, migration: string, classes: readonly { cls: string; table: CatalogTable; key: readonly string[] }[],
): Promise<Map<string, ForeignRows>> {
  const counts = await observeClassTables(db, schema, migration, classes);
  const out = new Map<string, ForeignRows>();
  for (const c of classes) {
    const n = counts.get(c.cls);
    if (!n) continue;
    // the counts are taken: only the keys of the rows cutover did not write are read again
    out.set(c.cls, { ...n, sampleKeys: n.foreign > 0 ? await foreignSampleKeys(db, { schema, migration, cls: c.cls, table: c.table, key: c.key }) : [] });
  }
  return out;
}
