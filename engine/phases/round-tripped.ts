// Phase 2, round_tripped: every class copied (parents first) before any parity check, so
// relationships resolve; then the checks parity cannot make. Its gate: the source has not
// changed since the lock.
import type { Plan } from '../plan/types.js';
import { findingReasons, type GateInput } from './gate-input.js';
import type { PhaseModule, Resource, ResourceContext } from './phase-module.js';
import { copyAttributes } from './resource-parts.js';

function adds({ plan, order }: ResourceContext): Resource[] {
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

function gate(input: GateInput): { reasons: string[] } {
  const reasons = input.drift.map((d) => `source changed since the lock: ${d}`);
  return { reasons: [...reasons, ...findingReasons(input, 'round_tripped')] };
}

export const roundTripped: PhaseModule = { phase: 'round_tripped', adds, gate };
