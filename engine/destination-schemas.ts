// The destination schemas a plan touches: those of its classes' tables and of re-implemented
// custom code. Only these are introspected.
import type { Plan } from './plan/types.js';

export function destinationSchemas(plan: Plan): string[] {
  const schemas = new Set<string>();
  for (const cls of Object.values(plan.classes)) schemas.add(cls.destination.table.includes('.') ? cls.destination.table.split('.')[0]! : 'public');
  for (const entry of plan.custom_code ?? []) {
    const m = /^(?:trigger|function|procedure|view|materialized view|rule|policy) "?([^".]+)"?\./.exec(entry.reimplemented ?? '');
    if (m) schemas.add(m[1]!);
  }
  return [...schemas].sort();
}
