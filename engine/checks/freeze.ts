// A freeze is agreed for a time. Once its `ends` has passed while the data lock still holds, the
// lock keeps holding (cutover fails safe) and every plan says so, until the plan is re-reviewed or
// the migration reaches dual-run, which lifts the data lock.
import type { Finding } from '../diff/plan-result.js';
import type { Plan } from '../plan/types.js';
import { rank } from '../phases/phase-order.js';
import type { Locate } from './locate.js';

export function freezeEnded(plan: Plan, phase: string, now: Date, locate: Locate): Finding[] {
  const data = plan.lock?.data;
  if (data?.mode !== 'freeze' || !data.ends || new Date(data.ends) > now) return [];
  const locked = phase !== 'none' && phase !== 'rolled_back' && rank(phase) < rank('dual_run');
  if (!locked) return [];
  return [{
    class: '', kind: 'freeze-ended', severity: 'warning',
    message: `the freeze ended at ${data.ends}, but the source is still frozen (cutover fails safe): extend lock.data.ends in review, or move on to dual_run, which lifts the data lock`,
    ...locate(['lock', 'data', 'ends']),
  }];
}
