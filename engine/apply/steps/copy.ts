// A class's rows copied into the destination, and taken out again before a re-copy.
import { classOf } from '../resource-kind.js';
import type { Executor } from './step.js';

export const copy: Executor = {
  async create(change, t) { await t.classSteps().copy(classOf(change.address)); },
  async delete(change, t) {
    const name = classOf(change.address);
    const cls = t.plan.classes[name];
    // the table and key the recorded copy filled, which the plan may since have changed
    const table = String(change.before?.destination_table ?? cls?.destination.table ?? '');
    const key = (change.before?.destination_key as string[] | undefined) ?? cls?.destination.key ?? [];
    await t.classSteps().uncopy(name, { table, key });
  },
};
