// The data lock: a statement-level trigger on every class's table. Pause rejects every write;
// freeze lets through only the operations the plan's rules allow for that class. cutover's own
// registered backends are exempt. Past `ends` the freeze keeps holding (failing safe) and the
// lock gate says it ended, so the plan gets re-reviewed rather than the source quietly opening.
import { quoteIdent, quoteLiteral, quoteQualified } from '../db/sql-identifiers.js';
import type { Plan } from '../plan/types.js';
import { fn, names } from './object-names.js';

export interface LockedTable {
  /** qualified source table */
  table: string;
  mode: 'pause' | 'freeze';
  /** operations allowed in freeze mode */
  allow: string[];
}

export function lockedTables(plan: Plan, qualify: (table: string) => string): LockedTable[] {
  const data = plan.lock?.data ?? { mode: 'pause' as const };
  return Object.entries(plan.classes).map(([name, cls]) => ({
    table: qualify(cls.source.table),
    mode: data.mode,
    allow: data.mode === 'freeze'
      ? [...new Set((data.rules ?? []).filter((r) => r.classes.includes(name)).flatMap((r) => r.allow))].sort()
      : [],
  }));
}

export function dataLockFunction(schema: string, migration: string): string {
  return `CREATE OR REPLACE FUNCTION ${fn(schema, names.dataLockTrigger(migration))}() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $fn$
    BEGIN
      IF ${quoteIdent(schema)}.cutover_is_own_backend() THEN RETURN NULL; END IF;
      IF TG_ARGV[0] = 'freeze' AND lower(TG_OP) = ANY (string_to_array(TG_ARGV[1], ',')) THEN RETURN NULL; END IF;
      RAISE EXCEPTION 'cutover: % on %.% is rejected: its data is locked (%) by migration ${migration.replace(/'/g, "''")}',
          TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[0]
        USING ERRCODE = 'object_not_in_prerequisite_state',
              HINT = CASE WHEN TG_ARGV[0] = 'freeze' THEN 'during the freeze only these writes are allowed: ' || coalesce(nullif(TG_ARGV[1], ''), 'none')
                          ELSE 'the source is paused for the migration; writes resume when it reaches dual_run' END;
    END $fn$`;
}

export function dataLockTriggerStatements(schema: string, migration: string, t: LockedTable): string[] {
  const trigger = quoteIdent(names.dataLockTrigger(migration));
  return [
    `DROP TRIGGER IF EXISTS ${trigger} ON ${quoteQualified(t.table)}`,
    `CREATE TRIGGER ${trigger} BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${quoteQualified(t.table)}
       FOR EACH STATEMENT EXECUTE FUNCTION ${fn(schema, names.dataLockTrigger(migration))}(${quoteLiteral(t.mode)}, ${quoteLiteral(t.allow.join(','))})`,
  ];
}

export function dropDataLockStatements(schema: string, migration: string, tables: string[]): string[] {
  const trigger = quoteIdent(names.dataLockTrigger(migration));
  return [
    ...tables.map((t) => `DROP TRIGGER IF EXISTS ${trigger} ON ${quoteQualified(t)}`),
    `DROP FUNCTION IF EXISTS ${fn(schema, names.dataLockTrigger(migration))}()`,
  ];
}
