// Replay: bring the destination up to a source snapshot by re-reading, through the mapping, every
// key captured since the class's position, and upserting it — or deleting the destination row
// when the source row is gone or no longer in scope. Idempotent: applying a key twice writes the
// same row. The new position (a snapshot, not a sequence id: transactions commit out of id order)
// is recorded only once everything up to it is applied.
import type pg from 'pg';
import type { QueryRunner } from '../db/query-runner.js';
import { quoteIdent, quoteLiteral, quoteQualified } from '../db/sql-identifiers.js';
import { Failure } from '../failure.js';
import type { CatalogTable } from '../introspect/catalog.js';
import { names } from '../lock/object-names.js';
import type { RecordClass } from '../plan/types.js';
import { keyJson, keyLiteral, keyTuple } from '../copy/key-range.js';
import { mappedSelectList, sourceFrom, type MappedColumn } from '../copy/mapped-select.js';
import { recordWrite } from '../state/written-rows.js';

export interface ReplayInput {
  migration: string;
  schema: string;
  className: string;
  cls: RecordClass;
  /** a source session inside a REPEATABLE READ transaction: the snapshot to replay up to */
  source: pg.Client;
  /** pg_current_snapshot() of that transaction */
  snapshot: string;
  /** where the class stands: the copy snapshot, or the last replayed snapshot */
  position: string;
  /** a writable, registered source session, to delete applied capture rows */
  sourceWriter: QueryRunner;
  destination: pg.Client;
  sourceTable: CatalogTable;
  destinationTable: CatalogTable;
  mapped: MappedColumn[];
  batchKeys?: number;
}

function captureTable(input: ReplayInput): string {
  return `${quoteIdent(input.schema)}.${quoteIdent(names.captureTable(input.migration, input.className))}`;
}

/** Source keys changed after `position` and visible in the replay snapshot, in the text form copy
 * boundaries use (each value cast through its column type, so `2026-01-01T00:00` and
 * `2026-01-01 00:00:00` are one key). */
async function changedKeys(input: ReplayInput): Promise<unknown[][]> {
  const pos = quoteLiteral(input.position);
  const typed = input.cls.source.key.map((c, i) => {
    const type = input.sourceTable.columns.find((x) => x.name === c)?.type ?? 'text';
    return `(k ->> ${i})::${type}::text`;
  }).join(', ');
  // DISTINCT over the keys' text: json itself has no equality operator
  const { rows } = await input.source.query<{ k: unknown[] }>(
    `SELECT t::json AS k FROM (SELECT DISTINCT json_build_array(${typed})::text AS t FROM (
       SELECT key AS k FROM ${captureTable(input)} WHERE NOT pg_visible_in_snapshot(xid, ${pos}::pg_snapshot)
       UNION ALL
       SELECT old_key FROM ${captureTable(input)} WHERE old_key IS NOT NULL AND NOT pg_visible_in_snapshot(xid, ${pos}::pg_snapshot)
     ) x) d`);
  return rows.map((r) => r.k);
}

async function presentRows(input: ReplayInput, values: string): Promise<{ key: string; row: Record<string, unknown> }[]> {
  const key = input.cls.source.key;
  const from = sourceFrom(input.cls, input.sourceTable, `${keyTuple(key)} IN (${values})`);
  const { rows } = await input.source.query<{ row: Record<string, unknown> }>(
    `SELECT row_to_json(x) AS row FROM (SELECT ${keyJson(key)} AS "__cutover_key", ${mappedSelectList(input.mapped)} ${from}) x`);
  return rows.map(({ row }) => {
    const { __cutover_key: k, ...rest } = row;
    return { key: JSON.stringify(k), row: rest };
  });
}

async function replayBatch(input: ReplayInput, keys: unknown[][]): Promise<{ upserted: number; deleted: number }> {
  const values = keys.map((k) => keyLiteral(input.cls.source.key, k, input.sourceTable)).join(', ');
  const present = await presentRows(input, values);
  const found = new Set(present.map((r) => r.key));
  const gone = keys.filter((k) => !found.has(JSON.stringify(k)));
  const deleted = gone.length ? await destinationKeysOf(input, gone) : [];
  const dest = input.destination;
  const table = quoteQualified(input.destinationTable.qualified);
  const cols = input.mapped.map((m) => quoteIdent(m.column));
  const dk = input.cls.destination.key;
  const dkList = dk.map(quoteIdent).join(', ');
  await dest.query('BEGIN');
  try {
    if (present.length) {
      const updates = input.mapped.filter((m) => !dk.includes(m.column)).map((m) => `${quoteIdent(m.column)} = EXCLUDED.${quoteIdent(m.column)}`);
      await dest.query(
        `INSERT INTO ${table} (${cols.join(', ')}) SELECT ${cols.join(', ')} FROM json_populate_recordset(NULL::${table}, $1)
         ON CONFLICT (${dkList}) DO ${updates.length ? `UPDATE SET ${updates.join(', ')}` : 'NOTHING'}`,
        [JSON.stringify(present.map((r) => r.row))]);
    }
    if (deleted.length) {
      const typed = dk.map((c, i) => `(v ->> ${i})::${input.destinationTable.columns.find((x) => x.name === c)?.type ?? 'text'}`).join(', ');
      await dest.query(`DELETE FROM ${table} WHERE (${dkList}) IN (SELECT ${typed} FROM jsonb_array_elements($1::jsonb) v)`, [JSON.stringify(deleted)]);
    }
    await recordWrite(dest, input.schema, input.migration, input.className);
    await dest.query('COMMIT');
  } catch (e) {
    await dest.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
  return { upserted: present.length, deleted: deleted.length };
}

/** The destination keys (as arrays of text) of source rows that are gone, from their source key alone. */
async function destinationKeysOf(input: ReplayInput, keys: unknown[][]): Promise<unknown[][]> {
  const key = input.cls.source.key;
  const expressions = input.cls.destination.key.map((c) => input.cls.columns[c] ?? 'NULL');
  const rows = keys.map((k) => `(${keyLiteral(key, k, input.sourceTable).slice(1, -1)})`).join(', ');
  try {
    const { rows: out } = await input.source.query<{ k: unknown[] }>(
      `SELECT json_build_array(${expressions.map((e) => `(${e}\n)::text`).join(', ')}) AS k FROM (VALUES ${rows}) AS src(${key.map(quoteIdent).join(', ')})`);
    return out.map((r) => r.k);
  } catch (e) {
    throw new Failure('replay.key-mapping', `class ${input.className}: a deleted source row's destination key cannot be computed from its source key (${(e as Error).message})`,
      'map the destination key from the source key columns only');
  }
}

export async function replayClass(input: ReplayInput): Promise<{ keys: number }> {
  const keys = await changedKeys(input);
  const size = input.batchKeys ?? 1000;
  for (let i = 0; i < keys.length; i += size) await replayBatch(input, keys.slice(i, i + size));
  await input.destination.query(
    `INSERT INTO ${quoteIdent(input.schema)}.capture_positions (migration, class, snapshot, applied, updated_at) VALUES ($1, $2, $3, $4, now())
     ON CONFLICT (migration, class) DO UPDATE SET snapshot = excluded.snapshot, applied = capture_positions.applied + excluded.applied, updated_at = now()`,
    [input.migration, input.className, input.snapshot, keys.length]);
  // applied capture rows go in the same step that moved the position: capture never grows unbounded.
  // An audit class keeps its updates and deletes: a rewritten audit row is evidence the audit check reports.
  const keep = input.cls.kind === 'audit' ? ` AND op = 'I'` : '';
  await input.sourceWriter.query(`DELETE FROM ${captureTable(input)} WHERE pg_visible_in_snapshot(xid, ${quoteLiteral(input.snapshot)}::pg_snapshot)${keep}`);
  return { keys: keys.length };
}
