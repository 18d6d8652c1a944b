// Whether capture covers a table: its row trigger present and enabled ALWAYS on the table and on
// every partition (PostgreSQL clones it onto each). The write switch proves reverse capture this
// way before the destination takes writes.
import type { QueryRunner } from '../db/query-runner.js';
import { quoteQualified } from '../db/sql-identifiers.js';
import { names } from '../lock/object-names.js';
import { partitionsOf } from '../lock/partitions.js';

/** The tables (qualified: `table` and its partitions) the capture trigger of `migration` does not cover. */
export async function uncoveredTables(db: QueryRunner, migration: string, table: string): Promise<string[]> {
  const all = [table, ...((await partitionsOf(db, [table])).get(table) ?? [])];
  const { rows } = await db.query<{ t: string }>(
    `SELECT q AS t FROM unnest($1::text[]) AS q
      WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger g
                         WHERE g.tgrelid = pg_catalog.to_regclass(q) AND g.tgname = $2 AND g.tgenabled = 'A')`,
    [all.map(quoteQualified), names.captureTrigger(migration)]);
  const missing = new Set(rows.map((r) => r.t));
  return all.filter((t) => missing.has(quoteQualified(t)));
}
