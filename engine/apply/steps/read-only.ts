// The write switch's first step, in the order that loses no write: the source goes read-only (the
// write outage starts: stragglers are rejected with the migration's message); a fence is written
// into the capture log after that point and a drain must cover it, so every change committed before
// the source went read-only is on the destination, proven; then a final compare, which must be
// clean. Until all of that holds nothing after it runs: the source stays read-only, the writes stay
// off the destination, and running apply again does the step again.
import { fenceCovered, removeFence, writeFence } from '../../capture/fence.js';
import { classVerdicts, compareClean } from '../../compare/compare-findings.js';
import { Failure } from '../../failure.js';
import { installReadOnly, removeReadOnly } from '../../lock/read-only.js';
import { plural } from '../../words.js';
import type { Executor } from './step.js';

export const OUTAGE = 'outage';

export const readOnly: Executor = {
  async create(_, t) {
    await t.record({ kind: OUTAGE, outcome: 'started', detail: { at: new Date().toISOString() } });
    await installReadOnly(t.source, t.schema, t.plan.name, Object.values(t.plan.classes).map((c) => t.qualify(c.source.table)));
    const fence = await writeFence(t.source, t.schema, t.plan.name);
    const drained = await t.classSteps().drainAll();
    if (!(await fenceCovered(t.source, fence, drained.snapshot))) {
      throw new Failure('switch.fence', 'the drain after the source went read-only did not cover the fence, so it cannot be proven that every write reached the destination',
        'run `cutover apply` again: the step is done again from the start');
    }
    await removeFence(t.source, t.schema, t.plan.name, fence);
    t.emit({ kind: 'switch.drained', changes: [...drained.keys.values()].reduce((a, b) => a + b, 0) });
    const compared = await t.classSteps().compare();
    const clean = compareClean(compared);
    const verdicts = classVerdicts(compared);
    t.emit({ kind: 'switch.compared', at: compared.at.toISOString(), clean, verdicts });
    if (!clean) {
      const differ = verdicts.filter((v) => !v.clean).map((v) => v.class);
      throw new Failure('switch.final-compare',
        `the final compare found ${plural(differ.length, 'class', 'classes')} that differ (${differ.join(', ')}), so writes were not switched; the source is read-only and the write outage goes on`,
        'fix what the compare names and run `cutover apply` again, or give the writes back to the source with `cutover rollback`');
    }
  },
  // a rollback gives the source its writes back
  async delete(_, t) { await removeReadOnly(t.source, t.schema, t.plan.name); },
};
