// The resources a migration should have once it has reached each phase. Phases are cumulative:
// what `locked` installs stays until a later phase removes it. Addresses are stable strings that
// state, output and apply all use.
import type { Phase, Plan, RecordClass } from '../plan/types.js';
import { reached as phaseReached } from '../phases/phase-order.js';
import { enforcesIntegrationLock, enforcesSchemaLock, stateSchema } from '../plan/defaults.js';

export interface Resource {
  address: string;
  /** the phase that creates it */
  phase: Phase;
  attributes: Record<string, unknown>;
  /** a change of these attributes needs destroy-and-create rather than an update in place */
  replaceOn?: string[];
  /** plan path that asked for it, for positions */
  path?: (string | number)[];
}

function copyAttributes(cls: RecordClass): Record<string, unknown> {
  return {
    source_table: cls.source.table,
    destination_table: cls.destination.table,
    key: cls.source.key,
    destination_key: cls.destination.key,
    columns: cls.columns,
    where: cls.where ?? null,
    timestamps: cls.timestamps ?? null,
  };
}

function classes(plan: Plan): [string, RecordClass][] {
  return Object.entries(plan.classes);
}

function lockResources(plan: Plan, sourceFingerprint: string): Resource[] {
  const lock = plan.lock ?? {};
  const data = lock.data ?? { mode: 'pause' as const };
  const out: Resource[] = [
    { address: 'source.support', phase: 'locked', attributes: { schema: stateSchema(plan) } },
    { address: 'lock.fingerprint', phase: 'locked', attributes: { source_fingerprint: sourceFingerprint }, path: ['lock'] },
  ];
  if (enforcesSchemaLock(plan)) {
    out.push({ address: 'lock.schema', phase: 'locked', attributes: { schemas: plan.source.schemas }, path: ['lock', 'schema'] });
  }
  if (enforcesIntegrationLock(plan)) {
    out.push({ address: 'lock.integrations', phase: 'locked', attributes: {}, path: ['lock', 'integrations'] });
  }
  out.push({
    address: 'lock.data',
    phase: 'locked',
    attributes: {
      mode: data.mode,
      rules: data.mode === 'freeze' ? (data.rules ?? []).map((r) => ({ classes: r.classes, allow: r.allow })) : [],
      ends: data.mode === 'freeze' ? data.ends ?? null : null,
      tables: classes(plan).map(([, c]) => c.source.table),
    },
    path: ['lock', 'data'],
  });
  if (data.mode === 'freeze') out.push(...captureResources(plan, 'locked'));
  return out;
}

function captureResources(plan: Plan, phase: Phase): Resource[] {
  return classes(plan).map(([name, cls]) => ({
    address: `class.${name}.capture`, phase, attributes: { table: cls.source.table, key: cls.source.key },
    replaceOn: ['table', 'key'], path: ['classes', name],
  }));
}

/** Every class is copied (parents first) before any parity check, so relationships resolve. */
function roundTripResources(plan: Plan, order: readonly string[]): Resource[] {
  const copies = order.map((name): Resource => {
    const copy = copyAttributes(plan.classes[name]!);
    return { address: `class.${name}.copy`, phase: 'round_tripped', attributes: copy, replaceOn: Object.keys(copy), path: ['classes', name] };
  });
  const parities = order.map((name): Resource => {
    const cls = plan.classes[name]!;
    return {
      address: `class.${name}.parity`, phase: 'round_tripped',
      // the copy's attributes too: a re-copied class is checked again
      attributes: { copy: copyAttributes(cls), computed: cls.computed ?? {}, checks: cls.checks ?? [], relationships: cls.relationships ?? [] },
      path: ['classes', name],
    };
  });
  return [...copies, ...parities, ...extraCare(plan, order)];
}

/** After parity: the checks parity cannot make (money, audit order and anchors, files) and the
 * audit tables' append-only guard; then custom code's verify queries. */
function extraCare(plan: Plan, order: readonly string[]): Resource[] {
  const out: Resource[] = [];
  for (const name of order) {
    const cls = plan.classes[name]!;
    const copy = copyAttributes(cls);
    const path = ['classes', name];
    if (cls.kind === 'audit') {
      out.push({ address: `class.${name}.audit_guard`, phase: 'round_tripped', attributes: { table: cls.destination.table }, replaceOn: ['table'], path });
      out.push({ address: `class.${name}.audit`, phase: 'round_tripped', attributes: { copy, audit: cls.audit ?? null }, path });
    }
    if (cls.kind === 'money') out.push({ address: `class.${name}.money`, phase: 'round_tripped', attributes: { copy, money: cls.money ?? null }, path });
    if (cls.kind === 'attachments') out.push({ address: `class.${name}.attachments`, phase: 'round_tripped', attributes: { copy, files: cls.files ?? null }, path });
  }
  const verified = (plan.custom_code ?? []).filter((e) => e.reimplemented && e.verify);
  if (verified.length) {
    out.push({ address: 'custom_code.verify', phase: 'round_tripped', attributes: { entries: verified.map((e) => ({ source: e.source, reimplemented: e.reimplemented, verify: e.verify })) }, path: ['custom_code'] });
  }
  return out;
}

function hook(name: 'switch_reads' | 'switch_writes', plan: Plan, phase: Phase): Resource {
  return { address: `hook.${name}`, phase, attributes: { run: plan.go_live?.[name]?.run ?? null }, path: ['go_live', name] };
}

/** Everything that should exist once `phase` is reached. */
export function resourcesAt(plan: Plan, phase: Phase, sourceFingerprint: string, order: readonly string[] = Object.keys(plan.classes)): Resource[] {
  const reached = (p: Phase) => phaseReached(phase, p);
  let out = lockResources(plan, sourceFingerprint);
  if (reached('round_tripped')) out.push(...roundTripResources(plan, order));
  if (reached('dual_run')) {
    out = out.filter((r) => r.address !== 'lock.data' && !r.address.endsWith('.capture'));
    out.push(...captureResources(plan, 'dual_run'), { address: 'mirror.position', phase: 'dual_run', attributes: {} });
  }
  if (reached('reads_switched')) out.push(hook('switch_reads', plan, 'reads_switched'));
  if (reached('writes_switched')) {
    out.push(
      { address: 'source.read_only', phase: 'writes_switched', attributes: { tables: classes(plan).map(([, c]) => c.source.table) } },
      { address: 'destination.sequences', phase: 'writes_switched', attributes: {} },
      ...classes(plan).map(([name, cls]) => ({
        address: `class.${name}.reverse_capture`, phase: 'writes_switched' as const, attributes: { table: cls.destination.table }, path: ['classes', name],
      })),
      hook('switch_writes', plan, 'writes_switched'),
    );
  }
  if (reached('retained')) out = out.filter((r) => !r.address.endsWith('.reverse_capture'));
  if (reached('closed')) {
    out = out.filter((r) => !r.address.endsWith('.capture') && r.address !== 'mirror.position');
    out.push({ address: 'report.closeout', phase: 'closed', attributes: {} });
  }
  return out;
}
