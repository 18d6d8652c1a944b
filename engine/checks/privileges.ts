// What later phases need that the roles may not have, said at plan time rather than at go-live.
// Without session_replication_role on the destination, copied rows fire the destination's
// triggers and foreign keys: triggers are listed, and foreign keys must be DEFERRABLE.
import type { Finding } from '../diff/plan-result.js';
import { findTable, type Catalog } from '../introspect/catalog.js';
import type { Plan } from '../plan/types.js';
import type { Locate } from './locate.js';

export function replicationRoleFindings(plan: Plan, destination: Catalog, locate: Locate): Finding[] {
  if (destination.server.canSetReplicationRole) return [];
  const findings: Finding[] = [];
  for (const [name, cls] of Object.entries(plan.classes)) {
    const table = findTable(destination, cls.destination.table);
    if (!table) continue;
    const at = locate(['classes', name, 'destination']);
    for (const fk of table.foreignKeys.filter((f) => !f.deferrable)) {
      findings.push({
        class: name, column: fk.columns.join(', '), kind: 'foreign-key-not-deferrable', severity: 'error',
        message: `${table.qualified} foreign key ${fk.name} is not DEFERRABLE, and role ${destination.server.currentUser} may not set session_replication_role: copies in key order could violate it; make it DEFERRABLE or grant SET ON PARAMETER session_replication_role`,
        ...at,
      });
    }
    for (const trigger of table.triggers.filter((t) => t.enabled)) {
      findings.push({
        class: name, kind: 'destination-trigger-fires', severity: 'warning',
        message: `trigger ${trigger.name} on ${table.qualified} will fire for every copied row (role ${destination.server.currentUser} may not set session_replication_role): check it does not change or duplicate data`,
        ...at,
      });
    }
  }
  return findings;
}
