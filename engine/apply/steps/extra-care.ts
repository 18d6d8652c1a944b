// The checks parity cannot make (money reconciliation, audit order and anchors, attachment files)
// and the append-only guard on a copied audit table.
import { auditGuardStatements, dropAuditGuardStatements } from '../../checks/audit/guard.js';
import { runDdl } from '../../db/run-ddl.js';
import { classOf } from '../resource-kind.js';
import { reportCheck } from './report-check.js';
import { keep, type CheckKind, type Executor } from './step.js';

function check(kind: CheckKind): Executor {
  return {
    async create(change, t) { return reportCheck(await t.classSteps().check(classOf(change.address), kind), t); },
    // results stay in state as history
    delete: keep,
  };
}

export const moneyCheck = check('money');
export const auditCheck = check('audit');
export const attachmentsCheck = check('attachments');

export const auditGuard: Executor = {
  async create(change, t) { await runDdl(t.destination, auditGuardStatements(t.schema, t.plan.name, t.qualifyDestination(String(change.after?.table)))); },
  async delete(change, t) { await runDdl(t.destination, dropAuditGuardStatements(t.schema, t.plan.name, t.qualifyDestination(String(change.before?.table)))); },
};
