// A saved plan (`plan -out FILE`) is the PlanResult written down with what it was computed from,
// so `apply FILE` can do exactly that — or refuse when state, the source or the plan file moved.
import { Failure } from './failure.js';
import type { PlanResult } from './diff/plan-result.js';

export const SAVED_PLAN_KIND = 'cutover-saved-plan';

export interface SavedPlan {
  kind: typeof SAVED_PLAN_KIND;
  format_version: 1;
  created_at: string;
  /** the plan file, as given on the command line (relative paths resolve against the cwd) */
  plan_file: string;
  plan_file_sha256: string;
  state_serial: number;
  result: PlanResult;
}

export function staleReasons(saved: SavedPlan, now: { planFileSha256: string; stateSerial: number; sourceFingerprint: string; planFingerprint: string }): string[] {
  const reasons: string[] = [];
  if (saved.plan_file_sha256 !== now.planFileSha256) reasons.push(`the plan file ${saved.plan_file} changed since the plan was saved`);
  if (saved.state_serial !== now.stateSerial) reasons.push('the migration state changed since the plan was saved');
  if (saved.result.sourceFingerprint !== now.sourceFingerprint) reasons.push('the source schema, custom code or integrations changed since the plan was saved');
  if (saved.result.planFingerprint !== now.planFingerprint) reasons.push('the plan\'s meaning changed since it was saved');
  return reasons;
}

export function parseSavedPlan(text: string, file: string): SavedPlan | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined; // not JSON: a YAML plan file
  }
  const saved = data as Partial<SavedPlan>;
  if (saved?.kind !== SAVED_PLAN_KIND) return undefined;
  if (saved.format_version !== 1 || !saved.result) {
    throw new Failure('saved-plan.version', `${file} is a saved plan of a format this cutover does not read`, 'run `cutover plan -out FILE` again');
  }
  return saved as SavedPlan;
}
