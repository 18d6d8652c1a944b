// The mirror's position, made when dual-run begins: every change captured so far is drained into
// the destination (and refusals parked) while the data lock still holds, so `cutover mirror`
// starts from a destination equal to the source as of that snapshot. Apply runs the capture's
// changes first and lifts the data lock after this step: no write of the source falls between.
import { keep, type Executor } from './step.js';

export const mirrorPosition: Executor = {
  async create(_, t) {
    const drained = await t.classSteps().drainAll();
    for (const p of drained.parked) t.emit({ kind: 'mirror.parked', class: p.class, key: p.key, reason: p.message });
  },
  // the position stays in state with the rest of the migration's history
  delete: keep,
};
