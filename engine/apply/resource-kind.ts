// The kinds of resource an address names, and the phases whose step creates or removes each kind.
// engine/diff/resources.ts makes the addresses (and rollback-step.ts `hook.rollback`); a class's
// resources are `class.<name>.<kind>`, the others are their own kind.
import type { Phase } from '../plan/types.js';

export type ResourceKind =
  | 'source.support'
  | 'lock.fingerprint'
  | 'lock.schema'
  | 'lock.integrations'
  | 'lock.data'
  | 'class.capture'
  | 'class.copy'
  | 'class.parity'
  | 'class.audit_guard'
  | 'class.audit'
  | 'class.money'
  | 'class.attachments'
  | 'custom_code.verify'
  | 'mirror.position'
  | 'hook.switch_reads'
  | 'source.read_only'
  | 'destination.sequences'
  | 'class.reverse_capture'
  | 'hook.switch_writes'
  | 'report.closeout'
  | 'hook.rollback'
  | 'destination.read_only'
  | 'rollback.drain'
  | 'source.sequences'
  | 'rollback.parity';

/** The forward phases whose step creates or removes resources of each kind (`hook.rollback` and
 * the steps of a rollback after the write switch belong to the rollback, no forward phase). */
export const KIND_PHASES: Record<ResourceKind, readonly Phase[]> = {
  'source.support': ['locked'],
  'lock.fingerprint': ['locked'],
  'lock.schema': ['locked'],
  'lock.integrations': ['locked'],
  'lock.data': ['locked', 'dual_run'],
  // installed at locked by a freeze, at dual_run by every plan; removed at closed
  'class.capture': ['locked', 'dual_run', 'closed'],
  'class.copy': ['round_tripped'],
  'class.parity': ['round_tripped'],
  'class.audit_guard': ['round_tripped'],
  'class.audit': ['round_tripped'],
  'class.money': ['round_tripped'],
  'class.attachments': ['round_tripped'],
  'custom_code.verify': ['round_tripped'],
  'mirror.position': ['dual_run', 'closed'],
  'hook.switch_reads': ['reads_switched'],
  'source.read_only': ['writes_switched'],
  'destination.sequences': ['writes_switched'],
  'class.reverse_capture': ['writes_switched', 'retained'],
  'hook.switch_writes': ['writes_switched'],
  'report.closeout': ['closed'],
  'hook.rollback': [],
  // a rollback after the write switch, no forward phase
  'destination.read_only': [],
  'rollback.drain': [],
  'source.sequences': [],
  'rollback.parity': [],
};

const isKind = (s: string): s is ResourceKind => Object.hasOwn(KIND_PHASES, s);

/** The kind of `address`, or undefined for an address no kind of this version has (state written
 * by a later version, say). */
export function knownKindOf(address: string): ResourceKind | undefined {
  const parts = address.split('.');
  const kind = parts.length === 3 && parts[0] === 'class' && parts[1] ? `class.${parts[2]}` : parts.length === 2 && parts[0] !== 'class' ? address : undefined;
  return kind !== undefined && isKind(kind) ? kind : undefined;
}

export function kindOf(address: string): ResourceKind {
  const kind = knownKindOf(address);
  if (kind === undefined) throw new Error(`${address} is no resource address of this version`);
  return kind;
}

/** The class a `class.<name>.<kind>` address belongs to. */
export const classOf = (address: string): string => address.split('.')[1]!;
