// A class's parity check: source and destination rows compared after the copy.
import { classOf } from '../resource-kind.js';
import { keep, type Executor } from './step.js';

export const parity: Executor = {
  async create(change, t) {
    const result = await t.classSteps().parity(classOf(change.address));
    t.emit({ kind: 'parity.finished', result });
    return { passed: result.passed };
  },
  // results stay in state as history
  delete: keep,
};
