// The count-and-samples statement shared by orphans and computed columns: one pass gives how many
// destination rows there are and the keys of the first MAX_SAMPLES of them, in key order.
import { MAX_SAMPLES } from './narrow.js';
import { keyOrderColumns, keyText, type SideSql } from './normalise.js';

/** `SELECT kt, n`: the key texts of the first rows of `side` matching `where`, each with the total n. */
export function countAndSamplesSql(side: SideSql, where: string): string {
  const order = keyOrderColumns(side);
  return `SELECT kt, count(*) OVER () AS n FROM (
  SELECT ${keyText(side)} AS kt${order.select}
  ${side.from}
  WHERE ${where}
) AS q ORDER BY ${order.orderBy} LIMIT ${MAX_SAMPLES}`;
}

export function countOf(rows: readonly { n: string | number }[]): number {
  return rows.length === 0 ? 0 : Number(rows[0]!.n);
}
