// What of cutover's own objects is actually there on the source, as resource addresses, so a plan
// notices an object dropped or disabled behind cutover's back (a superuser can) and puts it back.
// A lock counts only where it holds: on every partition of a class's table, and enabled ALWAYS
// (a trigger left at its default does not fire under `session_replication_role = replica`).
import type { QueryRunner } from '../db/query-runner.js';
import type { Plan } from '../plan/types.js';
import { names } from './object-names.js';
import { writeTableName } from '../plan/plan-names.js';
import { partitionsOf } from './partitions.js';
import { stateSchema } from '../plan/defaults.js';
import { REGISTRY } from '../phases/registry.js';

export async function installedOnSource(db: QueryRunner, plan: Plan, qualify: (t: string) => string): Promise<Set<string>> {
  const schema = stateSchema(plan);
  // cloned row triggers on partitions are internal before PostgreSQL 15: tgparentid finds them
  // a trigger's first argument names the class it captures for (earlier versions named a table)
  const { rows } = await db.query<{ kind: string; name: string; table_schema: string | null; table_name: string | null; arg: string | null }>(
    `SELECT 'event' AS kind, evtname::text AS name, NULL::text AS table_schema, NULL::text AS table_name, NULL::text AS arg
       FROM pg_event_trigger WHERE evtname LIKE 'cutover\\_%' AND evtenabled = 'A'
     UNION ALL
     SELECT 'trigger', t.tgname::text, n.nspname::text, c.relname::text,
            convert_from(substring(t.tgargs FROM 1 FOR greatest(position('\\x00'::bytea IN t.tgargs) - 1, 0)), 'UTF8')
       FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE t.tgname LIKE 'cutover\\_%' AND (NOT t.tgisinternal OR t.tgparentid <> 0) AND t.tgenabled = 'A'
     UNION ALL
     SELECT 'schema', nspname::text, NULL, NULL, NULL FROM pg_namespace WHERE nspname = $1
     UNION ALL
     SELECT 'table', c.relname::text, NULL, NULL, NULL FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2`, [schema, names.captureLog(plan.name)]);
  // a trigger is keyed by its table as the plan writes it (qualify's form), whatever the names hold
  const have = new Set(rows.flatMap((r) => r.kind === 'trigger'
    ? [`trigger:${writeTableName(r.table_schema!, r.table_name!)}:${r.name}`, `arg:${writeTableName(r.table_schema!, r.table_name!)}:${r.name}:${r.arg}`]
    : [`${r.kind}:${r.name}`]));
  const m = plan.name;
  const live = new Set<string>();
  if (have.has(`schema:${schema}`)) live.add('source.support');
  if (have.has(`event:${names.schemaLockTrigger(m)}`) && have.has(`event:${names.schemaDropTrigger(m)}`)) live.add('lock.schema');
  if (have.has(`event:${names.integrationLockTrigger(m)}`)) live.add('lock.integrations');
  const classes = Object.entries(plan.classes).map(([name, c]) => ({ name, table: qualify(c.source.table) }));
  const partitions = await partitionsOf(db, classes.map((c) => c.table));
  const tree = (table: string) => [table, ...(partitions.get(table) ?? [])];
  const on = (table: string, trigger: string) => have.has(`trigger:${table}:${trigger}`);
  if (classes.every((c) => tree(c.table).every((t) => on(t, names.dataLockTrigger(m))))) live.add('lock.data');
  const logged = have.has(`table:${names.captureLog(m)}`);
  const capturesFor = (table: string, cls: string, trigger: string) => have.has(`arg:${table}:${trigger}:${cls}`);
  for (const c of classes) {
    const held = logged && tree(c.table).every((t) =>
      capturesFor(t, c.name, names.captureTrigger(m)) && capturesFor(t, c.name, names.captureTruncateTrigger(m, c.name)));
    if (held) live.add(`class.${c.name}.capture`);
  }
  return live;
}

/** Addresses whose live objects can be observed, as the phases declare them; others (copies,
 * hooks) are trusted to state. */
export function observable(address: string): boolean {
  return REGISTRY.some((m) => m.observes?.(address) ?? false);
}
