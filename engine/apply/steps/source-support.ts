// cutover's schema on the source: the functions the locks call and the backends registered to it.
import { runDdl } from '../../db/run-ddl.js';
import { dropSupportStatements, registerBackend, supportStatements } from '../../lock/source-support.js';
import { otherUsers } from '../../rollback/support-schema.js';
import type { Executor } from './step.js';

export const sourceSupport: Executor = {
  async create(_, t) {
    await runDdl(t.source, supportStatements(t.schema));
    await registerBackend(t.source, t.schema, t.plan.name, 'apply');
  },
  async delete(_, t) {
    // another migration's objects in the same schema keep it
    const users = await otherUsers(t.source, t.schema);
    if (users.length) {
      t.emit({ kind: 'support.kept', schema: t.schema, users });
      return;
    }
    await runDdl(t.source, dropSupportStatements(t.schema));
  },
};
