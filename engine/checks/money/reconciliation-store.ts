// Each reconciled day's result, in state (`reconciliation_days`), and the clean streak that
// `closed` waits for.
import type { QueryRunner } from '../../db/query-runner.js';
import { quoteIdent } from '../../db/sql-identifiers.js';

export interface ReconciliationDay {
  /** the business day, YYYY-MM-DD; null for rows whose date is NULL (reported, never stored) */
  day: string | null;
  /** null for rows whose currency is NULL (reported, never stored) */
  currency: string | null;
  /** totals in major units with exactly minor_units decimals; a side with no rows that day is 0 */
  source: string;
  destination: string;
  /** null when no bank statement was used (none configured, or it could not be read) */
  bank: string | null;
  /** source = destination (= bank when a statement is configured, and it was read) */
  clean: boolean;
  sourceRows: number;
  destinationRows: number;
}

const BATCH = 5000;

/**
 * Upserts each day's result (days with a NULL day or currency are left out: the table's key
 * cannot hold them, and the check that found them failed anyway). Batches of 5,000 days, one
 * statement each, so years of history take a handful of round trips.
 */
export async function writeReconciliationDays(
  db: QueryRunner, schema: string, migration: string, className: string, days: readonly ReconciliationDay[], checkedAt: Date,
): Promise<void> {
  const storable = days.filter((d) => d.day !== null && d.currency !== null);
  for (let i = 0; i < storable.length; i += BATCH) {
    const batch = storable.slice(i, i + BATCH);
    await db.query(
      `INSERT INTO ${quoteIdent(schema)}.reconciliation_days
         (migration, class, day, currency, source_amount, destination_amount, bank_amount, clean, checked_at)
       SELECT $1, $2, d.day, d.currency, d.source, d.destination, d.bank, d.clean, $3
         FROM unnest($4::date[], $5::text[], $6::numeric[], $7::numeric[], $8::numeric[], $9::boolean[])
              AS d(day, currency, source, destination, bank, clean)
       ON CONFLICT (migration, class, day, currency) DO UPDATE SET
         source_amount = excluded.source_amount, destination_amount = excluded.destination_amount,
         bank_amount = excluded.bank_amount, clean = excluded.clean, checked_at = excluded.checked_at`,
      [
        migration, className, checkedAt,
        batch.map((d) => d.day), batch.map((d) => d.currency), batch.map((d) => d.source),
        batch.map((d) => d.destination), batch.map((d) => d.bank), batch.map((d) => d.clean),
      ]);
  }
}

export interface StreakOptions {
  /** count only days reconciled against a bank statement (bank_amount recorded): what `closed` needs */
  againstBank?: boolean;
}

/**
 * Consecutive clean days ending at the latest reconciled day: the days are those with a stored
 * result (a day with no rows in any currency has none, and neither breaks nor extends the streak);
 * a day is clean when every currency of it is. 0 when the latest day is not clean or nothing was
 * reconciled. One query.
 */
export async function cleanStreak(
  db: QueryRunner, schema: string, migration: string, className: string, options: StreakOptions = {},
): Promise<number> {
  const clean = options.againstBank ? 'bool_and(clean AND bank_amount IS NOT NULL)' : 'bool_and(clean)';
  const { rows } = await db.query<{ streak: string | null }>(
    `WITH days AS (
       SELECT day, ${clean} AS clean FROM ${quoteIdent(schema)}.reconciliation_days
        WHERE migration = $1 AND class = $2 GROUP BY day
     )
     SELECT count(*)::text AS streak FROM days
      WHERE day > coalesce((SELECT max(day) FROM days WHERE NOT clean), '-infinity'::date)`,
    [migration, className]);
  return Number(rows[0]?.streak ?? 0);
}
