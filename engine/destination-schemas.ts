// The destination schemas a plan touches: those of its classes' tables and of re-implemented
// custom code. Only these are introspected.
import { readAddress } from './plan/custom-code-address.js';
import { readTableName } from './plan/plan-names.js';
import type { Plan } from './plan/types.js';

export function destinationSchemas(plan: Plan): string[] {
  const schemas = new Set<string>();
  for (const cls of Object.values(plan.classes)) {
    const table = readTableName(cls.destination.table);
    if (!('error' in table)) schemas.add(table.schema ?? 'public');
  }
  for (const entry of plan.custom_code ?? []) {
    const address = entry.reimplemented === undefined ? undefined : readAddress(entry.reimplemented);
    if (address && address.kind !== 'event trigger') schemas.add(address.names[0]!);
  }
  return [...schemas].sort();
}
