// Draining the capture log: bring the destination up to a source snapshot by re-reading, through
// the mapping, every key captured since each class's copy and not yet applied, and upserting it —
// or deleting the destination row when the source row is gone or no longer in scope (an updated
// key moves the row: the old key is deleted, the new one written). Every class's changes up to the
// snapshot, and the position, commit in one destination transaction: a source transaction that
// wrote an order and its lines is never visible half-applied. The snapshot (not a sequence id)
// decides what is included, so transactions that commit out of id order are never skipped.
// Idempotent: a key applied twice writes the same row, so a crash between the destination's commit
// and the log's cleanup on the source costs a second application, never a lost change.
import type pg from 'pg';
import type { QueryRunner } from '../db/query-runner.js';
import { quoteIdent, quoteQualified } from '../db/sql-identifiers.js';
import { Failure } from '../failure.js';
import type { CatalogTable } from '../introspect/catalog.js';
import type { RecordClass } from '../plan/types.js';
import { keyJson, keyLiteral, keyTuple } from '../copy/key-range.js';
import { mappedSelectList, sourceFrom, type MappedColumn } from '../copy/mapped-select.js';
import { recordWrite } from '../state/written-rows.js';
import { advanceCapturePosition } from '../state/capture-position.js';
import { pendingByClass, pendingKeys, retireDrained, truncatedClasses } from './capture-log.js';

export interface DrainClass {
  name: string;
  cls: RecordClass;
  /** the snapshot the class's copy read */
  copySnapshot: string;
  sourceTable: CatalogTable;
  destinationTable: CatalogTable;
  mapped: MappedColumn[];
}

export interface DrainInput {
  migration: string;
  schema: string;
  /** a source session inside a REPEATABLE READ transaction: the snapshot to drain to */
  source: pg.Client;
  /** pg_current_snapshot() of that transaction */
  snapshot: string;
  /** a writable, registered source session, to retire drained log rows */
  sourceWriter: QueryRunner;
  destination: pg.Client;
  /** the classes whose copy is done; others' changes wait in the log */
  classes: readonly DrainClass[];
  batchKeys?: number;
}

export interface DrainResult {
  /** distinct keys applied, per class */
  keys: Map<string, number>;
}

async function presentRows(input: DrainInput, c: DrainClass, values: string): Promise<{ key: string; row: Record<string, unknown> }[]> {
  const key = c.cls.source.key;
  const from = sourceFrom(c.cls, c.sourceTable, `${keyTuple(key)} IN (${values})`);
  const { rows } = await input.source.query<{ row: Record<string, unknown> }>(
    `SELECT row_to_json(x) AS row FROM (SELECT ${keyJson(key)} AS "__cutover_key", ${mappedSelectList(c.mapped)} ${from}) x`);
  return rows.map(({ row }) => {
    const { __cutover_key: k, ...rest } = row;
    return { key: JSON.stringify(k), row: rest };
  });
}

/** The destination keys (as arrays of text) of source rows that are gone, from their source key alone. */
async function destinationKeysOf(input: DrainInput, c: DrainClass, keys: unknown[][]): Promise<unknown[][]> {
  const key = c.cls.source.key;
  const expressions = c.cls.destination.key.map((k) => c.cls.columns[k] ?? 'NULL');
  const rows = keys.map((k) => `(${keyLiteral(key, k, c.sourceTable).slice(1, -1)})`).join(', ');
  try {
    const { rows: out } = await input.source.query<{ k: unknown[] }>(
      `SELECT json_build_array(${expressions.map((e) => `(${e}\n)::text`).join(', ')}) AS k FROM (VALUES ${rows}) AS src(${key.map(quoteIdent).join(', ')})`);
    return out.map((r) => r.k);
  } catch (e) {
    throw new Failure('replay.key-mapping', `class ${c.name}: a deleted source row's destination key cannot be computed from its source key (${(e as Error).message})`,
      'map the destination key from the source key columns only');
  }
}

/** Applies one batch of a class's keys, inside the drain's destination transaction. */
async function applyBatch(input: DrainInput, c: DrainClass, keys: unknown[][]): Promise<void> {
  const values = keys.map((k) => keyLiteral(c.cls.source.key, k, c.sourceTable)).join(', ');
  const present = await presentRows(input, c, values);
  const found = new Set(present.map((r) => r.key));
  const gone = keys.filter((k) => !found.has(JSON.stringify(k)));
  const deleted = gone.length ? await destinationKeysOf(input, c, gone) : [];
  const dest = input.destination;
  const table = quoteQualified(c.destinationTable.qualified);
  const cols = c.mapped.map((m) => quoteIdent(m.column));
  const dk = c.cls.destination.key;
  const dkList = dk.map(quoteIdent).join(', ');
  // deletes first: a key update moves the row, and its new key may be another row's old one
  if (deleted.length) {
    const typed = dk.map((k, i) => `(v ->> ${i})::${c.destinationTable.columns.find((x) => x.name === k)?.type ?? 'text'}`).join(', ');
    await dest.query(`DELETE FROM ${table} WHERE (${dkList}) IN (SELECT ${typed} FROM jsonb_array_elements($1::jsonb) v)`, [JSON.stringify(deleted)]);
  }
  if (present.length) {
    const updates = c.mapped.filter((m) => !dk.includes(m.column)).map((m) => `${quoteIdent(m.column)} = EXCLUDED.${quoteIdent(m.column)}`);
    await dest.query(
      `INSERT INTO ${table} (${cols.join(', ')}) SELECT ${cols.join(', ')} FROM json_populate_recordset(NULL::${table}, $1)
       ON CONFLICT (${dkList}) DO ${updates.length ? `UPDATE SET ${updates.join(', ')}` : 'NOTHING'}`,
      [JSON.stringify(present.map((r) => r.row))]);
  }
}

export async function drainCapture(input: DrainInput): Promise<DrainResult> {
  const baseline = (c: DrainClass) => ({ cls: c.name, copySnapshot: c.copySnapshot });
  // one count first: a parity drains before each class, and most drains find nothing
  const pending = await pendingByClass(input.source, input.schema, input.migration, input.classes.map(baseline));
  const changed = input.classes.filter((c) => (pending.get(c.name) ?? 0) > 0);
  const [cut] = await truncatedClasses(input.source, input.schema, input.migration, changed.map(baseline));
  if (cut) {
    throw new Failure('capture.truncate', `class ${cut}: its source table was truncated after the copy, and a TRUNCATE cannot be mirrored row by row; nothing was applied`,
      'restore the rows on the source, or roll back (`cutover rollback`) and migrate the class again');
  }
  const size = input.batchKeys ?? 1000;
  const applied = new Map(input.classes.map((c) => [c.name, 0]));
  const dest = input.destination;
  await dest.query('BEGIN');
  try {
    for (const c of changed) {
      const types = c.cls.source.key.map((k) => c.sourceTable.columns.find((x) => x.name === k)?.type ?? 'text');
      const keys = await pendingKeys(input.source, input.schema, input.migration, baseline(c), types);
      for (let i = 0; i < keys.length; i += size) await applyBatch(input, c, keys.slice(i, i + size));
      await recordWrite(dest, input.schema, input.migration, c.name);
      applied.set(c.name, keys.length);
    }
    await advanceCapturePosition(dest, input.schema, input.migration, input.snapshot, [...applied.values()].reduce((a, b) => a + b, 0));
    await dest.query('COMMIT');
  } catch (e) {
    await dest.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
  // applied log rows go in the step that moved the position, and so do those the copies already
  // saw, of every class: the log never grows without bound. An audit class keeps its updates and
  // deletes: a rewritten audit row is evidence its check reports.
  await retireDrained(input.sourceWriter, input.schema, input.migration, input.snapshot,
    input.classes.map((c) => c.name), input.classes.filter((c) => c.cls.kind === 'audit').map((c) => c.name));
  return { keys: applied };
}
