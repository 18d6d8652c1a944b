// Phase one's locks: the recorded fingerprint, the DDL locks on schema and integrations, the data lock.
import { sourceConnections } from '../../checks/connections.js';
import { runDdl } from '../../db/run-ddl.js';
import { installDataLock, removeDataLock } from '../../lock/data-lock.js';
import { dropIntegrationLockStatements, dropSchemaLockStatements, integrationLockStatements, schemaLockStatements } from '../../lock/schema-lock.js';
import { setFingerprints } from '../../state/state-store.js';
import { keep, type Executor } from './step.js';

export const fingerprintLock: Executor = {
  async create(_, t) {
    await setFingerprints(t.destination, t.schema, t.plan.name,
      { source: t.sourceFingerprint.hash, sourceParts: t.sourceFingerprint.parts, connections: await sourceConnections(t.source) });
  },
  // the recorded fingerprint stays in state with the rest of the history
  delete: keep,
};

export const schemaLock: Executor = {
  async create(_, t) { await runDdl(t.source, schemaLockStatements(t.schema, t.plan.name, t.plan.source.schemas)); },
  async delete(_, t) { await runDdl(t.source, dropSchemaLockStatements(t.schema, t.plan.name)); },
};

export const integrationLock: Executor = {
  async create(_, t) { await runDdl(t.source, integrationLockStatements(t.schema, t.plan.name)); },
  async delete(_, t) { await runDdl(t.source, dropIntegrationLockStatements(t.schema, t.plan.name)); },
};

export const dataLock: Executor = {
  async create(_, t) { await installDataLock(t.source, t.schema, t.plan, t.qualify); },
  async delete(_, t) { await removeDataLock(t.source, t.schema, t.plan.name); },
};
