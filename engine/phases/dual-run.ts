// Phase 3, dual_run: the data lock (and a freeze's captures) give way to capture of every class
// and the mirror's position. Its gate: parity of every class, the money, audit and attachment
// checks, the custom code verify queries, and no custom code pending; all judged after the copy.
import { findingReasons, type GateInput } from './gate-input.js';
import type { PhaseModule, Resource, ResourceContext } from './phase-module.js';
import { captureResources, isCapture } from './resource-parts.js';

function adds({ plan }: ResourceContext): Resource[] {
  return [...captureResources(plan, 'dual_run'), { address: 'mirror.position', phase: 'dual_run', attributes: {} }];
}

function gate(input: GateInput): { reasons: string[] } {
  const reasons = input.parity.filter((p) => !p.passed).map((p) => `parity of class ${p.class} failed`);
  const checked = new Set(input.parity.map((p) => p.class));
  for (const name of Object.keys(input.plan.classes)) {
    if (checked.has(name)) continue;
    const stale = input.stale.get(`class.${name}.parity`);
    reasons.push(stale ? `parity of class ${name} no longer holds: ${stale}` : `parity of class ${name} has not been checked`);
  }
  for (const e of input.plan.custom_code ?? []) if (e.pending !== undefined) reasons.push(`custom code ${e.source} is pending: ${e.pending}`);
  for (const k of input.checks.filter((c) => !c.passed)) reasons.push(`${k.kind} check of ${k.class} failed: ${k.summary}`);
  for (const [name, cls] of Object.entries(input.plan.classes)) {
    const kind = cls.kind && cls.kind !== 'plain' ? cls.kind : undefined;
    if (kind && !input.checks.some((k) => k.class === name && k.kind === kind)) {
      const stale = input.stale.get(`class.${name}.${kind}`);
      reasons.push(stale ? `the ${kind} check of class ${name} no longer holds: ${stale}` : `the ${kind} check of class ${name} has not run`);
    }
  }
  const verified = (input.plan.custom_code ?? []).some((e) => e.reimplemented && typeof e.verify === 'string' && e.verify.trim() !== '');
  if (verified && !input.checks.some((k) => k.kind === 'custom-code')) {
    const stale = input.stale.get('custom_code.verify');
    reasons.push(stale ? `the custom code verify queries no longer hold: ${stale}` : 'the custom code verify queries have not run');
  }
  return { reasons: [...reasons, ...findingReasons(input, 'dual_run')] };
}

export const dualRun: PhaseModule = {
  phase: 'dual_run',
  removes: (r) => r.address === 'lock.data' || r.address.endsWith('.capture'),
  adds,
  gate,
  deferred: 'checked after the copy: parity of every class, money, audit and attachment checks, no custom code pending',
  observes: isCapture,
};
