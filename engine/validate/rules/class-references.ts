// Names of classes used elsewhere in the plan must name classes.
import { didYouMean } from '../suggest.js';
import { classNames, entries, list, obj, str, type Rule, type RuleContext } from './context.js';
import type { PlanPath } from '../../load/node-position.js';
import { canonicalTableName, nameOf, readTableName, writeTableName } from '../../plan/plan-names.js';

function mustNameClass(ctx: RuleContext, name: unknown, path: PlanPath, what: string): void {
  if (typeof name !== 'string') return;
  const known = classNames(ctx);
  if (known.includes(name)) return;
  ctx.report({
    code: 'plan.unknown-class',
    message: `${what} names class \`${name}\`, which the plan does not define`,
    path,
    hint: didYouMean(name, known) ?? (known.length ? `classes: ${known.join(', ')}` : 'define it under `classes`'),
  });
}

export const classReferences: Rule = (ctx) => {
  for (const [name, cls] of entries(ctx.plan.classes)) {
    list(obj(cls)?.relationships).forEach((rel, i) =>
      mustNameClass(ctx, obj(rel)?.references, ['classes', name, 'relationships', i, 'references'], 'a relationship'));
  }
  list(obj(obj(ctx.plan.lock)?.data)?.rules).forEach((rule, i) =>
    list(obj(rule)?.classes).forEach((c, j) =>
      mustNameClass(ctx, c, ['lock', 'data', 'rules', i, 'classes', j], 'a freeze rule')));
  list(obj(ctx.plan.dual_run)?.resolutions).forEach((r, i) =>
    mustNameClass(ctx, obj(r)?.class, ['dual_run', 'resolutions', i, 'class'], 'a resolution'));
};

/** The qualified names a source table name can stand for, in canonical text: `schema.table`
 * itself, or a bare `table` in each of source.schemas (bare names are resolved there). */
function qualifiedNames(table: string, schemas: readonly string[]): string[] {
  const t = readTableName(table);
  if ('error' in t) return [table];
  if (t.schema !== undefined) return [writeTableName(t.schema, t.name)];
  return schemas.length ? schemas.map((s) => writeTableName(s, t.name)) : [writeTableName(undefined, t.name)];
}

/** Two classes writing one destination table, or a class reading an ignored table, is a mistake. */
export const tableClaims: Rule = (ctx) => {
  const claimed = new Map<string, string>();
  const sources = new Map<string, string>(); // qualified source table → class
  const schemas = list(obj(ctx.plan.source)?.schemas).filter((s): s is string => typeof s === 'string').map(nameOf);
  for (const [name, cls] of entries(ctx.plan.classes)) {
    const written = str(obj(obj(cls)?.destination)?.table);
    if (written) {
      const dest = canonicalTableName(written);
      const other = claimed.get(dest);
      if (other) ctx.report({
        code: 'plan.table-claimed-twice',
        message: `classes \`${other}\` and \`${name}\` both write destination table \`${written}\``,
        path: ['classes', name, 'destination', 'table'],
        hint: 'one class per destination table; merge the two or use `where` to split the source',
      });
      else claimed.set(dest, name);
    }
    const src = str(obj(obj(cls)?.source)?.table);
    if (src) for (const q of qualifiedNames(src, schemas)) if (!sources.has(q)) sources.set(q, name);
  }
  list(ctx.plan.ignore).forEach((entry, i) => {
    const table = str(obj(entry)?.table);
    const cls = table ? qualifiedNames(table, schemas).map((q) => sources.get(q)).find((c) => c !== undefined) : undefined;
    if (cls) ctx.report({
      code: 'plan.ignored-table-classified',
      message: `table \`${table}\` is ignored but class \`${cls}\` reads it`,
      path: ['ignore', i, 'table'],
      hint: 'remove the ignore entry, or the class',
    });
  });
};
