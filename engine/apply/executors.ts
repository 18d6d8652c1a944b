// How each kind of resource is created and destroyed: one executor per kind, from steps/. A kind
// with none is one this version cannot apply yet; what it can apply, and the last phase it can
// reach, follow from this one table.
import type { Change } from '../diff/plan-result.js';
import { Failure } from '../failure.js';
import { PHASES, type Phase } from '../plan/types.js';
import { KIND_PHASES, knownKindOf, type ResourceKind } from './resource-kind.js';
import { capture } from './steps/capture.js';
import { copy } from './steps/copy.js';
import { customCodeVerify } from './steps/custom-code.js';
import { attachmentsCheck, auditCheck, auditGuard, moneyCheck } from './steps/extra-care.js';
import { rollbackHook, switchReadsHook } from './steps/hooks.js';
import { readOnly } from './steps/read-only.js';
import { destinationReadOnly, rollbackDrain, rollbackParity, sourceSequences } from './steps/rollback-switch.js';
import { destinationSequences, reverseCapture, switchWritesHook } from './steps/switch.js';
import { dataLock, fingerprintLock, integrationLock, schemaLock } from './steps/locks.js';
import { mirrorPosition } from './steps/mirror-position.js';
import { parity } from './steps/parity.js';
import { sourceSupport } from './steps/source-support.js';
import type { ApplyTarget, Executor, Verdict } from './steps/step.js';

const EXECUTORS: Record<ResourceKind, Executor | undefined> = {
  'source.support': sourceSupport,
  'lock.fingerprint': fingerprintLock,
  'lock.schema': schemaLock,
  'lock.integrations': integrationLock,
  'lock.data': dataLock,
  'class.capture': capture,
  'class.copy': copy,
  'class.parity': parity,
  'class.audit_guard': auditGuard,
  'class.audit': auditCheck,
  'class.money': moneyCheck,
  'class.attachments': attachmentsCheck,
  'custom_code.verify': customCodeVerify,
  'mirror.position': mirrorPosition,
  'hook.switch_reads': switchReadsHook,
  'source.read_only': readOnly,
  'destination.sequences': destinationSequences,
  'class.reverse_capture': reverseCapture,
  'hook.switch_writes': switchWritesHook,
  'report.closeout': undefined,
  'hook.rollback': rollbackHook,
  'destination.read_only': destinationReadOnly,
  'rollback.drain': rollbackDrain,
  'source.sequences': sourceSequences,
  'rollback.parity': rollbackParity,
};

/** The last forward phase every kind of resource it creates or removes (and every earlier phase's)
 * has an executor for; both refusals name this one phase. */
export function lastSupportedPhase(executors: Record<ResourceKind, Executor | undefined>): Phase | undefined {
  const kinds = Object.keys(KIND_PHASES) as ResourceKind[];
  const complete = (phase: Phase) => kinds.every((k) => !KIND_PHASES[k].includes(phase) || executors[k] !== undefined);
  const first = PHASES.findIndex((p) => !complete(p));
  return first === 0 ? undefined : PHASES[first === -1 ? PHASES.length - 1 : first - 1];
}

export const LAST_SUPPORTED_PHASE: Phase | 'none' = lastSupportedPhase(EXECUTORS) ?? 'none';

function executorOf(address: string): Executor | undefined {
  const kind = knownKindOf(address);
  return kind === undefined ? undefined : EXECUTORS[kind];
}

export function executorFor(address: string): Executor {
  const found = executorOf(address);
  if (!found) {
    throw new Failure('apply.unsupported', `this version of cutover cannot apply ${address} yet`,
      `set target to a phase this version supports (${LAST_SUPPORTED_PHASE}), and upgrade cutover for later phases`);
  }
  return found;
}

export function supports(address: string): boolean {
  return executorOf(address) !== undefined;
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
