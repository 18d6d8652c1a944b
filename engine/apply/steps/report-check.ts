import type { CheckResult } from '../../diff/plan-result.js';
import type { ApplyTarget, Verdict } from './step.js';

/** A failed check, with each of its problems (the summary alone names only the first of them). */
export function reportCheck(result: CheckResult, t: ApplyTarget): Verdict {
  if (result.passed) return { passed: true };
  t.report(`${result.kind} check of ${result.class} FAILED: ${result.summary}`);
  for (const p of result.problems) {
    const samples = p.samples.slice(0, 3).map((s) => (typeof s === 'string' ? s : JSON.stringify(s)));
    t.report(`  ${p.kind}: ${p.count}${p.detail ? ` (${p.detail})` : ''}${samples.length ? `; e.g. ${samples.join('; ')}` : ''}`);
  }
  return { passed: false };
}
