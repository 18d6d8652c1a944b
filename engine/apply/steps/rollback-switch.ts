// Rolling back after the write switch, in the order that loses no write: the destination's classes
// read-only (no write can land there and be lost), the writes it took drained into the source
// through `reverse`, the source's sequences past every key, parity proven in the reverse direction —
// before the source takes writes again, so a rollback that did not converge stops with both sides
// read-only instead of opening a source that lacks writes. Then the rollback hook, and the removals
// that make the source writable.
import { Failure } from '../../failure.js';
import { installReadOnly, removeReadOnly } from '../../lock/read-only.js';
import { reversedPlan } from '../../rollback/reverse-class.js';
import { advanceSequences } from '../../switch/sequences.js';
import { plural } from '../../words.js';
import { sampleKeysText } from '../../state/written-rows.js';
import { keep, type Executor } from './step.js';
import { keySequenceColumns } from './switch.js';

export const destinationReadOnly: Executor = {
  async create(_, t) {
    const tables = Object.values(t.plan.classes).map((c) => t.qualifyDestination(c.destination.table));
    await installReadOnly(t.destination, t.schema, t.plan.name, tables, 'destination');
  },
  async delete(_, t) { await removeReadOnly(t.destination, t.schema, t.plan.name); },
};

export const rollbackDrain: Executor = {
  async create(_, t) {
    const drained = await t.classSteps().reverseDrain();
    const changes = [...drained.keys.values()].reduce((a, b) => a + b, 0);
    t.emit({ kind: 'rollback.drained', changes, refused: drained.refused.length });
    if (drained.refused.length === 0) return;
    const first = drained.refused[0]!;
    throw new Failure('rollback.refused',
      `the source refused ${plural(drained.refused.length, 'of the destination\'s writes', 'of the destination\'s writes')} (class ${first.class}, key ${sampleKeysText([first.refusal.key])}: ${first.refusal.message}); they are parked, the others are in the source, and both sides stay read-only`,
      'fix what the source refuses (the plan\'s reverse, or the source\'s constraints) and run the rollback again: it converges');
  },
  delete: keep,
};

export const sourceSequences: Executor = {
  async create(_, t) {
    const reversed = reversedPlan(t.plan).classes;
    t.emit({ kind: 'sequences.set', sequences: await advanceSequences(t.destination, t.source, keySequenceColumns(reversed, t.qualify, t.qualifyDestination)) });
  },
  delete: keep,
};

export const rollbackParity: Executor = {
  async create(_, t) {
    const results = await t.classSteps().reverseParity();
    for (const result of results) t.emit({ kind: 'parity.finished', result });
    const failed = results.filter((r) => !r.passed);
    if (failed.length === 0) return;
    const named = failed.map((r) => `${r.class} (${r.differences.map((d) => `${d.count} ${d.kind}${d.sampleKeys.length ? `, keys ${sampleKeysText(d.sampleKeys.slice(0, 5))}` : ''}`).join('; ') || `${r.sourceRows} rows against ${r.destinationRows}`})`);
    throw new Failure('rollback.parity', `parity in the reverse direction failed for ${named.join(', ')}: the source was not opened for writes, and both sides stay read-only`,
      'fix what differs (the plan\'s reverse, or the rows named) and run the rollback again');
  },
  delete: keep,
};
