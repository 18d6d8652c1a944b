// The class's `checks`: each is SQL over the destination returning the keys of violating rows.
// Zero rows pass; otherwise the count is the number of rows returned and the first 20 are sample
// keys. A check that cannot run is a failed check whose detail is the error, never a crash.
import type { QueryRunner } from '../../db/query-runner.js';
import type { RecordClass } from '../../plan/types.js';
import { asSubquery, guarded } from './guard.js';
import { MAX_SAMPLES, type Difference } from './narrow.js';
import type { KeyKind } from './normalise.js';

/** The check's rows, at most MAX_SAMPLES of them, each as its column values (text) and JSON types,
 * with the total row count; the JSON conversion runs on the sampled rows only. */
export function checkSql(sql: string): string {
  return `SELECT w.n, x.t, x.y FROM (
  SELECT cutover_q AS r, count(*) OVER () AS n FROM (
${asSubquery(sql)}
  ) AS cutover_q LIMIT ${MAX_SAMPLES}
) AS w CROSS JOIN LATERAL (
  SELECT array_agg(e.value #>> '{}' ORDER BY e.i) AS t, array_agg(json_typeof(e.value) ORDER BY e.i) AS y
    FROM json_each(row_to_json(w.r)) WITH ORDINALITY AS e(k, value, i)
) AS x`;
}

/** A returned row as a sample key: shaped like the class's key when it has as many columns
 * (int2/int4 numbers, others strings); otherwise JSON numbers that are safe integers as numbers. */
export function checkKey(texts: (string | null)[], types: string[], keyKinds: readonly KeyKind[]): unknown[] {
  const likeKey = texts.length === keyKinds.length;
  return texts.map((v, i) => {
    if (v === null) return null;
    const number = likeKey ? keyKinds[i] === 'number' : types[i] === 'number' && /^-?\d{1,15}$/.test(v);
    return number && /^-?\d+$/.test(v) ? Number(v) : v;
  });
}

export async function checkDifferences(db: QueryRunner, cls: RecordClass, keyKinds: readonly KeyKind[]): Promise<Difference[]> {
  const out: Difference[] = [];
  for (const check of cls.checks ?? []) {
    const r = await guarded(db, () => db.query<{ n: string; t: (string | null)[]; y: string[] }>(checkSql(check.destination)));
    if (!r.ok) {
      out.push({ kind: 'check', count: 0, sampleKeys: [], detail: `${check.name}: the check failed to run: ${r.message}` });
      continue;
    }
    const rows = r.value.rows;
    if (rows.length === 0) continue;
    out.push({ kind: 'check', count: Number(rows[0]!.n), sampleKeys: rows.map((x) => checkKey(x.t ?? [], x.y ?? [], keyKinds)), detail: check.name });
  }
  return out;
}
