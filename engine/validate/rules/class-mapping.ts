// Each class's mapping must be complete enough to copy forward and to roll back.
import { readColumns } from '../../plan/sql-identifiers.js';
import { type Target, TARGETS } from '../../plan/types.js';
import { isPast } from '../../phases/phase-order.js';
import { nameOf } from '../../plan/plan-names.js';
import { yamlKey } from '../../plan/plan-yaml.js';
import { entries, list, nameKeys, obj, str, target, type Loose, type Rule, type RuleContext } from './context.js';

const SECTION_FOR_KIND: Record<string, string> = { money: 'money', audit: 'audit', attachments: 'files' };

function sourceColumnsRead(cls: Loose): Set<string> {
  const read = new Set<string>();
  for (const [, expr] of entries(cls.columns)) if (typeof expr === 'string') readColumns(expr).forEach((c) => read.add(c));
  return read;
}

function pastDualRun(ctx: RuleContext): boolean {
  const t = target(ctx);
  return !!t && (TARGETS as readonly string[]).includes(t) && isPast(t as Target, 'dual_run');
}

function destinationKeyMapped(ctx: RuleContext, name: string, cls: Loose): void {
  if (!obj(cls.columns)) return;
  const columns = nameKeys(cls.columns);
  list(obj(cls.destination)?.key).forEach((col, i) => {
    if (typeof col === 'string' && !columns.has(nameOf(col))) ctx.report({
      code: 'plan.key-not-mapped',
      message: `destination key column \`${col}\` of class \`${name}\` is not mapped in \`columns\``,
      path: ['classes', name, 'destination', 'key', i],
      hint: `add \`${yamlKey(col)}: <source expression>\` under classes.${name}.columns`,
    });
  });
}

function reverseCoverage(ctx: RuleContext, name: string, cls: Loose): void {
  const read = sourceColumnsRead(cls);
  const reverse = obj(cls.reverse);
  const reversed = nameKeys(cls.reverse);
  const missing = [...read].filter((c) => !reversed.has(c));
  if (missing.length === 0) return;
  const blocking = pastDualRun(ctx);
  ctx.report({
    code: 'plan.reverse-incomplete',
    message: `class \`${name}\` cannot roll back: \`reverse\` does not map source column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `\`${c}\``).join(', ')}`,
    path: reverse ? ['classes', name, 'reverse'] : ['classes', name],
    at: 'key',
    severity: blocking ? 'error' : 'warning',
    hint: blocking
      ? 'a target past dual_run needs a complete rollback path: map each source column from the destination row'
      : 'this becomes an error once target passes dual_run',
  });
}

function lossyAndDropped(ctx: RuleContext, name: string, cls: Loose): void {
  const reverse = nameKeys(cls.reverse);
  for (const [col] of entries(cls.lossy)) {
    if (!reverse.has(nameOf(col))) ctx.report({
      code: 'plan.lossy-not-reversed',
      message: `\`lossy\` names \`${col}\`, which \`reverse\` does not map`,
      path: ['classes', name, 'lossy', col],
      at: 'key',
      hint: '`lossy` explains reverse columns that cannot restore the source exactly',
    });
  }
  const read = sourceColumnsRead(cls);
  for (const [col] of entries(cls.dropped)) {
    if (read.has(nameOf(col))) ctx.report({
      code: 'plan.dropped-but-mapped',
      message: `\`${col}\` is listed in \`dropped\` but \`columns\` reads it`,
      path: ['classes', name, 'dropped', col],
      at: 'key',
      hint: 'a dropped column is one deliberately not carried over; remove it from `dropped` or from `columns`',
    });
  }
}

function kindSections(ctx: RuleContext, name: string, cls: Loose): void {
  const kind = str(cls.kind) ?? 'plain';
  const needed = SECTION_FOR_KIND[kind];
  if (needed && !(needed in cls)) ctx.report({
    code: 'plan.kind-section-missing',
    message: `class \`${name}\` is of kind ${kind} and needs ${/^[aeiou]/.test(needed) ? 'an' : 'a'} \`${needed}\` section`,
    path: ['classes', name, 'kind'],
    hint: `see the ${kind} class in plans/examples/crm.yaml`,
  });
  for (const [k, section] of Object.entries(SECTION_FOR_KIND)) {
    if (k !== kind && section in cls) ctx.report({
      code: 'plan.kind-section-unexpected',
      message: `class \`${name}\` has a \`${section}\` section but is of kind ${kind}`,
      path: ['classes', name, section],
      at: 'key',
      hint: `set \`kind: ${k}\` or remove the section`,
    });
  }
}

/** Columns that kind sections name must be destination columns the class writes. */
function sectionColumns(ctx: RuleContext, name: string, cls: Loose): void {
  if (!obj(cls.columns)) return;
  const columns = nameKeys(cls.columns);
  const mustBeMapped = (value: unknown, path: (string | number)[], what: string) => {
    if (typeof value === 'string' && !columns.has(nameOf(value))) ctx.report({
      code: 'plan.section-column-unmapped',
      message: `${what} \`${value}\` is not a destination column mapped in \`columns\``,
      path: ['classes', name, ...path],
      hint: 'name the destination column, as written on the left of `columns`',
    });
  };
  const money = obj(cls.money);
  if (money) for (const k of ['amount', 'currency', 'date']) mustBeMapped(money[k], ['money', k], `money.${k}`);
  list(obj(cls.audit)?.order_by).forEach((c, i) => mustBeMapped(c, ['audit', 'order_by', i], 'audit.order_by'));
  const files = obj(cls.files);
  if (files) mustBeMapped(files.destination_path, ['files', 'destination_path'], 'files.destination_path');
  for (const [col] of entries(cls.computed)) {
    if (columns.has(nameOf(col))) ctx.report({
      code: 'plan.computed-also-mapped',
      message: `\`${col}\` is both mapped in \`columns\` and listed as \`computed\``,
      path: ['classes', name, 'computed', col],
      at: 'key',
      hint: 'a computed column is filled by the destination itself; remove it from `columns`',
    });
  }
  const keyLength = list(obj(cls.source)?.key).length;
  list(obj(cls.audit)?.anchors).forEach((a, i) => {
    const key = obj(a)?.key;
    if (Array.isArray(key) && keyLength && key.length !== keyLength) ctx.report({
      code: 'plan.anchor-key-length',
      message: `anchor key has ${key.length} value${key.length > 1 ? 's' : ''} but the source key has ${keyLength} column${keyLength > 1 ? 's' : ''}`,
      path: ['classes', name, 'audit', 'anchors', i, 'key'],
    });
  });
}

export const classMapping: Rule = (ctx) => {
  for (const [name, raw] of entries(ctx.plan.classes)) {
    const cls = obj(raw);
    if (!cls) continue;
    destinationKeyMapped(ctx, name, cls);
    reverseCoverage(ctx, name, cls);
    lossyAndDropped(ctx, name, cls);
    kindSections(ctx, name, cls);
    sectionColumns(ctx, name, cls);
  }
};
