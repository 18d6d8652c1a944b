// The count-and-samples statement shared by orphans, computed columns and checks: one pass gives
// how many rows there are and the first MAX_SAMPLES of them.
import { MAX_SAMPLES } from './narrow.js';

/** `inner` selects a column `kt` (a key text); returns kt of the first rows, each with the total n. */
export function countAndSamplesSql(inner: string): string {
  return `SELECT kt, count(*) OVER () AS n FROM (\n${inner}\n) AS q ORDER BY kt COLLATE "C" LIMIT ${MAX_SAMPLES}`;
}

export function countOf(rows: readonly { n: string | number }[]): number {
  return rows.length === 0 ? 0 : Number(rows[0]!.n);
}
