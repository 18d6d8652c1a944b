import type { CheckResult } from '../../diff/plan-result.js';
import type { ApplyTarget, Verdict } from './step.js';

/** A check's result, told to whoever watches apply; a failed one is not counted as applied. */
export function reportCheck(result: CheckResult, t: ApplyTarget): Verdict {
  t.emit({ kind: 'check.finished', result });
  return { passed: result.passed };
}
