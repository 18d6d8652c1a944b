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
import { Failure } from '../failure.js';
import { recordWrite, sampleKeysFrom } from '../state/written-rows.js';
import { advanceCapturePosition, readCapturePosition } from '../state/capture-position.js';
import { listParked, parkChange } from '../state/parked-changes.js';
import { applyKeys, keyText, type KeyedClass, type Refusal } from './apply-keys.js';
import { captureLogTable } from './capture-objects.js';
import { pendingByClass, pendingKeys, retireDrained, truncatedClasses, type CaptureBaseline } from './capture-log.js';

export interface DrainClass extends KeyedClass {
  /** the snapshot the class's copy read */
  copySnapshot: string;
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
  /** the migration clock's time, for changes parked */
  at: Date;
  /** every class is drained together from here on (dual-run and later): the recorded position
   * covers them all, so what it saw is never applied a second time after a crash */
  settled?: boolean;
  batchKeys?: number;
}

export interface ParkedNote {
  class: string;
  key: unknown[];
  message: string;
}

export interface DrainResult {
  /** distinct keys applied, per class */
  keys: Map<string, number>;
  /** changes the destination refused in this drain, now parked */
  parked: ParkedNote[];
  /** changed keys not applied because an earlier change of theirs is parked */
  held: number;
}

/** The source transaction that last wrote `key` (as the log has it), or, where the log's text of
 * the key differs from ours, the first transaction the drain's snapshot did not see. */
async function lastWriter(input: DrainInput, cls: string, key: unknown[]): Promise<string> {
  const { rows } = await input.source.query<{ x: string }>(
    `SELECT coalesce(max(l.xid::text::numeric)::text, pg_snapshot_xmax($3::pg_snapshot)::text) AS x
       FROM ${captureLogTable(input.schema, input.migration)} AS l WHERE l.class = $1 AND (l.key = $2::jsonb OR l.old_key = $2::jsonb)`,
    [cls, JSON.stringify(key), input.snapshot]);
  return rows[0]!.x;
}

async function park(input: DrainInput, c: DrainClass, r: Refusal): Promise<ParkedNote> {
  await parkChange(input.destination, input.schema, input.migration,
    { class: c.name, key: r.key, op: r.op, sourceXid: await lastWriter(input, c.name, r.key), sqlstate: r.sqlstate, message: r.message, sourceRow: r.sourceRow }, input.at);
  return { class: c.name, key: r.key, message: r.message };
}

/** Keys with a parked change wait behind it, so one key's changes are applied in order: the retry
 * reads the row as it is then. */
async function heldKeys(input: DrainInput): Promise<Map<string, Set<string>>> {
  const held = new Map<string, Set<string>>();
  for (const p of await listParked(input.destination, input.schema, input.migration)) {
    const set = held.get(p.class) ?? new Set<string>();
    set.add(keyText(p.key));
    held.set(p.class, set);
  }
  return held;
}

/** One class's changes, in the drain's transaction: applied, parked, or held behind a parked one. */
async function drainClass(input: DrainInput, c: DrainClass & { baseline: CaptureBaseline }, held: ReadonlySet<string> | undefined, result: DrainResult): Promise<void> {
  const types = c.cls.source.key.map((k) => c.sourceTable.columns.find((x) => x.name === k)?.type ?? 'text');
  const text = await pendingKeys(input.source, input.schema, input.migration, c.baseline, types);
  // integers as numbers, as every other key cutover shows
  const keys = sampleKeysFrom(text as (string | null)[][], c.sourceTable, c.cls.source.key);
  const open = held ? keys.filter((k) => !held.has(keyText(k))) : keys;
  result.held += keys.length - open.length;
  const refused = await applyKeys(input.source, { db: input.destination, schema: input.schema, migration: input.migration }, c, open, input.batchKeys);
  for (const r of refused) result.parked.push(await park(input, c, r));
  await recordWrite(input.destination, input.schema, input.migration, c.name);
  result.keys.set(c.name, open.length - refused.length);
}

export async function drainCapture(input: DrainInput): Promise<DrainResult> {
  const position = input.settled ? (await readCapturePosition(input.destination, input.schema, input.migration))?.snapshot : undefined;
  const baseline = (c: DrainClass) => ({ cls: c.name, copySnapshot: c.copySnapshot, position });
  // one count first: a parity drains before each class, and most drains find nothing
  const pending = await pendingByClass(input.source, input.schema, input.migration, input.classes.map(baseline));
  const changed = input.classes.filter((c) => (pending.get(c.name) ?? 0) > 0);
  const [cut] = await truncatedClasses(input.source, input.schema, input.migration, changed.map(baseline));
  if (cut) {
    throw new Failure('capture.truncate', `class ${cut}: its source table was truncated after the copy, and a TRUNCATE cannot be mirrored row by row; nothing was applied`,
      'restore the rows on the source, or roll back (`cutover rollback`) and migrate the class again');
  }
  const result: DrainResult = { keys: new Map(input.classes.map((c) => [c.name, 0])), parked: [], held: 0 };
  const dest = input.destination;
  await dest.query('BEGIN');
  try {
    const held = await heldKeys(input);
    for (const c of changed) await drainClass(input, { ...c, baseline: baseline(c) }, held.get(c.name), result);
    await advanceCapturePosition(dest, input.schema, input.migration, input.snapshot, [...result.keys.values()].reduce((a, b) => a + b, 0));
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
  return result;
}
