// The validated plan as data. Shapes follow schemas/plan.schema.json; optional sections stay
// optional here and are defaulted where they are used.

export const TARGETS = [
  'locked', 'round_tripped', 'dual_run', 'reads_switched', 'writes_switched', 'retained', 'closed', 'rolled_back',
] as const;
export type Target = (typeof TARGETS)[number];

/** The forward phases in order; `rolled_back` ends a migration from any of them. */
export const PHASES = ['locked', 'round_tripped', 'dual_run', 'reads_switched', 'writes_switched', 'retained', 'closed'] as const;
export type Phase = (typeof PHASES)[number];

export type Operation = 'insert' | 'update' | 'delete';
export type ClassKind = 'plain' | 'money' | 'audit' | 'attachments';
export type Hook = { run: string };

export interface TableRef {
  table: string;
  key: string[];
}

export interface DataRule {
  classes: string[];
  allow: Operation[];
  reason?: string;
}

export interface Exception {
  id: string;
  change: string;
  decision: 'pending' | 'accommodated' | 'postponed';
  reviewed_by: string;
  maps_to?: string;
}

export interface Timestamps {
  source_timezone: string;
  ambiguous?: 'earlier' | 'later' | 'error';
  nonexistent?: 'forward' | 'error';
}

export interface MoneySection {
  amount: string;
  currency: string;
  date: string;
  minor_units: number;
  source: { amount: string; currency: string; date: string };
  timezone?: string;
  bank_statement?: string | Hook;
}

export interface AuditSection {
  order_by: string[];
  anchors?: { key: (string | number)[]; utc: string }[];
}

export interface FilesSection {
  path: string;
  destination_path: string;
  checksum?: string;
  source_root: string;
  destination_root: string;
}

export interface RecordClass {
  kind?: ClassKind;
  source: TableRef;
  destination: TableRef;
  where?: string | null;
  columns: Record<string, string>;
  dropped?: Record<string, string>;
  reverse?: Record<string, string>;
  lossy?: Record<string, string>;
  computed?: Record<string, string>;
  relationships?: { columns: string[]; references: string }[];
  checks?: { name: string; destination: string }[];
  timestamps?: Timestamps;
  money?: MoneySection;
  audit?: AuditSection;
  files?: FilesSection;
}

export interface CustomCodeEntry {
  source: string;
  reimplemented?: string;
  verify?: string;
  retired?: string;
  pending?: string;
}

export interface Plan {
  version: 1;
  name: string;
  target: Target;
  source: { url: string; schemas: string[] };
  destination: { url: string };
  state?: { schema?: string };
  clock?: 'real' | 'simulated';
  lock?: {
    schema?: 'enforce' | 'detect';
    integrations?: 'enforce' | 'detect';
    data?: { mode: 'pause' | 'freeze'; rules?: DataRule[]; ends?: string };
    exceptions?: Exception[];
  };
  classes: Record<string, RecordClass>;
  ignore?: { table: string; reason: string }[];
  custom_code?: CustomCodeEntry[];
  dual_run?: {
    window: string;
    compare_every: string;
    resolutions?: { compare: string; class: string; reason: string; by: string }[];
  };
  go_live?: {
    tail_window: string;
    max_lag: string;
    rollback_window: string;
    switch_reads?: Hook;
    switch_writes?: Hook;
    rollback?: Hook;
    rehearsal?: { switch_reads?: Hook; switch_writes?: Hook; rollback?: Hook };
  };
  retention?: { read_only_for: string; regulated?: boolean; agreed_by?: string; agreed_on?: string };
  reconciliation?: { clean_days: number };
}
