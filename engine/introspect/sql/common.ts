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
  SELECT c.oid, n.nspname, c.relname, c.relkind, c.relispartition, c.reltuples
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('r', 'p', 'f')
     AND ${inSchemas('n.nspname')}
     AND ${notCutoverName('c.relname')}
     AND NOT ${extensionMember('pg_catalog.pg_class', 'c.oid')}`;
