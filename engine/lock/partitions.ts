// Where a lock has to be, beyond the class's own table. A statement trigger on a partitioned table
// does not fire for a write made straight into one of its partitions, so the data lock and the
// TRUNCATE capture are put on every partition, at every level. Row triggers need not be: PostgreSQL
// clones a partitioned table's row triggers onto its partitions, those attached later included.
import type { QueryRunner } from '../db/query-runner.js';
import { quoteQualified } from '../db/sql-identifiers.js';
import { writeTableName } from '../plan/plan-names.js';

/** Every partition below each of `tables` (qualified names), sub-partitions included; none for a
 * table that is not partitioned. */
export async function partitionsOf(db: QueryRunner, tables: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map(tables.map((t) => [t, [] as string[]]));
  if (!tables.length) return out;
  const { rows } = await db.query<{ root: string; schema: string; name: string }>(
    `SELECT r.name AS root, n.nspname AS schema, c.relname AS name
       FROM unnest($1::text[], $2::text[]) AS r(name, quoted)
      CROSS JOIN LATERAL pg_catalog.pg_partition_tree(pg_catalog.to_regclass(r.quoted)) p
       JOIN pg_catalog.pg_class c ON c.oid = p.relid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE p.level > 0
      ORDER BY p.level, 2, 3`,
    [tables, tables.map(quoteQualified)]);
  // in the plan's own form of a table name, so quoteQualified reads it back whatever it holds
  for (const r of rows) out.get(r.root)?.push(writeTableName(r.schema, r.name));
  return out;
}

/** Qualified names of the tables carrying a trigger of this name that was created there (not one
 * PostgreSQL cloned from a partitioned parent, which goes with its parent). */
export async function tablesWithTrigger(db: QueryRunner, trigger: string): Promise<string[]> {
  const { rows } = await db.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name
       FROM pg_catalog.pg_trigger t
       JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE t.tgname = $1 AND t.tgparentid = 0 AND NOT t.tgisinternal
      ORDER BY 1, 2`, [trigger]);
  return rows.map((r) => writeTableName(r.schema, r.name));
}
