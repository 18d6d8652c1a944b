// `computed` columns: the destination computes them (generated columns, triggers), and each must
// hold the value its SQL over the destination row gives. Rows where it does not (NULLs compared
// as values) are reported with the column named.
import type { QueryRunner } from '../../db/query-runner.js';
import { quoteIdent } from '../../db/sql-identifiers.js';
import type { RecordClass } from '../../plan/types.js';
import { asSubquery, guarded } from './guard.js';
import type { Difference } from './narrow.js';
import { sampleKey, type ParityShape } from './normalise.js';
import { countAndSamplesSql, countOf } from './sample-rows.js';

export function computedSql(shape: ParityShape, column: string, expression: string): string {
  return countAndSamplesSql(shape.destination, `dst.${quoteIdent(column)} IS DISTINCT FROM (${asSubquery(expression)}
)`);
}

export async function computedDifferences(db: QueryRunner, shape: ParityShape, cls: RecordClass): Promise<Difference[]> {
  const out: Difference[] = [];
  for (const [column, expression] of Object.entries(cls.computed ?? {})) {
    const r = await guarded(db, () => db.query<{ kt: string; n: string }>(computedSql(shape, column, expression)));
    if (!r.ok) {
      out.push({ kind: 'computed', count: 0, sampleKeys: [], columns: [column], detail: `cannot be checked: ${r.message}` });
      continue;
    }
    const count = countOf(r.value.rows);
    if (count > 0) out.push({ kind: 'computed', count, sampleKeys: r.value.rows.map((x) => sampleKey(x.kt, shape.keyKinds)), columns: [column] });
  }
  return out;
}
