// Custom code's verify queries, run on the destination once every class is copied and checked.
import { reportCheck } from './report-check.js';
import { keep, type Executor } from './step.js';

export const customCodeVerify: Executor = {
  async create(_, t) { return reportCheck(await t.classSteps().verifyCustomCode(), t); },
  // results stay in state as history
  delete: keep,
};
