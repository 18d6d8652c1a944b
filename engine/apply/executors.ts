// How each kind of resource is created and destroyed. Every executor is idempotent (IF NOT EXISTS,
// CREATE OR REPLACE, DROP IF EXISTS), so a change interrupted by a kill is simply done again.
import { sourceConnections } from '../checks/connections.js';
import { installCapture, removeCapture } from '../capture/capture-objects.js';
import type { QueryRunner } from '../db/query-runner.js';
import { runDdl } from '../db/run-ddl.js';
import type { Change, CheckResult, ParityResult } from '../diff/plan-result.js';
import { auditGuardStatements, dropAuditGuardStatements } from '../checks/audit/guard.js';
import { Failure } from '../failure.js';
import type { FingerprintParts } from '../introspect/fingerprint.js';
import { installDataLock, removeDataLock } from '../lock/data-lock.js';
import { dropIntegrationLockStatements, dropSchemaLockStatements, integrationLockStatements, schemaLockStatements } from '../lock/schema-lock.js';
import { dropSupportStatements, registerBackend, supportStatements } from '../lock/source-support.js';
import type { Plan } from '../plan/types.js';
import { setFingerprints } from '../state/state-store.js';
import { otherUsers } from '../rollback/support-schema.js';

export interface ApplyTarget {
  plan: Plan;
  /** cutover's schema, on the source (support objects) and the destination (state) */
  schema: string;
  /** a writable source session, registered as one of cutover's backends */
  source: QueryRunner;
  destination: QueryRunner;
  /** source table name as written in the plan → qualified name */
  qualify(table: string): string;
  /** destination table name as written in the plan → qualified name */
  qualifyDestination(table: string): string;
  sourceFingerprint: { hash: string; parts: FingerprintParts };
  /** phase two's steps, opened on first use (one copy snapshot for every class) */
  classSteps(): ClassSteps;
  /** tells the person applying what a step found (a failed parity) */
  report(line: string): void;
  /** runs the plan's go_live hook of that name, recording it; throws when it fails */
  runHook(name: 'rollback'): Promise<void>;
}

export type CheckKind = 'money' | 'audit' | 'attachments';

export interface ClassSteps {
  copy(className: string): Promise<void>;
  /** money reconciliation, the audit sequence and anchors, or attachment files; stored in state */
  check(className: string, kind: CheckKind): Promise<CheckResult>;
  /** custom code's verify queries on the destination; stored in state */
  verifyCustomCode(): Promise<CheckResult>;
  /** delete the rows cutover copied into `was.table` (the table the recorded copy filled), so the
   * class can be copied again; refused when the table holds rows cutover did not write */
  uncopy(className: string, was: { table: string; key: string[] }): Promise<void>;
  parity(className: string): Promise<ParityResult>;
}

/** What a check found; a change whose check failed is not recorded as applied, so the next apply
 * runs it again. */
export interface Verdict {
  passed: boolean;
}

type Step = (change: Change, t: ApplyTarget) => Promise<Verdict | void>;

interface Executor {
  create: Step;
  delete: Step;
  /** default: create again, which every create tolerates */
  update?: Step;
}

const className = (address: string) => address.split('.')[1]!;

/** The last forward phase all of whose resources have an executor below; both refusals name this one phase. */
export const LAST_SUPPORTED_PHASE = 'round_tripped';

const EXECUTORS: [RegExp, Executor][] = [
  [/^source\.support$/, {
    async create(_, t) {
      await runDdl(t.source, supportStatements(t.schema));
      await registerBackend(t.source, t.schema, t.plan.name, 'apply');
    },
    async delete(_, t) {
      const users = await otherUsers(t.source, t.schema);
      if (users.length) {
        t.report(`schema ${t.schema} stays on the source: it still holds ${users.slice(0, 3).join(', ')}${users.length > 3 ? ` and ${users.length - 3} more` : ''}`);
        return;
      }
      await runDdl(t.source, dropSupportStatements(t.schema));
    },
  }],
  [/^hook\.rollback$/, {
    async create(_, t) { await t.runHook('rollback'); },
    async delete() { /* a hook that ran stays run */ },
  }],
  [/^lock\.fingerprint$/, {
    async create(_, t) {
      await setFingerprints(t.destination, t.schema, t.plan.name,
        { source: t.sourceFingerprint.hash, sourceParts: t.sourceFingerprint.parts, connections: await sourceConnections(t.source) });
    },
    async delete() { /* the recorded fingerprint stays in state with the rest of the history */ },
  }],
  [/^lock\.schema$/, {
    async create(_, t) { await runDdl(t.source, schemaLockStatements(t.schema, t.plan.name, t.plan.source.schemas)); },
    async delete(_, t) { await runDdl(t.source, dropSchemaLockStatements(t.schema, t.plan.name)); },
  }],
  [/^lock\.integrations$/, {
    async create(_, t) { await runDdl(t.source, integrationLockStatements(t.schema, t.plan.name)); },
    async delete(_, t) { await runDdl(t.source, dropIntegrationLockStatements(t.schema, t.plan.name)); },
  }],
  [/^lock\.data$/, {
    async create(_, t) { await installDataLock(t.source, t.schema, t.plan, t.qualify); },
    async delete(_, t) { await removeDataLock(t.source, t.schema, t.plan.name); },
  }],
  [/^class\.[^.]+\.capture$/, {
    async create(change, t) {
      const cls = t.plan.classes[className(change.address)]!;
      await installCapture(t.source, t.schema, t.plan.name, className(change.address), t.qualify(cls.source.table), cls.source.key);
    },
    async delete(change, t) {
      await removeCapture(t.source, t.schema, t.plan.name, className(change.address), t.qualify(String(change.before?.table ?? '')));
    },
  }],
  [/^class\.[^.]+\.copy$/, {
    async create(change, t) { await t.classSteps().copy(className(change.address)); },
    async delete(change, t) {
      const name = className(change.address);
      const cls = t.plan.classes[name];
      const table = String(change.before?.destination_table ?? cls?.destination.table ?? '');
      const key = (change.before?.destination_key as string[] | undefined) ?? cls?.destination.key ?? [];
      await t.classSteps().uncopy(name, { table, key });
    },
  }],
  [/^class\.[^.]+\.(money|audit|attachments)$/, {
    async create(change, t) {
      const kind = change.address.split('.')[2] as CheckKind;
      return reportCheck(await t.classSteps().check(className(change.address), kind), t);
    },
    async delete() { /* results stay in state as history */ },
  }],
  [/^class\.[^.]+\.audit_guard$/, {
    async create(change, t) { await runDdl(t.destination, auditGuardStatements(t.schema, t.plan.name, t.qualifyDestination(String(change.after?.table)))); },
    async delete(change, t) { await runDdl(t.destination, dropAuditGuardStatements(t.schema, t.plan.name, t.qualifyDestination(String(change.before?.table)))); },
  }],
  [/^custom_code\.verify$/, {
    async create(_, t) { return reportCheck(await t.classSteps().verifyCustomCode(), t); },
    async delete() { /* results stay in state as history */ },
  }],
  [/^class\.[^.]+\.parity$/, {
    async create(change, t) {
      const result = await t.classSteps().parity(className(change.address));
      if (!result.passed) {
        const kinds = result.differences.map((d) => `${d.count} ${d.kind}`).join(', ');
        t.report(`class ${result.class}: parity FAILED (source ${result.sourceRows} rows, destination ${result.destinationRows}${kinds ? `; ${kinds}` : ''})`);
      }
      return { passed: result.passed };
    },
    async delete() { /* results stay in state as history */ },
  }],
];

/** A failed check, with each of its problems (the summary alone names only the first of them). */
function reportCheck(result: CheckResult, t: ApplyTarget): Verdict {
  if (result.passed) return { passed: true };
  t.report(`${result.kind} check of ${result.class} FAILED: ${result.summary}`);
  for (const p of result.problems) {
    const samples = p.samples.slice(0, 3).map((s) => (typeof s === 'string' ? s : JSON.stringify(s)));
    t.report(`  ${p.kind}: ${p.count}${p.detail ? ` (${p.detail})` : ''}${samples.length ? `; e.g. ${samples.join('; ')}` : ''}`);
  }
  return { passed: false };
}

export function executorFor(address: string): Executor {
  const found = EXECUTORS.find(([pattern]) => pattern.test(address));
  if (!found) {
    throw new Failure('apply.unsupported', `this version of cutover cannot apply ${address} yet`,
      `set target to a phase this version supports (${LAST_SUPPORTED_PHASE}), and upgrade cutover for later phases`);
  }
  return found[1];
}

export function supports(address: string): boolean {
  return EXECUTORS.some(([pattern]) => pattern.test(address));
}

/** Runs a change; a check's change returns what it found. */
export async function execute(change: Change, t: ApplyTarget): Promise<Verdict | undefined> {
  const executor = executorFor(change.address);
  const actions = change.actions;
  let verdict: Verdict | void = undefined;
  if (actions.includes('delete')) await executor.delete(change, t);
  if (actions.includes('create')) verdict = await executor.create(change, t);
  if (actions.includes('update')) verdict = await (executor.update ?? executor.create)(change, t);
  return verdict ?? undefined;
}
