// What a target needs before apply may aim for it: the dual-run and go-live sections, agreed
// retention, and a reconciliation policy for closing.
import { parseDuration } from '../../plan/duration.js';
import { durationWords } from './durations.js';
import { TARGETS, type Phase, type Target } from '../../plan/types.js';
import { isPast, reached } from '../../phases/phase-order.js';
import { entries, obj, str, target, type Rule, type RuleContext } from './context.js';

function reaches(ctx: RuleContext, phase: Phase): boolean {
  const t = target(ctx);
  return !!t && (TARGETS as readonly string[]).includes(t) && reached(t as Target, phase);
}

function requireSection(ctx: RuleContext, phase: Phase, path: string[], why: string): void {
  if (!reaches(ctx, phase)) return;
  let here: unknown = ctx.plan;
  for (const [i, seg] of path.entries()) {
    const parent = obj(here);
    // a missing parent section is the finding; its parts would only repeat it
    if (!parent && i > 0) return;
    here = parent?.[seg];
  }
  if (here !== undefined) return;
  ctx.report({
    code: 'plan.section-missing',
    message: `target ${target(ctx)} needs \`${path.join('.')}\`: ${why}`,
    path: path.length > 1 && obj(ctx.plan[path[0]!]) ? [path[0]!] : ['target'],
    at: path.length > 1 && obj(ctx.plan[path[0]!]) ? 'key' : 'value',
  });
}

function retention(ctx: RuleContext): void {
  const r = obj(ctx.plan.retention);
  const regulated = r?.regulated === true;
  const seconds = parseDuration(str(r?.read_only_for) ?? '');
  const minimum = regulated ? '365d' : '90d';
  if (seconds !== undefined && seconds < parseDuration(minimum)!) ctx.report({
    code: 'plan.duration-out-of-bounds',
    message: `\`retention.read_only_for\` is ${durationWords(str(r?.read_only_for)!)}; it must be at least ${minimum}${regulated ? ' for a regulated system' : ''}`,
    path: ['retention', 'read_only_for'],
    hint: 'operators look things up in the old system for months after go-live; audits for longer',
  });
  const t = target(ctx);
  const past = !!t && (TARGETS as readonly string[]).includes(t) && isPast(t as Target, 'dual_run');
  if (!past) return;
  if (!r) {
    ctx.report({ code: 'plan.retention-not-agreed', message: `target ${t} needs an agreed \`retention\` section`, path: ['target'],
      hint: 'agree how long the source stays read-only (read_only_for, agreed_by, agreed_on) before reads switch' });
    return;
  }
  for (const field of ['agreed_by', 'agreed_on']) {
    if (r[field] === undefined) ctx.report({
      code: 'plan.retention-not-agreed',
      message: `retention must be agreed before target passes dual_run: \`retention.${field}\` is missing`,
      path: ['retention'],
      at: 'key',
    });
  }
}

function reconciliation(ctx: RuleContext): void {
  const days = obj(ctx.plan.reconciliation)?.clean_days;
  if (typeof days === 'number' && days < 30) ctx.report({
    code: 'plan.clean-days-too-few',
    message: `\`reconciliation.clean_days\` is ${days}; it must be at least 30`,
    path: ['reconciliation', 'clean_days'],
    hint: 'a month of clean daily reconciliations against the bank covers a full statement cycle',
  });
  const moneyClasses = entries(ctx.plan.classes).filter(([, c]) => obj(c)?.kind === 'money');
  if (!reaches(ctx, 'closed') || moneyClasses.length === 0) return;
  requireSection(ctx, 'closed', ['reconciliation'], 'closing needs consecutive clean money reconciliations');
  for (const [name, cls] of moneyClasses) {
    const money = obj(obj(cls)?.money);
    if (money && money.bank_statement === undefined) ctx.report({
      code: 'plan.bank-statement-missing',
      message: `target closed needs a bank statement for money class \`${name}\``,
      path: ['classes', name, 'money'],
      at: 'key',
      hint: 'add `bank_statement: path/to/statement.csv` or `bank_statement: { run: command }`',
    });
  }
}

export const phaseSections: Rule = (ctx) => {
  requireSection(ctx, 'dual_run', ['dual_run'], 'the dual-run window and how often to compare');
  // (the hooks inside go_live, switch_reads, switch_writes and rollback, are required by the schema
  // whenever go_live is present, so only the section itself is checked here)
  requireSection(ctx, 'reads_switched', ['go_live'], 'the tail window, lag bound and go-live hooks');
  retention(ctx);
  reconciliation(ctx);
};
