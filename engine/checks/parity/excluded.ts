// Rows the class's `where` leaves out (false or NULL): counted on the source (in the same snapshot), reported
// beside the counts, never compared.
import { sourceFrom } from '../../copy/mapped-select.js';
import type { QueryRunner } from '../../db/query-runner.js';
import type { CatalogTable } from '../../introspect/catalog.js';
import type { RecordClass } from '../../plan/types.js';

export function excludedSql(cls: RecordClass, table: CatalogTable): string | null {
  if (!cls.where) return null;
  return `SELECT count(*) AS n ${sourceFrom({ ...cls, where: null }, table)} WHERE NOT coalesce((${cls.where}
), false)`;
}

export async function excludedRows(db: QueryRunner, cls: RecordClass, table: CatalogTable): Promise<number> {
  const sql = excludedSql(cls, table);
  if (!sql) return 0;
  const { rows } = await db.query<{ n: string }>(sql);
  return Number(rows[0]?.n ?? 0);
}
