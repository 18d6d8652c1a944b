// Keys and constraints of every table, in one query: primary keys, foreign keys and CHECK
// constraints from pg_constraint, unique indexes from pg_index. One row per constraint or index.
//
// Unique indexes on expressions (`lower(email)`) are left out: CatalogTable.uniqueIndexes names
// columns, and an expression is not one. The index backing the primary key is listed (it is a
// unique index), as are those backing UNIQUE constraints.
import type { CatalogTable } from '../catalog.js';
import { writeTableName } from '../../plan/plan-names.js';
import { TABLE_RELATIONS } from './common.js';

const COLUMN_NAMES = (keys: string, relation: string, limit = '') => `
  ARRAY(SELECT a.attname::text
          FROM unnest(${keys}) WITH ORDINALITY k(attnum, ord)
          JOIN pg_catalog.pg_attribute a ON a.attrelid = ${relation} AND a.attnum = k.attnum
         ${limit}
         ORDER BY k.ord)`;

export const KEYS_SQL = `
WITH rels AS (${TABLE_RELATIONS}
)
SELECT con.conrelid AS table_oid,
       con.contype::text AS kind,
       con.conname::text AS name,
       ${COLUMN_NAMES('con.conkey', 'con.conrelid')} AS columns,
       CASE WHEN con.contype = 'f' THEN ARRAY[fn.nspname::text, fc.relname::text] END AS references_table,
       CASE WHEN con.contype = 'f' THEN ${COLUMN_NAMES('con.confkey', 'con.confrelid')} END AS referenced_columns,
       con.condeferrable AS deferrable,
       CASE WHEN con.contype = 'c' THEN pg_catalog.pg_get_constraintdef(con.oid, true) END AS definition,
       false AS partial
  FROM pg_catalog.pg_constraint con
  JOIN rels ON rels.oid = con.conrelid
  LEFT JOIN pg_catalog.pg_class fc ON fc.oid = con.confrelid
  LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace
 WHERE con.contype IN ('p', 'f', 'c')
   -- a foreign key to a partitioned table is cloned, on the same table, for each partition it
   -- references: those clones are the parent key, not keys of their own
   AND NOT (con.contype = 'f' AND EXISTS (SELECT 1 FROM pg_catalog.pg_constraint parent
                                           WHERE parent.oid = con.conparentid AND parent.conrelid = con.conrelid))
UNION ALL
SELECT i.indrelid,
       'u',
       ic.relname::text,
       ${COLUMN_NAMES('i.indkey::int2[]', 'i.indrelid', 'WHERE k.ord <= i.indnkeyatts')},
       NULL,
       NULL,
       NULL,
       NULL,
       i.indpred IS NOT NULL
  FROM pg_catalog.pg_index i
  JOIN rels ON rels.oid = i.indrelid
  JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
 WHERE i.indisunique AND i.indexprs IS NULL
 ORDER BY 1, 2, 3`;

export interface KeyRow {
  table_oid: number;
  /** p primary key, f foreign key, c check, u unique index */
  kind: 'p' | 'f' | 'c' | 'u';
  name: string;
  columns: string[];
  /** [schema, table] */
  references_table: [string, string] | null;
  referenced_columns: string[] | null;
  deferrable: boolean | null;
  definition: string | null;
  partial: boolean;
}

/** Fills in the keys, foreign keys, checks and unique indexes of one table from its rows. */
export function applyKeys(table: CatalogTable, rows: readonly KeyRow[]): void {
  for (const row of rows) {
    switch (row.kind) {
      case 'p':
        table.primaryKey = row.columns;
        break;
      case 'f':
        table.foreignKeys.push({
          name: row.name,
          columns: row.columns,
          references: row.references_table ? writeTableName(...row.references_table) : '',
          referencedColumns: row.referenced_columns ?? [],
          deferrable: row.deferrable === true,
        });
        break;
      case 'c':
        table.checks.push({ name: row.name, definition: row.definition ?? '' });
        break;
      case 'u':
        table.uniqueIndexes.push({ name: row.name, columns: row.columns, partial: row.partial });
        break;
    }
  }
}
