// A class's capture trigger on the source, which records the keys of rows written after the copy.
import { installCapture, removeCapture } from '../../capture/capture-objects.js';
import { classOf } from '../resource-kind.js';
import type { Executor } from './step.js';

export const capture: Executor = {
  async create(change, t) {
    const name = classOf(change.address);
    const cls = t.plan.classes[name]!;
    await installCapture(t.source, t.schema, t.plan.name, name, t.qualify(cls.source.table), cls.source.key);
  },
  async delete(change, t) {
    // the table the recorded trigger is on, which the plan may since have changed
    await removeCapture(t.source, t.schema, t.plan.name, classOf(change.address), t.qualify(String(change.before?.table ?? '')));
  },
};
