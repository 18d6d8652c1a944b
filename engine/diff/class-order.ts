// The order classes are loaded in: a class after the classes it references (destination foreign
// keys and the plan's relationships), so that even without session_replication_role a parent row
// exists before its children. Cycles and self-references fall back to the plan's order.
import { findTable, type Catalog } from '../introspect/catalog.js';
import type { Plan } from '../plan/types.js';

export function classOrder(plan: Plan, destination?: Catalog): string[] {
  const names = Object.keys(plan.classes);
  const byTable = new Map<string, string>();
  for (const name of names) {
    const t = destination ? findTable(destination, plan.classes[name]!.destination.table)?.qualified : undefined;
    byTable.set(t ?? plan.classes[name]!.destination.table, name);
  }
  const deps = new Map<string, Set<string>>(names.map((n) => [n, new Set<string>()]));
  for (const name of names) {
    const cls = plan.classes[name]!;
    for (const r of cls.relationships ?? []) if (r.references !== name && plan.classes[r.references]) deps.get(name)!.add(r.references);
    const table = destination ? findTable(destination, cls.destination.table) : undefined;
    for (const fk of table?.foreignKeys ?? []) {
      const parent = byTable.get(fk.references);
      if (parent && parent !== name) deps.get(name)!.add(parent);
    }
  }
  const order: string[] = [];
  const placed = new Set<string>();
  while (order.length < names.length) {
    const ready = names.find((n) => !placed.has(n) && [...deps.get(n)!].every((d) => placed.has(d)))
      ?? names.find((n) => !placed.has(n))!; // a cycle: take the next in plan order
    order.push(ready);
    placed.add(ready);
  }
  return order;
}
