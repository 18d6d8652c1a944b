// A class seen backwards, for a rollback after the write switch: the destination table is read,
// through `reverse`, into the source table. Every step that reads one side through a mapping and
// writes or judges the other (applying changed keys, parity) takes the reversed class as it is.
// `lossy` columns are read as `reverse` says; a class's `where`, relationships, checks and money
// belong to the forward direction and are left out. Pure.
import type { Plan, RecordClass } from '../plan/types.js';

export function reversedClass(cls: RecordClass): RecordClass {
  return {
    source: { table: cls.destination.table, key: cls.destination.key },
    destination: { table: cls.source.table, key: cls.source.key },
    columns: { ...(cls.reverse ?? {}) },
  };
}

/** The plan with every class reversed: the destination is its source side. */
export function reversedPlan(plan: Plan): Plan {
  return {
    ...plan,
    source: { ...plan.source },
    classes: Object.fromEntries(Object.entries(plan.classes).map(([name, cls]) => [name, reversedClass(cls)])),
  };
}
