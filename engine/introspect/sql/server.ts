// Server facts, in one query (and at most one follow-up, whatever the number of tables).
//
// The default TimeZone is what an application's session gets, not cutover's pinned UTC: the
// setting for this database and role, else for the role, else for the database
// (pg_db_role_setting), else the server's. The server's own value is harder than it looks:
// pg_settings.reset_val includes the connection's startup options, and cutover's sessions pin
// TimeZone=UTC there. So when this session's TimeZone came from the client (or a SET), the value
// is read from the configuration files (pg_file_settings, where the role may read it), and failing
// that from log_timezone, which initdb writes alongside timezone and clients cannot change.
//
// has_parameter_privilege exists from PostgreSQL 15 and pg_file_settings needs a privilege: both
// are read in the follow-up query, built from what the first one found.
import type { ServerFacts } from '../catalog.js';

/** Roles that cloud providers give their administrators instead of superuser. */
const REPLICATION_ROLE_ADMINS = ['rds_superuser', 'azure_pg_admin', 'cloudsqlsuperuser'];
const EVENT_TRIGGER_ADMINS = ['rds_superuser'];

const memberOfAny = (roles: string[]) => `EXISTS (
  SELECT 1 FROM pg_catalog.pg_roles admin
   WHERE admin.rolname IN (${roles.map((r) => `'${r}'`).join(', ')})
     AND pg_catalog.pg_has_role(current_user, admin.oid, 'MEMBER'))`;

export const SERVER_SQL = `
WITH me AS (
  SELECT oid, rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user
),
this_database AS (
  SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database()
),
configured AS (
  SELECT CASE WHEN s.setdatabase <> 0 AND s.setrole <> 0 THEN 1 WHEN s.setrole <> 0 THEN 2 ELSE 3 END AS rank,
         substr(setting, strpos(setting, '=') + 1) AS value
    FROM pg_catalog.pg_db_role_setting s
   CROSS JOIN LATERAL unnest(s.setconfig) setting
   WHERE s.setdatabase IN (0, (SELECT oid FROM this_database))
     AND s.setrole IN (0, (SELECT oid FROM me))
     AND NOT (s.setdatabase = 0 AND s.setrole = 0)
     AND lower(split_part(setting, '=', 1)) = 'timezone'
)
SELECT current_setting('server_version_num')::int AS version,
       version() AS version_text,
       current_database() AS database,
       current_user AS current_user,
       coalesce((SELECT rolsuper FROM me), false) AS superuser,
       (SELECT value FROM configured ORDER BY rank LIMIT 1) AS configured_timezone,
       (SELECT reset_val FROM pg_catalog.pg_settings WHERE name = 'TimeZone') AS reset_timezone,
       (SELECT source FROM pg_catalog.pg_settings WHERE name = 'TimeZone') AS timezone_source,
       current_setting('log_timezone') AS log_timezone,
       coalesce((SELECT rolsuper FROM me), false) OR ${memberOfAny(REPLICATION_ROLE_ADMINS)} AS replication_role_admin,
       coalesce((SELECT rolsuper FROM me), false) OR ${memberOfAny(EVENT_TRIGGER_ADMINS)} AS event_trigger_admin,
       has_function_privilege('pg_catalog.pg_show_all_file_settings()', 'EXECUTE')
         AND has_table_privilege('pg_catalog.pg_file_settings', 'SELECT') AS can_read_file_settings`;

export interface ServerRow {
  version: number;
  version_text: string;
  database: string;
  current_user: string;
  superuser: boolean;
  configured_timezone: string | null;
  reset_timezone: string;
  timezone_source: string;
  log_timezone: string;
  replication_role_admin: boolean;
  event_trigger_admin: boolean;
  can_read_file_settings: boolean;
}

/** Sources of this session's TimeZone after which reset_val is no longer the server's value. */
const SESSION_SOURCES = new Set(['client', 'session', 'override', 'interactive', 'test']);

function needsFileTimezone(row: ServerRow): boolean {
  return row.configured_timezone === null && SESSION_SOURCES.has(row.timezone_source) && row.can_read_file_settings;
}

function needsParameterPrivilege(row: ServerRow): boolean {
  return !row.replication_role_admin && row.version >= 150000;
}

/** The follow-up query this server needs, or null when the first answered everything. */
export function serverFollowUpSql(row: ServerRow): string | null {
  const columns: string[] = [];
  if (needsFileTimezone(row)) {
    columns.push(`(SELECT setting FROM pg_catalog.pg_file_settings
                    WHERE lower(name) = 'timezone' AND applied AND error IS NULL
                    ORDER BY seqno DESC LIMIT 1) AS file_timezone`);
  }
  if (needsParameterPrivilege(row)) {
    columns.push(`has_parameter_privilege(current_user, 'session_replication_role', 'SET') AS parameter_privilege`);
  }
  return columns.length > 0 ? `SELECT ${columns.join(',\n       ')}` : null;
}

export interface ServerFollowUpRow {
  file_timezone?: string | null;
  parameter_privilege?: boolean;
}

export function serverFactsFromRows(row: ServerRow, followUp: ServerFollowUpRow = {}): ServerFacts {
  const serverTimezone = !SESSION_SOURCES.has(row.timezone_source)
    ? row.reset_timezone
    : followUp.file_timezone ?? row.log_timezone;
  return {
    version: Number(row.version),
    versionText: row.version_text,
    database: row.database,
    currentUser: row.current_user,
    superuser: row.superuser,
    defaultTimezone: row.configured_timezone ?? serverTimezone,
    canSetReplicationRole: row.replication_role_admin || followUp.parameter_privilege === true,
    canCreateEventTrigger: row.event_trigger_admin,
  };
}
