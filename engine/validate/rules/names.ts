// Every name in the plan can be read by the plan's one rule for names (engine/plan/plan-names.ts):
// what it cannot read is a malformed double quote or a table of more than two parts. Two spellings
// of one name in one place, and a name longer than PostgreSQL keeps, are reported too.
import type { PlanPath } from '../../load/node-position.js';
import { readName, readNames, readTableName } from '../../plan/plan-names.js';
import { entries, list, obj, str, type Loose, type RuleContext, type Rule } from './context.js';

const RULE_HINT = 'a name is written exactly as the catalog has it; one that contains a dot or a parenthesis, or starts with a double quote, goes in double quotes with "" for a quote inside (`"a.b"`)';

function why(text: string): string {
  const read = readNames(text);
  return 'error' in read ? read.error : 'it is more than one name';
}

// NAMEDATALEN - 1 in a default build: PostgreSQL cuts longer names, so no catalog name is longer
const MAX_NAME_BYTES = 63;

function tooLong(ctx: RuleContext, names: readonly string[], path: PlanPath, at: 'key' | 'value'): void {
  const long = names.find((n) => Buffer.byteLength(n, 'utf8') > MAX_NAME_BYTES);
  if (long !== undefined) ctx.report({
    code: 'plan.name-too-long', severity: 'warning', path, at,
    message: `\`${long}\` is ${Buffer.byteLength(long, 'utf8')} bytes long; PostgreSQL keeps at most ${MAX_NAME_BYTES} bytes of a name, so no table or column is named so`,
    hint: 'copy the name from the catalog (`cutover plan` names what it finds)',
  });
}

function name(ctx: RuleContext, value: unknown, path: PlanPath, at: 'key' | 'value' = 'value'): void {
  const text = str(value);
  if (text === undefined) return;
  const read = readName(text);
  if (read !== undefined) return tooLong(ctx, [read], path, at);
  ctx.report({ code: 'plan.bad-name', message: `\`${text}\` is not a name: ${why(text)}`, path, at, hint: RULE_HINT });
}

function table(ctx: RuleContext, value: unknown, path: PlanPath): void {
  const text = str(value);
  if (text === undefined || text === '') return; // the schema says it is empty
  const t = readTableName(text);
  if (!('error' in t)) return tooLong(ctx, [t.schema ?? '', t.name], path, 'value');
  ctx.report({ code: 'plan.bad-name', message: `\`${text}\` is not a table name: ${t.error}`, path, hint: `write \`schema.table\` or \`table\`; ${RULE_HINT}` });
}

/** Two spellings of one name (`Order Id` and `"Order Id"`) in one list or mapping. */
function once(ctx: RuleContext, written: readonly (string | undefined)[], path: (i: number) => PlanPath, at: 'key' | 'value'): void {
  const seen = new Map<string, string>();
  written.forEach((text, i) => {
    const n = text === undefined ? undefined : readName(text);
    if (n === undefined) return;
    const first = seen.get(n);
    if (first === undefined) seen.set(n, text!);
    else if (first !== text) ctx.report({
      code: 'plan.name-twice', path: path(i), at,
      message: `\`${text}\` and \`${first}\` are one name, given twice`,
      hint: 'double quotes around a name do not change it; keep one of the two',
    });
  });
}

function names(ctx: RuleContext, value: unknown, path: PlanPath): void {
  list(value).forEach((v, i) => name(ctx, v, [...path, i]));
  once(ctx, list(value).map(str), (i) => [...path, i], 'value');
}

function keys(ctx: RuleContext, value: unknown, path: PlanPath): void {
  for (const [k] of entries(value)) name(ctx, k, [...path, k], 'key');
  const written = entries(value).map(([k]) => k);
  once(ctx, written, (i) => [...path, written[i]!], 'key');
}

function classNames(ctx: RuleContext, cname: string, cls: Loose): void {
  const at = (...p: (string | number)[]) => ['classes', cname, ...p];
  for (const side of ['source', 'destination']) {
    table(ctx, obj(cls[side])?.table, at(side, 'table'));
    names(ctx, obj(cls[side])?.key, at(side, 'key'));
  }
  for (const section of ['columns', 'dropped', 'reverse', 'lossy', 'computed']) keys(ctx, cls[section], at(section));
  list(cls.relationships).forEach((r, i) => names(ctx, obj(r)?.columns, at('relationships', i, 'columns')));
  const money = obj(cls.money);
  for (const k of ['amount', 'currency', 'date']) name(ctx, money?.[k], at('money', k));
  names(ctx, obj(cls.audit)?.order_by, at('audit', 'order_by'));
  const files = obj(cls.files);
  for (const k of ['path', 'destination_path', 'checksum']) name(ctx, files?.[k], at('files', k));
}

export const planNames: Rule = (ctx) => {
  names(ctx, obj(ctx.plan.source)?.schemas, ['source', 'schemas']);
  name(ctx, obj(ctx.plan.state)?.schema, ['state', 'schema']);
  for (const [cname, cls] of entries(ctx.plan.classes)) {
    const c = obj(cls);
    if (c) classNames(ctx, cname, c);
  }
  list(ctx.plan.ignore).forEach((e, i) => table(ctx, obj(e)?.table, ['ignore', i, 'table']));
  list(obj(ctx.plan.lock)?.exceptions).forEach((e, i) => {
    const mapsTo = str(obj(e)?.maps_to);
    const dot = mapsTo?.indexOf('.') ?? -1;
    if (mapsTo !== undefined && dot >= 0 && readName(mapsTo.slice(dot + 1)) === undefined) ctx.report({
      code: 'plan.bad-name', message: `\`${mapsTo}\` does not name a column: ${why(mapsTo.slice(dot + 1))}`,
      path: ['lock', 'exceptions', i, 'maps_to'], hint: RULE_HINT,
    });
  });
};
