// The rest of the write switch, after the source is read-only and drained: destination sequences
// past every key, reverse capture on the destination (verified before the outage ends), and the
// switch_writes hook, which ends the outage: its length is measured and recorded.
import { installCapture, removeCapture } from '../../capture/capture-objects.js';
import { uncoveredTables } from '../../capture/capture-coverage.js';
import { Failure } from '../../failure.js';
import { latestEvent } from '../../state/state-store.js';
import { advanceSequences, type SequenceColumn } from '../../switch/sequences.js';
import { classOf } from '../resource-kind.js';
import { OUTAGE } from './read-only.js';
import type { RecordClass } from '../../plan/types.js';
import { keep, type Executor } from './step.js';

/** A plain source column a destination key column is copied from (`id: id`), else none. */
export function sourceColumn(expression: string | undefined): string | undefined {
  const bare = expression?.trim();
  if (!bare) return undefined;
  if (/^[a-z_][a-z0-9_$]*$/.test(bare)) return bare;
  const quoted = /^"((?:[^"]|"")+)"$/.exec(bare);
  return quoted ? quoted[1]!.replace(/""/g, '"') : undefined;
}

/** The key columns of each class's destination side (the side whose sequences are set), each with
 * the source-side column it is copied from when that is a plain column. A rollback passes the
 * classes reversed. */
export function keySequenceColumns(
  classes: Record<string, RecordClass>, qualifyTarget: (table: string) => string, qualifyOther: (table: string) => string,
): SequenceColumn[] {
  return Object.entries(classes).flatMap(([name, cls]) => cls.destination.key.map((column) => {
    const from = sourceColumn(cls.columns[column]);
    return { class: name, table: qualifyTarget(cls.destination.table), column, source: from ? { table: qualifyOther(cls.source.table), column: from } : undefined };
  }));
}

export const destinationSequences: Executor = {
  async create(_, t) {
    t.emit({ kind: 'sequences.set', sequences: await advanceSequences(t.source, t.destination, keySequenceColumns(t.plan.classes, t.qualifyDestination, t.qualify)) });
  },
  // a sequence moved forward stays forward: nothing depends on giving those values out again
  delete: keep,
};

/** Capture of a class's destination table, for a rollback after the switch to drain back. */
export const reverseCapture: Executor = {
  async create(change, t) {
    const name = classOf(change.address);
    const cls = t.plan.classes[name]!;
    const table = t.qualifyDestination(cls.destination.table);
    await installCapture(t.destination, t.schema, t.plan.name, name, table, cls.destination.key);
    const missing = await uncoveredTables(t.destination, t.plan.name, table);
    if (missing.length) {
      throw new Failure('switch.reverse-capture', `class ${name}: reverse capture is not on ${missing.join(', ')} after installing it, so writes were not switched`,
        'run `cutover apply` again; if it persists, check for a trigger disabled on the destination');
    }
  },
  async delete(change, t) {
    await removeCapture(t.destination, t.schema, t.plan.name, classOf(change.address), t.qualifyDestination(String(change.before?.table ?? '')));
  },
};

/** The switch_writes hook ends the outage: measured from the source going read-only. */
export const switchWritesHook: Executor = {
  async create(change, t) {
    await t.runHook('switch_writes', change.phase);
    const started = await latestEvent(t.destination, t.schema, t.plan.name, OUTAGE, 'started');
    const from = typeof started?.detail.at === 'string' ? Date.parse(started.detail.at) : NaN;
    if (Number.isNaN(from)) return;
    const seconds = (Date.now() - from) / 1000;
    await t.record({ kind: OUTAGE, outcome: 'ok', detail: { started: started!.detail.at, ended: new Date().toISOString(), seconds } });
    t.emit({ kind: 'outage.measured', seconds });
  },
  delete: keep,
};
