// What connects the database to the world outside it, in one query: roles (server-wide, less the
// built-in pg_* roles), publications, subscriptions to this database, replication slots (physical
// ones and this database's logical ones), foreign servers, extensions with their versions.
// cutover's own publications and slots (`cutover_…`) are left out.
//
// pg_subscription is readable by everyone column by column (subconninfo is not): only granted
// columns are read. Should a server still refuse it, INTEGRATIONS_WITHOUT_SUBSCRIPTIONS_SQL reads
// the rest, and subscriptions are reported as what is visible: none.
import type { Integrations } from '../catalog.js';
import { notCutoverName } from './common.js';

const list = (select: string) => `coalesce((${select}), '{}')::text[]`;

const ROLES = list(`SELECT array_agg(rolname::text ORDER BY rolname) FROM pg_catalog.pg_roles
                     WHERE left(rolname, 3) <> 'pg_' AND ${notCutoverName('rolname')}`);
const PUBLICATIONS = list(`SELECT array_agg(pubname::text ORDER BY pubname) FROM pg_catalog.pg_publication
                            WHERE ${notCutoverName('pubname')}`);
const SUBSCRIPTIONS = list(`SELECT array_agg(subname::text ORDER BY subname) FROM pg_catalog.pg_subscription
                             WHERE subdbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
                               AND ${notCutoverName('subname')}`);
const SLOTS = list(`SELECT array_agg(slot_name::text ORDER BY slot_name) FROM pg_catalog.pg_replication_slots
                     WHERE (database IS NULL OR database = current_database()) AND ${notCutoverName('slot_name')}`);
const FOREIGN_SERVERS = list(`SELECT array_agg(srvname::text ORDER BY srvname) FROM pg_catalog.pg_foreign_server`);
const EXTENSIONS = list(`SELECT array_agg(extname || ' ' || extversion ORDER BY extname) FROM pg_catalog.pg_extension`);

const select = (subscriptions: string) => `
SELECT ${ROLES} AS roles,
       ${PUBLICATIONS} AS publications,
       ${subscriptions} AS subscriptions,
       ${SLOTS} AS replication_slots,
       ${FOREIGN_SERVERS} AS foreign_servers,
       ${EXTENSIONS} AS extensions`;

export const INTEGRATIONS_SQL = select(SUBSCRIPTIONS);
export const INTEGRATIONS_WITHOUT_SUBSCRIPTIONS_SQL = select(`'{}'::text[]`);

export interface IntegrationsRow {
  roles: string[];
  publications: string[];
  subscriptions: string[];
  replication_slots: string[];
  foreign_servers: string[];
  extensions: string[];
}

/** Extensions are `name version`: `citext 1.6`. */
export function integrationsFromRow(row: IntegrationsRow): Integrations {
  return {
    roles: row.roles,
    publications: row.publications,
    subscriptions: row.subscriptions,
    replicationSlots: row.replication_slots,
    foreignServers: row.foreign_servers,
    extensions: row.extensions,
  };
}
