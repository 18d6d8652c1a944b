// The data lock: a statement-level trigger on every class's table and on each of its partitions.
// Pause rejects every write; freeze lets through only the operations the plan's rules allow for
// that class. cutover's own registered backends are exempt. Past `ends` the freeze keeps holding
// (failing safe) and the lock gate says it ended, so the plan gets re-reviewed rather than the
// source quietly opening.
import { quoteIdent, quoteLiteral, quoteQualified } from '../db/sql-identifiers.js';
import type { QueryRunner } from '../db/query-runner.js';
import { runDdl } from '../db/run-ddl.js';
import type { Plan } from '../plan/types.js';
import { fn, names } from './object-names.js';
import { partitionsOf, tablesWithTrigger } from './partitions.js';
import { sealStatements } from './source-support.js';

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

/** The trigger on one table (the class's, or one of its partitions). ENABLE ALWAYS: it fires under
 * `session_replication_role = replica` too, which a replication tool or a superuser may set. */
export function dataLockTriggerStatements(schema: string, migration: string, t: LockedTable): string[] {
  const trigger = quoteIdent(names.dataLockTrigger(migration));
  return [
    `DROP TRIGGER IF EXISTS ${trigger} ON ${quoteQualified(t.table)}`,
    `CREATE TRIGGER ${trigger} BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${quoteQualified(t.table)}
       FOR EACH STATEMENT EXECUTE FUNCTION ${fn(schema, names.dataLockTrigger(migration))}(${quoteLiteral(t.mode)}, ${quoteLiteral(t.allow.join(','))})`,
    `ALTER TABLE ${quoteQualified(t.table)} ENABLE ALWAYS TRIGGER ${trigger}`,
  ];
}

function dropTriggerStatement(migration: string, table: string): string {
  return `DROP TRIGGER IF EXISTS ${quoteIdent(names.dataLockTrigger(migration))} ON ${quoteQualified(table)}`;
}

/** Every table the lock must be on: each class's table and each of its partitions, with the
 * class's mode and rules. */
async function dataLockTargets(db: QueryRunner, plan: Plan, qualify: (table: string) => string): Promise<LockedTable[]> {
  const tables = lockedTables(plan, qualify);
  const partitions = await partitionsOf(db, tables.map((t) => t.table));
  return tables.flatMap((t) => [t, ...(partitions.get(t.table) ?? []).map((p) => ({ ...t, table: p }))]);
}

/** Installs (or brings up to date) the data lock, one table at a time: each takes its own short
 * lock, never all at once. Tables no longer in the plan lose it. */
export async function installDataLock(db: QueryRunner, schema: string, plan: Plan, qualify: (table: string) => string): Promise<void> {
  await runDdl(db, [dataLockFunction(schema, plan.name), ...sealStatements(schema)]);
  const targets = await dataLockTargets(db, plan, qualify);
  for (const target of targets) await runDdl(db, dataLockTriggerStatements(schema, plan.name, target));
  const stale = (await tablesWithTrigger(db, names.dataLockTrigger(plan.name))).filter((x) => !targets.some((t) => t.table === x));
  for (const table of stale) await runDdl(db, [dropTriggerStatement(plan.name, table)]);
}

/** Removes the data lock wherever it is (partitions detached since included), then its function. */
export async function removeDataLock(db: QueryRunner, schema: string, migration: string): Promise<void> {
  for (const table of await tablesWithTrigger(db, names.dataLockTrigger(migration))) await runDdl(db, [dropTriggerStatement(migration, table)]);
  await runDdl(db, [`DROP FUNCTION IF EXISTS ${fn(schema, names.dataLockTrigger(migration))}()`]);
}
