// Phase 1, locked: cutover's support schema on the source, the source fingerprint, the schema and
// integration locks the plan enforces, the data lock (and, under a freeze, capture of the writes
// the freeze allows). Its gate: no pending exception, the privileges enforcement needs, a freeze
// that has not ended.
import { enforcesIntegrationLock, enforcesSchemaLock, stateSchema } from '../plan/defaults.js';
import { findingReasons, type GateInput } from './gate-input.js';
import type { PhaseModule, Resource, ResourceContext } from './phase-module.js';
import { captureResources, classes, isCapture } from './resource-parts.js';

function adds({ plan, sourceFingerprint }: ResourceContext): Resource[] {
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

function gate(input: GateInput): { reasons: string[] } {
  const reasons = findingReasons(input, 'locked');
  const lock = input.plan.lock ?? {};
  for (const e of lock.exceptions ?? []) if (e.decision === 'pending') reasons.push(`exception ${e.id} is pending review`);
  if (enforcesSchemaLock(input.plan) && !input.privileges.canCreateEventTrigger) {
    reasons.push('lock.schema: enforce needs an event trigger, which needs a superuser (or rds_superuser); set `lock.schema: detect` to rely on fingerprint checks');
  }
  if (enforcesIntegrationLock(input.plan) && !input.privileges.canCreateEventTrigger) {
    reasons.push('lock.integrations: enforce needs an event trigger, which needs a superuser; set `lock.integrations: detect`');
  }
  const ends = lock.data?.mode === 'freeze' ? lock.data.ends : undefined;
  if (ends && new Date(ends) <= input.now) reasons.push(`the freeze ended at ${ends}; extend lock.data.ends in review, or use pause`);
  return { reasons };
}

const OBSERVED = ['source.support', 'lock.schema', 'lock.integrations', 'lock.data'];

export const locked: PhaseModule = {
  phase: 'locked',
  adds,
  gate,
  observes: (address) => OBSERVED.includes(address) || isCapture(address),
};
