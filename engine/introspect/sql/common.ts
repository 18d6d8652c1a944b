// SQL fragments shared by the catalog queries: what the inventory leaves out (objects that belong
// to an extension, cutover's own objects) and the schema filter. Every query takes the schemas as $1.

/** `cutover_…` names and the `cutover` schema are cutover's own; the catalog never shows them. */
export function notCutoverName(expression: string): string {
  return `left(${expression}, 8) <> 'cutover_'`;
}

export function inSchemas(schemaExpression: string): string {
  return `${schemaExpression} = ANY ($1::text[]) AND ${schemaExpression} <> 'cutover'`;
}

/** True when the object (its catalog and oid) was created by CREATE EXTENSION. */
export function extensionMember(catalog: string, oidExpression: string): string {
  return `EXISTS (SELECT 1 FROM pg_catalog.pg_depend dep
                   WHERE dep.classid = '${catalog}'::regclass AND dep.objid = ${oidExpression} AND dep.deptype = 'e')`;
}

/** The relations the catalog lists as tables: ordinary, partitioned and foreign, in the schemas. */
export const TABLE_RELATIONS = `
  SELECT c.oid, n.nspname, c.relname, c.relkind, c.relispartition, c.reltuples, c.relpages
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('r', 'p', 'f')
     AND ${inSchemas('n.nspname')}
     AND ${notCutoverName('c.relname')}
     AND NOT ${extensionMember('pg_catalog.pg_class', 'c.oid')}`;

/** The planner's own row estimate for a relation with `reltuples`/`relpages` columns: the density
 * measured at the last ANALYZE scaled to the table's size now, so a table loaded since (reltuples
 * stale, or -1 when never analysed) is not estimated at a fraction of its rows. */
export function estimatedRows(rel: string): string {
  return `CASE WHEN ${rel}.relpages > 0 AND ${rel}.reltuples > 0
            THEN ${rel}.reltuples / ${rel}.relpages * (pg_catalog.pg_relation_size(${rel}.oid) / current_setting('block_size')::float8)
            ELSE greatest(${rel}.reltuples, 0) END`;
}
