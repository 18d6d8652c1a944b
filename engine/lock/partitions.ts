// Where a lock has to be, beyond the class's own table. A statement trigger on a partitioned table
// does not fire for a write made straight into one of its partitions, so the data lock and the
// TRUNCATE capture are put on every partition, at every level. Row triggers need not be: PostgreSQL
// clones a partitioned table's row triggers onto its partitions, those attached later included.
import type { QueryRunner } from '../db/query-runner.js';
import { quoteQualified } from '../db/sql-identifiers.js';

/** Every partition below each of `tables` (qualified names), sub-partitions included; none for a
 * table that is not partitioned. */
export async function partitionsOf(db: QueryRunner, tables: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map(tables.map((t) => [t, [] as string[]]));
  if (!tables.length) return out;
  const { rows } = await db.query<{ root: string; partition: string }>(
    `SELECT r.name AS root, n.nspname || '.' || c.relname AS partition
       FROM unnest($1::text[], $2::text[]) AS r(name, quoted)
      CROSS JOIN LATERAL pg_catalog.pg_partition_tree(pg_catalog.to_regclass(r.quoted)) p
       JOIN pg_catalog.pg_class c ON c.oid = p.relid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE p.level > 0
      ORDER BY p.level, 2`,
    [tables, tables.map(quoteQualified)]);
  for (const r of rows) out.get(r.root)?.push(r.partition);
  return out;
}

/** Qualified names of the tables carrying a trigger of this name that was created there (not one
 * PostgreSQL cloned from a partitioned parent, which goes with its parent). */
export async function tablesWithTrigger(db: QueryRunner, trigger: string): Promise<string[]> {
  const { rows } = await db.query<{ table: string }>(
    `SELECT n.nspname || '.' || c.relname AS table
       FROM pg_catalog.pg_trigger t
       JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE t.tgname = $1 AND t.tgparentid = 0 AND NOT t.tgisinternal
      ORDER BY 1`, [trigger]);
  return rows.map((r) => r.table);
}
