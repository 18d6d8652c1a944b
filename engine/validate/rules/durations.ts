// Durations within the bounds the phases are designed around.
import { parseDuration } from '../../plan/duration.js';
import { obj, str, type Rule, type RuleContext } from './context.js';

interface Bound {
  path: [string, string];
  min?: string;
  max?: string;
  why: string;
}

const BOUNDS: Bound[] = [
  { path: ['dual_run', 'window'], min: '2d', max: '14d', why: 'long enough to see every daily and weekly job run on both sides, short enough to keep two systems in step' },
  { path: ['dual_run', 'compare_every'], min: '1m', max: '1d', why: 'compares run at least daily during the dual-run window' },
  { path: ['go_live', 'tail_window'], min: '24h', max: '48h', why: 'reads run on the destination for at least a business day before writes move' },
  { path: ['go_live', 'max_lag'], min: '1s', max: '1h', why: 'reads switch only while the mirror is nearly caught up' },
  { path: ['go_live', 'rollback_window'], min: '1d', why: 'destination writes are captured long enough to replay them back' },
];

/** A duration as the plan wrote it (without leading zeros), however large: `9999999999999999999d`,
 * never 8.64e+23s. Very long numbers are shortened. */
export function durationWords(text: string): string {
  const m = /^0*([0-9]+?)([dhms])$/.exec(text);
  if (!m) return text;
  const [, digits, unit] = m as unknown as [string, string, string];
  return digits.length <= 20 ? `${digits}${unit}` : `${digits.slice(0, 6)}…${unit} (a ${digits.length}-digit number)`;
}

function check(ctx: RuleContext, b: Bound): void {
  const text = str(obj(ctx.plan[b.path[0]])?.[b.path[1]]);
  const seconds = text === undefined ? undefined : parseDuration(text);
  if (seconds === undefined) return; // the schema reports a malformed duration
  const min = b.min ? parseDuration(b.min)! : 0;
  const max = b.max ? parseDuration(b.max)! : Infinity;
  if (seconds >= min && seconds <= max) return;
  const range = b.max ? `between ${b.min} and ${b.max}` : `at least ${b.min}`;
  ctx.report({
    code: 'plan.duration-out-of-bounds',
    message: `\`${b.path.join('.')}\` is ${durationWords(text!)}; it must be ${range}`,
    path: b.path,
    hint: b.why,
  });
}

export const durationBounds: Rule = (ctx) => BOUNDS.forEach((b) => check(ctx, b));

export const compareWithinWindow: Rule = (ctx) => {
  const dual = obj(ctx.plan.dual_run);
  const window = parseDuration(str(dual?.window) ?? '');
  const every = parseDuration(str(dual?.compare_every) ?? '');
  if (window !== undefined && every !== undefined && every > window) {
    ctx.report({
      code: 'plan.duration-out-of-bounds',
      message: '`dual_run.compare_every` is longer than `dual_run.window`, so no compare would run in the window',
      path: ['dual_run', 'compare_every'],
    });
  }
};
