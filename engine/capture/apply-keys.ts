// Applying changed keys of one class to the destination: each key's current source row is read
// through `columns` (in batches) and upserted, or the destination row deleted when the source row is
// gone or out of scope (an updated key moves the row: the old key is deleted, the new one written).
// A batch the destination refuses is tried again key by key, each under its own savepoint, so one
// refused change (an enum value it does not know, a NOT NULL, a CHECK, a foreign key, a length)
// stops only its own key: it is returned as a refusal, with the error and the source row, and every
// other key is applied. Runs inside the caller's destination transaction.
import type pg from 'pg';
import { quoteIdent, quoteQualified } from '../db/sql-identifiers.js';
import { Failure } from '../failure.js';
import type { CatalogTable } from '../introspect/catalog.js';
import type { RecordClass } from '../plan/types.js';
import { keyJson, keyLiteral, keyTuple } from '../copy/key-range.js';
import { mappedSelectList, sourceFrom, type MappedColumn } from '../copy/mapped-select.js';
import { scrubError } from '../secrets.js';
import { writeRecordingXmins } from '../state/written-rows.js';
import type { ParkedOp } from '../state/parked-changes.js';

export interface KeyedClass {
  name: string;
  cls: RecordClass;
  sourceTable: CatalogTable;
  destinationTable: CatalogTable;
  mapped: MappedColumn[];
}

/** A change the destination refused: nothing of it was applied. */
export interface Refusal {
  /** the source key, as given */
  key: unknown[];
  op: ParkedOp;
  sqlstate: string | null;
  message: string;
  /** the mapped source row (null for a delete) */
  sourceRow: Record<string, unknown> | null;
}

/** The destination session (inside the caller's transaction), and the state the writes are recorded in. */
export interface KeyWriter {
  db: pg.Client;
  schema: string;
  migration: string;
  /** record the written rows' transactions in state (false when `db` is the source, in a rollback) */
  recordXmins?: boolean;
}

interface Upsert { key: unknown[]; row: Record<string, unknown> }
interface Delete { key: unknown[]; destinationKey: unknown[] }

/** SQLSTATE classes of a refusal by the destination's data rules: data exceptions (22: an enum
 * value, a length, a range) and integrity constraints (23: NOT NULL, foreign key, unique, CHECK).
 * Anything else (a lost connection, a missing table) is no refusal of one change: it stops the drain. */
function isRefusal(e: unknown): e is { code: string; message: string } {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

async function presentRows(source: pg.Client, c: KeyedClass, values: string): Promise<Map<string, Record<string, unknown>>> {
  const key = c.cls.source.key;
  const from = sourceFrom(c.cls, c.sourceTable, `${keyTuple(key)} IN (${values})`);
  const { rows } = await source.query<{ row: Record<string, unknown> }>(
    `SELECT row_to_json(x) AS row FROM (SELECT ${keyJson(key)} AS "__cutover_key", ${mappedSelectList(c.mapped)} ${from}) x`);
  return new Map(rows.map(({ row }) => {
    const { __cutover_key: k, ...rest } = row;
    return [JSON.stringify(k), rest];
  }));
}

/** The destination keys (as arrays of text) of source rows that are gone, from their source key alone. */
async function destinationKeysOf(source: pg.Client, c: KeyedClass, keys: unknown[][]): Promise<unknown[][]> {
  const key = c.cls.source.key;
  const expressions = c.cls.destination.key.map((k) => c.cls.columns[k] ?? 'NULL');
  const rows = keys.map((k) => `(${keyLiteral(key, k, c.sourceTable).slice(1, -1)})`).join(', ');
  try {
    const { rows: out } = await source.query<{ k: unknown[] }>(
      `SELECT json_build_array(${expressions.map((e) => `(${e}\n)::text`).join(', ')}) AS k FROM (VALUES ${rows}) AS src(${key.map(quoteIdent).join(', ')})`);
    return out.map((r) => r.k);
  } catch (e) {
    throw new Failure('replay.key-mapping', `class ${c.name}: a deleted source row's destination key cannot be computed from its source key (${(e as Error).message})`,
      'map the destination key from the source key columns only');
  }
}

/** A key as the source's text of its values (keyJson): pending keys are text already, a parked
 * key's integers are numbers. */
export function keyText(key: readonly unknown[]): string {
  return JSON.stringify(key.map((v) => (v === null || v === undefined ? null : typeof v === 'string' ? v : String(v))));
}

/** What the source says of each key now: a row to upsert, or a destination row to delete. */
async function readKeys(source: pg.Client, c: KeyedClass, keys: unknown[][]): Promise<{ upserts: Upsert[]; deletes: Delete[] }> {
  const values = keys.map((k) => keyLiteral(c.cls.source.key, k, c.sourceTable)).join(', ');
  const present = await presentRows(source, c, values);
  const upserts: Upsert[] = [];
  const gone: unknown[][] = [];
  for (const k of keys) {
    const row = present.get(keyText(k));
    if (row) upserts.push({ key: k, row });
    else gone.push(k);
  }
  const destinationKeys = gone.length ? await destinationKeysOf(source, c, gone) : [];
  return { upserts, deletes: gone.map((key, i) => ({ key, destinationKey: destinationKeys[i]! })) };
}

function columnType(table: CatalogTable, name: string): string {
  return table.columns.find((x) => x.name === name)?.type ?? 'text';
}

async function writeDeletes(w: KeyWriter, c: KeyedClass, deletes: readonly Delete[]): Promise<void> {
  if (deletes.length === 0) return;
  const dk = c.cls.destination.key;
  const typed = dk.map((k, i) => `(v ->> ${i})::${columnType(c.destinationTable, k)}`).join(', ');
  await w.db.query(`DELETE FROM ${quoteQualified(c.destinationTable.qualified)} WHERE (${dk.map(quoteIdent).join(', ')}) IN (SELECT ${typed} FROM jsonb_array_elements($1::jsonb) v)`,
    [JSON.stringify(deletes.map((d) => d.destinationKey))]);
}

async function writeUpserts(w: KeyWriter, c: KeyedClass, upserts: readonly Upsert[]): Promise<void> {
  if (upserts.length === 0) return;
  const table = quoteQualified(c.destinationTable.qualified);
  const dk = c.cls.destination.key;
  const cols = c.mapped.map((m) => quoteIdent(m.column));
  const updates = c.mapped.filter((m) => !dk.includes(m.column)).map((m) => `${quoteIdent(m.column)} = EXCLUDED.${quoteIdent(m.column)}`);
  const write = `INSERT INTO ${table} (${cols.join(', ')}) SELECT ${cols.join(', ')} FROM json_populate_recordset(NULL::${table}, $1)
     ON CONFLICT (${dk.map(quoteIdent).join(', ')}) DO ${updates.length ? `UPDATE SET ${updates.join(', ')}` : 'NOTHING'}`;
  const sql = w.recordXmins === false ? write : writeRecordingXmins(write, w.schema, w.migration, c.name);
  await w.db.query(sql, [JSON.stringify(upserts.map((u) => u.row))]);
}

/** Deletes first: a key update moves the row, and its new key may be another row's old one. */
async function write(w: KeyWriter, c: KeyedClass, upserts: readonly Upsert[], deletes: readonly Delete[]): Promise<void> {
  await writeDeletes(w, c, deletes);
  await writeUpserts(w, c, upserts);
}

/** Runs `fn` under a savepoint: undone alone when it throws, the transaction kept. */
async function underSavepoint(dest: pg.Client, fn: () => Promise<void>): Promise<unknown | undefined> {
  await dest.query('SAVEPOINT cutover_keys');
  try {
    await fn();
    await dest.query('RELEASE SAVEPOINT cutover_keys');
    return undefined;
  } catch (e) {
    await dest.query('ROLLBACK TO SAVEPOINT cutover_keys');
    await dest.query('RELEASE SAVEPOINT cutover_keys');
    return e;
  }
}

/** Whether the destination holds a row of `upsert`'s destination key: what a refused write would have been. */
async function upsertOp(dest: pg.Client, c: KeyedClass, u: Upsert): Promise<ParkedOp> {
  const dk = c.cls.destination.key;
  const typed = dk.map((k, i) => `($1::jsonb ->> ${i})::${columnType(c.destinationTable, k)}`).join(', ');
  const { rows } = await dest.query(`SELECT 1 FROM ${quoteQualified(c.destinationTable.qualified)} WHERE (${dk.map(quoteIdent).join(', ')}) = (${typed})`,
    [JSON.stringify(dk.map((k) => u.row[k] ?? null))]).catch(() => ({ rows: [] }));
  return rows.length ? 'update' : 'insert';
}

function refusal(e: { code: string }, key: unknown[], op: ParkedOp, sourceRow: Record<string, unknown> | null): Refusal {
  return { key, op, sqlstate: e.code, message: scrubError(e), sourceRow };
}

/** Key by key, after the batch was refused: each applied alone, or returned as a refusal. */
async function oneByOne(w: KeyWriter, c: KeyedClass, upserts: readonly Upsert[], deletes: readonly Delete[]): Promise<Refusal[]> {
  const dest = w.db;
  const refused: Refusal[] = [];
  for (const d of deletes) {
    const e = await underSavepoint(dest, () => writeDeletes(w, c, [d]));
    if (e === undefined) continue;
    if (!isRefusal(e)) throw e;
    refused.push(refusal(e, d.key, 'delete', null));
  }
  for (const u of upserts) {
    const e = await underSavepoint(dest, () => writeUpserts(w, c, [u]));
    if (e === undefined) continue;
    if (!isRefusal(e)) throw e;
    refused.push(refusal(e, u.key, await upsertOp(dest, c, u), u.row));
  }
  return refused;
}

/**
 * Applies `keys` of class `c` in batches of `batchKeys`, reading the source in `source`'s snapshot;
 * returns what the destination refused (nothing of which was applied).
 */
export async function applyKeys(source: pg.Client, w: KeyWriter, c: KeyedClass, keys: readonly unknown[][], batchKeys = 1000): Promise<Refusal[]> {
  const refused: Refusal[] = [];
  for (let i = 0; i < keys.length; i += batchKeys) {
    const { upserts, deletes } = await readKeys(source, c, keys.slice(i, i + batchKeys));
    const e = await underSavepoint(w.db, () => write(w, c, upserts, deletes));
    if (e === undefined) continue;
    if (!isRefusal(e)) throw e;
    refused.push(...await oneByOne(w, c, upserts, deletes));
  }
  return refused;
}
