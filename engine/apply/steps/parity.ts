// A class's parity check: source and destination rows compared after the copy.
import { classOf } from '../resource-kind.js';
import { keep, type Executor } from './step.js';

export const parity: Executor = {
  async create(change, t) {
    const result = await t.classSteps().parity(classOf(change.address));
    if (!result.passed) {
      const kinds = result.differences.map((d) => `${d.count} ${d.kind}`).join(', ');
      t.report(`class ${result.class}: parity FAILED (source ${result.sourceRows} rows, destination ${result.destinationRows}${kinds ? `; ${kinds}` : ''})`);
    }
    return { passed: result.passed };
  },
  // results stay in state as history
  delete: keep,
};
