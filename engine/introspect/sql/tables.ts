// Tables with their columns, in one query: every table in the schemas, each with a json array of
// its columns (attnum order), its partition parent or inheritance parents, and its size.
import type { CatalogColumn, CatalogTable, DomainCheck } from '../catalog.js';
import { writeTableName } from '../../plan/plan-names.js';
import { estimatedRows, TABLE_RELATIONS } from './common.js';

export const TABLES_SQL = `
WITH RECURSIVE domain_chain AS (
  SELECT t.oid AS domain_oid, t.typbasetype AS base_oid, t.typtypmod AS typmod, 1 AS depth
    FROM pg_catalog.pg_type t
   WHERE t.typtype = 'd'
  UNION ALL
  SELECT d.domain_oid, t.typbasetype, CASE WHEN d.typmod <> -1 THEN d.typmod ELSE t.typtypmod END, d.depth + 1
    FROM domain_chain d
    JOIN pg_catalog.pg_type t ON t.oid = d.base_oid
   WHERE t.typtype = 'd'
),
domain_base AS (
  SELECT DISTINCT ON (domain_oid) domain_oid, base_oid, typmod
    FROM domain_chain
   ORDER BY domain_oid, depth DESC
),
-- every CHECK of a domain and of the domains it is over, by the column type they apply to
domain_checks AS (
  SELECT d.domain_oid,
         json_agg(json_build_object('name', con.conname, 'domain', pg_catalog.format_type(con.contypid, NULL),
                                    'definition', pg_catalog.pg_get_constraintdef(con.oid))
                  ORDER BY d.depth DESC, con.conname) AS checks
    FROM (SELECT domain_oid, domain_oid AS member, 0 AS depth FROM domain_chain WHERE depth = 1
          UNION ALL
          SELECT domain_oid, base_oid, depth FROM domain_chain) d
    JOIN pg_catalog.pg_constraint con ON con.contypid = d.member AND con.contype = 'c'
   GROUP BY d.domain_oid
),
rels AS (${TABLE_RELATIONS}
)
SELECT r.oid AS table_oid,
       r.nspname AS schema,
       r.relname AS name,
       r.relkind AS relkind,
       (SELECT ARRAY[pn.nspname::text, pc.relname::text]
          FROM pg_catalog.pg_inherits i
          JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent
          JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
         WHERE i.inhrelid = r.oid AND r.relispartition
         LIMIT 1) AS partition_of,
       coalesce((SELECT json_agg(json_build_array(pn.nspname, pc.relname) ORDER BY i.inhseqno)
                   FROM pg_catalog.pg_inherits i
                   JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent
                   JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
                  WHERE i.inhrelid = r.oid AND NOT r.relispartition), '[]'::json) AS inherits_from,
       CASE WHEN r.relkind = 'p'
            THEN (SELECT coalesce(sum(${estimatedRows('pc')}), 0)
                    FROM pg_catalog.pg_partition_tree(r.oid) pt
                    JOIN pg_catalog.pg_class pc ON pc.oid = pt.relid
                   WHERE pt.isleaf)
            ELSE ${estimatedRows('r')} END::float8 AS estimated_rows,
       coalesce(CASE WHEN r.relkind = 'p'
            THEN (SELECT sum(pg_catalog.pg_total_relation_size(pt.relid))
                    FROM pg_catalog.pg_partition_tree(r.oid) pt
                   WHERE pt.isleaf)
            ELSE pg_catalog.pg_total_relation_size(r.oid) END, 0)::float8 AS bytes,
       (SELECT coalesce(json_agg(json_build_object(
                 'name', a.attname,
                 'type', pg_catalog.format_type(a.atttypid, a.atttypmod),
                 'baseType', bt.typname,
                 'category', bt.typcategory,
                 'notNull', a.attnotnull,
                 'hasDefault', a.atthasdef AND a.attgenerated = '',
                 'generated', a.attgenerated <> '',
                 'identity', a.attidentity <> '',
                 'typmod', CASE WHEN a.atttypmod <> -1 THEN a.atttypmod ELSE coalesce(db.typmod, -1) END,
                 'domainChecks', (SELECT dk.checks FROM domain_checks dk WHERE dk.domain_oid = a.atttypid),
                 'enumLabels', CASE WHEN bt.typtype = 'e' THEN
                   (SELECT array_agg(e.enumlabel ORDER BY e.enumsortorder)
                      FROM pg_catalog.pg_enum e WHERE e.enumtypid = bt.oid) END
               ) ORDER BY a.attnum), '[]'::json)
          FROM pg_catalog.pg_attribute a
          LEFT JOIN domain_base db ON db.domain_oid = a.atttypid
          JOIN pg_catalog.pg_type bt ON bt.oid = coalesce(db.base_oid, a.atttypid)
         WHERE a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns
  FROM rels r
 ORDER BY r.nspname, r.relname`;

export interface ColumnJson {
  name: string;
  type: string;
  baseType: string;
  category: string;
  notNull: boolean;
  hasDefault: boolean;
  generated: boolean;
  identity: boolean;
  typmod: number;
  enumLabels: string[] | null;
  domainChecks: DomainCheck[] | null;
}

export interface TableRow {
  table_oid: number;
  schema: string;
  name: string;
  relkind: 'r' | 'p' | 'f';
  /** [schema, table] */
  partition_of: [string, string] | null;
  inherits_from: [string, string][];
  estimated_rows: number;
  bytes: number;
  columns: ColumnJson[];
}

const KINDS: Record<TableRow['relkind'], CatalogTable['kind']> = { r: 'table', p: 'partitioned', f: 'foreign' };

/** varchar(n)/char(n) store n + 4 in the typmod; numeric(p,s) stores ((p << 16) | s) + 4. */
export function columnFromJson(json: ColumnJson): CatalogColumn {
  const { typmod, baseType } = json;
  const hasTypmod = typmod >= 4;
  const isText = baseType === 'varchar' || baseType === 'bpchar';
  const isNumeric = baseType === 'numeric';
  const packed = typmod - 4;
  return {
    name: json.name,
    type: json.type,
    baseType,
    category: json.category,
    notNull: json.notNull,
    hasDefault: json.hasDefault,
    generated: json.generated,
    identity: json.identity,
    maxLength: isText && hasTypmod ? packed : null,
    precision: isNumeric && hasTypmod ? (packed >> 16) & 0xffff : null,
    // PostgreSQL 15+ allows a negative scale, stored as an 11-bit two's complement
    scale: isNumeric && hasTypmod ? (((packed & 0x7ff) ^ 1024) - 1024) : null,
    enumLabels: json.enumLabels ?? null,
    ...(json.domainChecks?.length ? { domainChecks: json.domainChecks } : {}),
  };
}

/** A table without its keys and triggers (tableKeys and triggers fill those in). */
export function tableFromRow(row: TableRow): CatalogTable {
  return {
    schema: row.schema,
    name: row.name,
    qualified: writeTableName(row.schema, row.name),
    kind: KINDS[row.relkind],
    columns: row.columns.map(columnFromJson),
    primaryKey: null,
    uniqueIndexes: [],
    foreignKeys: [],
    checks: [],
    triggers: [],
    estimatedRows: Math.round(Number(row.estimated_rows)),
    bytes: Number(row.bytes),
    partitionOf: row.partition_of && writeTableName(...row.partition_of),
    inheritsFrom: row.inherits_from.map((t) => writeTableName(...t)),
  };
}
