// The plan's fingerprint: what the plan means, without `target` (moving to the next phase is a
// one-line change that must invalidate nothing) and without secrets (a rotated password is not a
// different migration): URLs count only by host, port and database. Dual-run resolutions are
// left out too: accepting a reviewed compare failure must not invalidate a rollback rehearsal.
import { describeEndpoint } from '../db/endpoint.js';
import { fingerprintOf } from '../hash.js';
import type { Plan } from './types.js';

export function planFingerprint(plan: Plan): string {
  const { target: _target, ...rest } = plan;
  return fingerprintOf({
    ...rest,
    source: { ...plan.source, url: describeEndpoint(plan.source.url) },
    destination: { ...plan.destination, url: describeEndpoint(plan.destination.url) },
    dual_run: plan.dual_run ? { ...plan.dual_run, resolutions: undefined } : undefined,
  });
}
