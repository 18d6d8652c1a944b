// The one case the locks cannot hold against: an application connecting with the role cutover
// itself uses, when that role is not a superuser. cutover's objects on the source belong to that
// role, so any session of it may drop or replace them, or register itself as one of cutover's
// backends; and a table's owner may drop the triggers on it. `plan` says so rather than promising
// a lock it cannot keep (what is dropped, it still notices, and puts back).
import { writeTableName } from '../plan/plan-names.js';
import type { Locate } from '../checks/locate.js';
import type { QueryRunner } from '../db/query-runner.js';
import { quoteQualified } from '../db/sql-identifiers.js';
import { APPLICATION_NAME } from '../db/session-settings.js';
import type { Finding } from '../diff/plan-result.js';
import type { Plan } from '../plan/types.js';
import { plural } from '../words.js';

interface RoleRow {
  role: string;
  superuser: boolean;
  /** [schema, table] of the class tables the role owns */
  owned: [string, string][];
  sessions: number;
  members: string[];
}

export async function sourceRoleFindings(db: QueryRunner, plan: Plan, qualify: (table: string) => string, locate: Locate): Promise<Finding[]> {
  const tables = Object.values(plan.classes).map((c) => quoteQualified(qualify(c.source.table)));
  const { rows } = await db.query<RoleRow>(
    `SELECT r.rolname::text AS role, r.rolsuper AS superuser,
            coalesce((SELECT json_agg(json_build_array(n.nspname, c.relname) ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C") FROM unnest($1::text[]) t(q)
                        JOIN pg_catalog.pg_class c ON c.oid = pg_catalog.to_regclass(t.q)
                        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                       WHERE c.relowner = r.oid), '[]'::json) AS owned,
            (SELECT count(*)::int FROM pg_catalog.pg_stat_activity a
              WHERE a.usename = r.rolname AND a.pid <> pg_backend_pid() AND a.backend_type = 'client backend'
                AND a.application_name NOT LIKE $2) AS sessions,
            coalesce((SELECT array_agg(m.rolname::text ORDER BY m.rolname::text COLLATE "C") FROM pg_catalog.pg_auth_members am
                        JOIN pg_catalog.pg_roles m ON m.oid = am.member WHERE am.roleid = r.oid), '{}') AS members
       FROM pg_catalog.pg_roles r WHERE r.rolname = current_user`, [tables, `${APPLICATION_NAME}%`]);
  const row = rows[0];
  if (!row || row.superuser) return [];
  const uses = [
    row.owned.length ? `it owns ${row.owned.map(([schema, table]) => writeTableName(schema, table)).join(', ')}` : '',
    row.sessions ? `${plural(row.sessions, 'other session')} of it ${row.sessions === 1 ? 'is' : 'are'} connected` : '',
    row.members.length ? `role${row.members.length === 1 ? '' : 's'} ${row.members.join(', ')} can act as it` : '',
  ].filter(Boolean);
  if (!uses.length) return [];
  return [{
    class: '',
    kind: 'source-role-shared',
    severity: 'warning',
    message: `the source role ${row.role} is not a superuser and applications may use it (${uses.join('; ')}): any session of ${row.role} can drop cutover's triggers, replace its functions or register itself as one of cutover's backends, so the locks cannot hold against it (plan still notices what is removed); connect cutover with a role of its own`,
    ...locate(['source', 'url']),
  }];
}
