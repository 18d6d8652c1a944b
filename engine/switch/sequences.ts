// Destination sequences at the write switch: each class's destination key column that draws from a
// sequence (serial or identity) is set past the highest key the destination holds and past the
// source's own sequence for that column, then proven by a probe: `nextval` must come out beyond
// every key. Without it the application's first insert on the destination would collide with a
// copied row.
import { quoteIdent, quoteLiteral, quoteQualified } from '../db/sql-identifiers.js';
import type { QueryRunner } from '../db/query-runner.js';
import { Failure } from '../failure.js';

export interface SequenceColumn {
  class: string;
  /** qualified destination table */
  table: string;
  column: string;
  /** the source table and column the key is copied from, when it is a plain column */
  source?: { table: string; column: string };
}

export interface SetSequence {
  class: string;
  column: string;
  sequence: string;
  /** the value the probe drew */
  probe: string;
  highestKey: string | null;
  sourceValue: string | null;
}

async function sequenceOf(db: QueryRunner, table: string, column: string): Promise<string | null> {
  const { rows } = await db.query<{ s: string | null }>('SELECT pg_get_serial_sequence($1, $2) AS s', [quoteQualified(table), column]);
  return rows[0]?.s ?? null;
}

/** The source sequence's last value handed out, or null when it has none (or is unknown). */
async function sourceValue(source: QueryRunner, c: SequenceColumn): Promise<string | null> {
  if (!c.source) return null;
  const sequence = await sequenceOf(source, c.source.table, c.source.column);
  if (!sequence) return null;
  const { rows } = await source.query<{ v: string | null }>('SELECT pg_sequence_last_value($1::regclass)::text AS v', [sequence]);
  return rows[0]?.v ?? null;
}

/** Sets and probes every sequence behind `columns`; a probe that does not come out past every key fails. */
export async function advanceSequences(source: QueryRunner, destination: QueryRunner, columns: readonly SequenceColumn[]): Promise<SetSequence[]> {
  const out: SetSequence[] = [];
  for (const c of columns) {
    const sequence = await sequenceOf(destination, c.table, c.column);
    if (!sequence) continue;
    const from = await sourceValue(source, c);
    const { rows: [r] } = await destination.query<{ highest: string | null; probe: string }>(
      `WITH top AS (SELECT max(${quoteIdent(c.column)})::text AS highest FROM ${quoteQualified(c.table)}),
            set AS (SELECT setval(${quoteLiteral(sequence)}, greatest(coalesce(top.highest::numeric, 0), coalesce($1::numeric, 0), 1)::bigint, true) FROM top)
       SELECT top.highest, (SELECT 1 FROM set) IS NOT NULL AS _set, nextval(${quoteLiteral(sequence)})::text AS probe FROM top`, [from]);
    const probe = r!.probe;
    const beyond = (v: string | null) => v === null || BigInt(probe) > BigInt(v);
    if (!beyond(r!.highest) || !beyond(from)) {
      throw new Failure('switch.sequence', `class ${c.class}: the destination sequence ${sequence} gave ${probe}, not beyond the highest key ${r!.highest ?? 'none'} and the source's ${from ?? 'none'}, so writes were not switched`,
        'check that nothing else sets this sequence, and run `cutover apply` again');
    }
    out.push({ class: c.class, column: c.column, sequence, probe, highestKey: r!.highest, sourceValue: from });
  }
  return out;
}
