// The plan's go_live hooks that apply runs.
import { keep, type Executor } from './step.js';

export const rollbackHook: Executor = {
  async create(_, t) { await t.runHook('rollback'); },
  // a hook that ran stays run
  delete: keep,
};
