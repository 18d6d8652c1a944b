// Numbers, durations and keys as people read them in prose. Shared by every plan renderer so the
// human, Markdown and console outputs never disagree on how "1 gate" or "about 4 minutes" reads.

import { plural } from '../../engine/words.js';

// the counting words live in the engine, which writes them in its own messages too
export { formatKey, formatKeys, plural, thousands } from '../../engine/words.js';

/** `about 4 minutes`: an estimate, so it is rounded to the unit a person would plan with. */
export function humanDuration(seconds: number): string {
  if (seconds < 1) return 'under a second';
  if (seconds < 60) return `about ${plural(Math.round(seconds), 'second')}`;
  // up to 90 minutes people still count in minutes ("about 75 minutes", not "about 1 hour")
  if (seconds < 90 * 60) return `about ${plural(Math.max(1, Math.round(seconds / 60)), 'minute')}`;
  if (seconds < 36 * 3600) return `about ${plural(Math.round(seconds / 3600), 'hour')}`;
  return `about ${plural(Math.round(seconds / 86_400), 'day')}`;
}

/** A share of rows as a percentage; tiny non-zero shares must not round to a reassuring 0%. */
export function percent(share: number): string {
  const pct = share * 100;
  if (pct === 0) return '0%';
  if (pct < 0.01) return '<0.01%';
  if (pct >= 10) return `${Math.round(pct)}%`;
  return `${Number(pct.toPrecision(2))}%`;
}
