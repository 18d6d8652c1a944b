// A rollback after the write switch: every key the destination's reverse capture recorded is read
// from the destination (read-only by now, so one snapshot is final) through `reverse` and written
// into the source, or deleted there, in one source transaction: whole, never half. The destination
// no longer changes, so running it again after a crash converges to the same rows; a change the
// source refuses is parked (and the reverse parity that follows fails on it), never dropped.
import type pg from 'pg';
import { applyKeys, type KeyedClass, type Refusal } from '../capture/apply-keys.js';
import { pendingKeys, retireDrained } from '../capture/capture-log.js';
import { parkChange } from '../state/parked-changes.js';
import { sampleKeysFrom } from '../state/written-rows.js';

/** a snapshot that saw nothing: every row of the reverse log is a change */
const NOTHING_SEEN = '1:1:';

export interface ReverseDrainInput {
  migration: string;
  schema: string;
  /** the destination, inside a REPEATABLE READ transaction: what is drained */
  destination: pg.Client;
  snapshot: string;
  /** a writable destination session, to retire the drained log rows */
  destinationWriter: pg.Client;
  /** the source writer (a registered backend, exempt from the read-only guard) */
  source: pg.Client;
  /** the reversed classes: read from the destination table, written to the source table */
  classes: readonly KeyedClass[];
  at: Date;
}

export interface ReverseDrainResult {
  keys: Map<string, number>;
  refused: { class: string; refusal: Refusal }[];
}

/** Foreign keys of the source hold at commit: replica where permitted (source triggers, already
 * reimplemented on the destination, must not fire twice either), else deferred where deferrable. */
async function relaxConstraints(source: pg.Client): Promise<void> {
  await source.query('SAVEPOINT cutover_role');
  try {
    await source.query('SET LOCAL session_replication_role = replica');
    await source.query('RELEASE SAVEPOINT cutover_role');
  } catch {
    await source.query('ROLLBACK TO SAVEPOINT cutover_role');
    await source.query('SET CONSTRAINTS ALL DEFERRED');
  }
}

export async function drainReverse(input: ReverseDrainInput): Promise<ReverseDrainResult> {
  const result: ReverseDrainResult = { keys: new Map(), refused: [] };
  const writer = { db: input.source, schema: input.schema, migration: input.migration, recordXmins: false };
  await input.source.query('BEGIN');
  try {
    await relaxConstraints(input.source);
    for (const c of input.classes) {
      const types = c.cls.source.key.map((k) => c.sourceTable.columns.find((x) => x.name === k)?.type ?? 'text');
      const text = await pendingKeys(input.destination, input.schema, input.migration, { cls: c.name, copySnapshot: NOTHING_SEEN }, types);
      const keys = sampleKeysFrom(text as (string | null)[][], c.sourceTable, c.cls.source.key);
      const refused = await applyKeys(input.destination, writer, c, keys);
      result.keys.set(c.name, keys.length - refused.length);
      result.refused.push(...refused.map((refusal) => ({ class: c.name, refusal })));
    }
    await input.source.query('COMMIT');
  } catch (e) {
    await input.source.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
  for (const { class: cls, refusal: r } of result.refused) {
    await parkChange(input.destinationWriter, input.schema, input.migration,
      { class: cls, key: r.key, op: r.op, sourceXid: 'rollback', sqlstate: r.sqlstate, message: r.message, sourceRow: r.sourceRow }, input.at);
  }
  // with a refusal the log stays whole: the next rollback applies it all again, as converging does
  if (result.refused.length === 0) {
    await retireDrained(input.destinationWriter, input.schema, input.migration, input.snapshot, input.classes.map((c) => c.name), []);
  }
  return result;
}
