// User triggers, in one query: on tables (and views, foreign tables) in the schemas. Internal
// triggers (foreign-key RI triggers) are left out, and so are cutover's own and those that belong
// to an extension. A trigger a partition inherits from its partitioned table (tgparentid) is listed
// on the partition's table, but it is custom code of the parent only.
import type { CatalogTable, CustomCodeObject } from '../catalog.js';
import { writeNames } from '../../plan/plan-names.js';
import { extensionMember, inSchemas, notCutoverName } from './common.js';

export const TRIGGERS_SQL = `
SELECT t.tgrelid AS table_oid,
       n.nspname AS schema,
       c.relname AS table_name,
       t.tgname AS name,
       t.tgenabled <> 'D' AS enabled,
       pg_catalog.pg_get_triggerdef(t.oid) AS definition,
       t.tgparentid <> 0 AS cloned
  FROM pg_catalog.pg_trigger t
  JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE NOT t.tgisinternal
   AND ${inSchemas('n.nspname')}
   AND ${notCutoverName('c.relname')}
   AND ${notCutoverName('t.tgname')}
   AND NOT ${extensionMember('pg_catalog.pg_trigger', 't.oid')}
   AND NOT ${extensionMember('pg_catalog.pg_class', 'c.oid')}
 ORDER BY n.nspname, c.relname, t.tgname`;

export interface TriggerRow {
  table_oid: number;
  schema: string;
  table_name: string;
  name: string;
  enabled: boolean;
  definition: string;
  cloned: boolean;
}

export function applyTrigger(table: CatalogTable, row: TriggerRow): void {
  table.triggers.push({ name: row.name, enabled: row.enabled, definition: row.definition });
}

/** The trigger as custom code, or null for a partition's clone of its parent's trigger. */
export function triggerAsCustomCode(row: TriggerRow): CustomCodeObject | null {
  if (row.cloned) return null;
  const address = `trigger ${writeNames([row.schema, row.table_name, row.name])}`;
  return { kind: 'trigger', address, definition: row.definition };
}
