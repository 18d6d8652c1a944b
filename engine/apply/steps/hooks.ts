// The plan's go_live hooks that apply runs: each is the step its phase's address names.
import { keep, type Executor } from './step.js';

export const rollbackHook: Executor = {
  async create(_, t) { await t.runHook('rollback', 'rolled_back'); },
  // a hook that ran stays run
  delete: keep,
};

export const switchReadsHook: Executor = {
  async create(change, t) { await t.runHook('switch_reads', change.phase); },
  delete: keep,
};
