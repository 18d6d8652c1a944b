// Copies one class: the source read through its mapping in key-ordered batches, streamed with
// COPY … TO STDOUT straight into COPY … FROM STDIN on the destination. Each batch commits in one
// destination transaction together with its checkpoint, so a killed copy resumes after the last
// committed batch and never writes a row twice. Memory stays flat: rows are never held.
import { checkpoint } from '../interrupted.js';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { quoteIdent, quoteQualified } from '../db/sql-identifiers.js';
import { Failure } from '../failure.js';
import type { CatalogTable } from '../introspect/catalog.js';
import type { RecordClass } from '../plan/types.js';
import { foreignRows, recordWrite, sampleKeysText } from '../state/written-rows.js';
import { advanceProgress, finishProgress, startProgress, type CopyProgress } from './copy-progress.js';
import { keyJson, keyOrder, rangePredicate } from './key-range.js';
import { mappedSelectList, sourceFrom, type MappedColumn } from './mapped-select.js';

export interface CopyProgressEvent {
  class: string;
  /** rows copied so far, by this run and any earlier one it resumed */
  rows: number;
  /** rows an earlier (killed) run had copied when this one resumed: not part of this run's rate */
  resumedRows: number;
  /** the planner's estimate of the rows to copy */
  estimate: number;
  bytes: number;
  elapsedMs: number;
  done: boolean;
}

export interface CopyClassInput {
  migration: string;
  schema: string;
  className: string;
  cls: RecordClass;
  /** a source session inside the copy snapshot's REPEATABLE READ transaction */
  source: pg.Client;
  /** `pg_current_snapshot()` of that transaction, recorded for replay */
  snapshot: string;
  destination: pg.Client;
  sourceTable: CatalogTable;
  destinationTable: CatalogTable;
  mapped: MappedColumn[];
  progress: CopyProgress | undefined;
  batchRows: number;
  now: () => Promise<Date>;
  onProgress?: (e: CopyProgressEvent) => void;
  /** checked after every committed batch: when raised, the copy stops there (and resumes later) */
  signal?: AbortSignal;
}

function from(input: CopyClassInput, range: string): string {
  return sourceFrom(input.cls, input.sourceTable, range);
}

async function nextBoundary(input: CopyClassInput, after: unknown[] | null): Promise<{ key: unknown[]; last: boolean } | null> {
  const key = input.cls.source.key;
  const range = rangePredicate(key, input.sourceTable, after, null);
  const at = await input.source.query<{ k: unknown[] }>(
    `SELECT ${keyJson(key)} AS k ${from(input, range)} ORDER BY ${keyOrder(key)} OFFSET ${input.batchRows - 1} LIMIT 1`);
  if (at.rows[0]) return { key: at.rows[0].k, last: false };
  const end = await input.source.query<{ k: unknown[] }>(`SELECT ${keyJson(key)} AS k ${from(input, range)} ORDER BY ${keyOrder(key, true)} LIMIT 1`);
  return end.rows[0] ? { key: end.rows[0].k, last: true } : null;
}

async function copyBatch(input: CopyClassInput, after: unknown[] | null, upTo: unknown[]): Promise<{ rows: number; bytes: number }> {
  const key = input.cls.source.key;
  const select = `SELECT ${mappedSelectList(input.mapped)} ${from(input, rangePredicate(key, input.sourceTable, after, upTo))} ORDER BY ${keyOrder(key)}`;
  const columns = input.mapped.map((m) => quoteIdent(m.column)).join(', ');
  const dest = input.destination;
  await dest.query('BEGIN');
  try {
    // without session_replication_role, DEFERRABLE foreign keys are checked at commit, not per row
    await dest.query('SET CONSTRAINTS ALL DEFERRED');
    const reader = input.source.query(copyStreams.to(`COPY (${select}) TO STDOUT`));
    const writer = dest.query(copyStreams.from(`COPY ${quoteQualified(input.destinationTable.qualified)} (${columns}) FROM STDIN`));
    let bytes = 0;
    const counter = new PassThrough();
    counter.on('data', (chunk: Buffer) => { bytes += chunk.length; });
    await pipeline(reader, counter, writer);
    await advanceProgress(dest, input.schema, input.migration, input.className, upTo, writer.rowCount, bytes);
    await recordWrite(dest, input.schema, input.migration, input.className);
    await dest.query('COMMIT');
    return { rows: writer.rowCount, bytes };
  } catch (e) {
    await dest.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

/** Rows cutover did not write stop the copy: a table it did not fill is never truncated. The rows
 * of batches a killed copy committed are cutover's own. */
async function refuseForeignRows(input: CopyClassInput): Promise<void> {
  const found = await foreignRows(input.destination, {
    schema: input.schema, migration: input.migration, cls: input.className, table: input.destinationTable, key: input.cls.destination.key,
  });
  if (found.foreign > 0) {
    throw new Failure('copy.destination-not-empty',
      `destination table ${input.destinationTable.qualified} holds ${found.foreign} row${found.foreign === 1 ? '' : 's'} cutover did not write; cutover never truncates a table it did not fill (sample keys: ${sampleKeysText(found.sampleKeys)})`,
      'empty it yourself if those rows are disposable, or point the class at another table');
  }
}

export async function copyClass(input: CopyClassInput): Promise<{ rows: number }> {
  if (input.progress?.done) return { rows: input.progress.rows };
  await refuseForeignRows(input);
  if (!input.progress) await startProgress(input.destination, input.schema, input.migration, input.className, input.snapshot, await input.now());
  let after = input.progress?.lastKey ?? null;
  const resumedRows = input.progress?.rows ?? 0;
  let rows = resumedRows;
  let bytes = input.progress?.bytes ?? 0;
  const started = Date.now();
  const report = (done: boolean) => input.onProgress?.({
    class: input.className, rows, resumedRows, estimate: Math.max(input.sourceTable.estimatedRows, rows), bytes, elapsedMs: Date.now() - started, done,
  });
  for (;;) {
    const boundary = await nextBoundary(input, after);
    if (!boundary) break;
    const batch = await copyBatch(input, after, boundary.key);
    rows += batch.rows;
    bytes += batch.bytes;
    after = boundary.key;
    report(false);
    if (boundary.last) break;
    checkpoint(input.signal);
  }
  await finishProgress(input.destination, input.schema, input.migration, input.className, await input.now());
  report(true);
  return { rows };
}
