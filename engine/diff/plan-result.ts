// What `buildPlan` returns and every renderer (human, JSON, Markdown) and `apply` consume: the
// changes apply would make next, the gates on the way, what preflight found, parity so far.
// Plain serialisable data: a saved plan is this written down.
import type { Phase, Target } from '../plan/types.js';
import { isPast } from '../phases/phase-order.js';
import { gateOf } from './finding-gate.js';
import type { DualRunView } from '../phases/dual-run-record.js';

/** terraform's actions: create, update, delete, and delete+create for a replacement */
export type Action = 'create' | 'update' | 'delete';

export interface Change {
  /** stable address: `lock.schema`, `lock.data`, `class.invoices.copy`, `hook.switch_reads` */
  address: string;
  /** the phase this change belongs to */
  phase: Phase | 'rolled_back';
  actions: Action[];
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  /** why: `the source is not locked yet`, `mapping of column email changed` */
  reason: string;
  /** YAML position of what asked for it, when there is one */
  line?: number;
}

export type GateStatus = 'open' | 'blocked' | 'deferred';

export interface Gate {
  /** `gate.round_tripped` */
  address: string;
  phase: Phase | 'rolled_back';
  status: GateStatus;
  /** what keeps it closed (empty when open); `deferred`: what apply checks once earlier phases ran */
  reasons: string[];
  /** ISO instant when time alone opens it, if it does */
  opensAt?: string;
}

export type FindingSeverity = 'error' | 'warning';

export interface Finding {
  class: string;
  column?: string;
  /** `null-into-not-null`, `outside-enum`, `too-long`, `numeric-overflow`, `orphan`, `duplicate`,
   * `timestamp-without-zone`, `dst-gap`, `dst-overlap`, `timezone-differs`, `destination-not-empty`,
   * `reverse-not-null`, `unclassified-table`, `unmapped-column`, … */
  kind: string;
  severity: FindingSeverity;
  message: string;
  /** rows affected, when the finding is about rows */
  count?: number;
  /** count / rows in scope */
  share?: number;
  /** up to 5 keys, each the source key values in order */
  sampleKeys?: unknown[][];
  /** YAML line of what the finding concerns */
  line?: number;
  col?: number;
  /** the gate it closes, where not the one its kind closes (findingGate): a data finding made after
   * the copy holds back the go-live instead */
  gate?: Phase;
}

export interface ParityResult {
  class: string;
  passed: boolean;
  checkedAt: string;
  sourceRows: number;
  destinationRows: number;
  excludedRows: number;
  /** the destination table as parity judged it: its rows, and how many of them cutover did not
   * write (or were changed after it wrote them); later counts that differ make the result stale */
  table?: { rows: number; foreign: number };
  /** kind (`missing`, `extra`, `changed`, `orphan`, `computed`, `check`) → count and up to 20 keys */
  differences: { kind: string; count: number; sampleKeys: unknown[][]; columns?: string[]; detail?: string }[];
}

/** The result of a class's extra-care check: money reconciliation, the audit sequence, attachment
 * files, custom-code verify queries. */
export interface CheckResult {
  /** the class, or `custom_code` for verify queries */
  class: string;
  kind: 'money' | 'audit' | 'attachments' | 'custom-code';
  passed: boolean;
  checkedAt: string;
  /** one line for the person reading the plan */
  summary: string;
  /** each problem found, with up to 20 sample keys (or paths, or days) */
  problems: { kind: string; count: number; samples: unknown[]; detail?: string }[];
  /** kind-specific data (e.g. money's per-day table), for reports */
  details?: unknown;
}

export interface WriteWindow {
  phase: Phase | 'rolled_back';
  /** what needs the outage */
  reason: string;
  /** estimated length in seconds, from table sizes and the measured (or assumed) rate */
  estimatedSeconds: number;
  /** how the estimate was made */
  basis: string;
}

export interface PlanSummary {
  add: number;
  change: number;
  destroy: number;
  gatesBlocked: number;
  /** findings of severity error */
  dataProblems: number;
}

/** What changed in the source since the lock recorded it. */
export interface Drift {
  /** the fingerprint's differences: `table public.customers: column loyalty_tier added` */
  source: string[];
  /** client sessions (`role / application / client`) not seen when the source was locked */
  connections: string[];
}

/** Another command holding the state lock while the plan was made: what it shows may be mid-way. */
export interface StateLockHolder {
  /** the operating-system user */
  user: string;
  host: string;
  /** the process id on `host`; 0 when only the database session is known */
  pid: number;
  /** the database backend holding the lock */
  backendPid: number;
  /** `cutover apply` */
  command: string;
  since: string;
}

export interface PlanResult {
  format_version: '1';
  /** migration name */
  name: string;
  target: Target;
  /** the phase state records now (`none` before the first apply) */
  phase: Phase | 'rolled_back' | 'none';
  /** the clock's now, ISO */
  now: string;
  /** hash of the plan file's meaning, without `target` */
  planFingerprint: string;
  /** hash of the source's schema, custom code and integrations */
  sourceFingerprint: string;
  changes: Change[];
  gates: Gate[];
  findings: Finding[];
  parity: ParityResult[];
  /** money, audit, attachment and custom-code check results, when any have run */
  checks?: CheckResult[];
  windows: WriteWindow[];
  summary: PlanSummary;
  /** source drift since the lock (empty before the lock); absent in plans saved before it existed */
  drift?: Drift;
  /** the holder of the state lock when another command held it as the plan was made */
  stateLock?: StateLockHolder | null;
  /** the mirror, parked changes and compares, once the migration has reached dual_run */
  dualRun?: DualRunView;
}

export function summarise(changes: readonly Change[], gates: readonly Gate[], findings: readonly Finding[]): PlanSummary {
  const has = (c: Change, a: Action) => c.actions.includes(a);
  return {
    add: changes.filter((c) => has(c, 'create')).length,
    change: changes.filter((c) => has(c, 'update')).length,
    destroy: changes.filter((c) => has(c, 'delete')).length,
    gatesBlocked: gates.filter((g) => g.status === 'blocked').length,
    dataProblems: findings.filter((f) => f.severity === 'error').length,
  };
}

/**
 * The later gate an error finding closes when that gate lies beyond the target (or the target is
 * `rolled_back`, which no finding blocks): such a finding is not one of the plan's data problems
 * and is shown labelled with the gate it will block. Undefined for a finding the summary counts.
 */
export function blocksLater(f: Finding, target: Target): Phase | undefined {
  const gate = gateOf(f);
  if (target === 'rolled_back') return gate;
  return isPast(gate, target) ? gate : undefined;
}
