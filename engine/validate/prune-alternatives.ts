// ajv reports every branch of a failed anyOf/oneOf. A user wants one message: the branch whose
// shape they evidently meant (its type matched) with that branch's own errors, or, when no branch's
// type matched, a single "must be X or Y".
import type { ErrorObject } from 'ajv';

type Summarised = ErrorObject & { summary?: string };

const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping', array: 'a list', string: 'text', integer: 'a whole number',
  number: 'a number', boolean: 'true or false', null: 'empty',
};

export function pruneAlternatives(errors: readonly ErrorObject[]): ErrorObject[] {
  const dropped = new Set<ErrorObject>();
  const out: Summarised[] = [];
  // innermost alternatives first, so an outer one sees its inner ones already settled
  const alternatives = errors
    .filter((e) => (e.keyword === 'anyOf' || e.keyword === 'oneOf') && !(e.params as { passingSchemas?: unknown }).passingSchemas)
    .sort((a, b) => b.schemaPath.length - a.schemaPath.length);
  const summaries = new Map<ErrorObject, string>();
  for (const alt of alternatives) {
    const prefix = `${alt.schemaPath}/`;
    const branches = new Map<string, ErrorObject[]>();
    for (const e of errors) {
      if (dropped.has(e) || !e.schemaPath.startsWith(prefix) || !e.instancePath.startsWith(alt.instancePath)) continue;
      const branch = e.schemaPath.slice(prefix.length).split('/')[0] ?? '';
      branches.set(branch, [...(branches.get(branch) ?? []), e]);
    }
    if (branches.size === 0) continue;
    const shapeMatched = [...branches.values()].filter(
      (list) => !list.some((e) => e.instancePath === alt.instancePath && (e.keyword === 'type' || e.keyword === 'const')),
    );
    const keep = shapeMatched.sort((a, b) => a.length - b.length)[0];
    for (const list of branches.values()) if (list !== keep) list.forEach((e) => dropped.add(e));
    if (keep) {
      dropped.add(alt);
    } else {
      const types = new Set<string>();
      for (const list of branches.values()) {
        for (const e of list) {
          if (e.keyword === 'type') for (const t of [(e.params as { type: unknown }).type].flat()) types.add(TYPE_WORDS[String(t)] ?? String(t));
          if (e.keyword === 'const') types.add(JSON.stringify((e.params as { allowedValue: unknown }).allowedValue));
        }
      }
      if (types.size) summaries.set(alt, `must be ${[...types].join(' or ')}`);
    }
  }
  for (const e of errors) {
    if (dropped.has(e)) continue;
    const summary = summaries.get(e);
    out.push(summary ? { ...e, summary } : e);
  }
  // a missing required key explains any alternative failing at the same place
  const requiredAt = new Set(out.filter((e) => e.keyword === 'required').map((e) => e.instancePath));
  return out.filter((e) => !((e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'not') && requiredAt.has(e.instancePath)));
}
