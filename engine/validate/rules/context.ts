// What every semantic rule gets: the plan as loose data (rules run even when the schema found
// problems, so they read defensively) and one way to report a problem at a YAML node.
import { diagnostic, type Diagnostic, type Severity } from '../../diagnostics.js';
import { isUnresolved, keyPosition, valuePosition, type PlanPath } from '../../load/node-position.js';
import type { SourceDocument } from '../../load/yaml-document.js';
import { printable } from '../../load/yaml-errors.js';
import { nameOf } from '../../plan/plan-names.js';

export type Loose = Record<string, unknown>;

export interface Report {
  code: string;
  message: string;
  path: PlanPath;
  /** point at the key (`dropped:`) rather than its value; default value */
  at?: 'key' | 'value';
  hint?: string;
  severity?: Severity;
}

export interface RuleContext {
  plan: Loose;
  report(r: Report): void;
}

export type Rule = (ctx: RuleContext) => void;

export function makeContext(source: SourceDocument, plan: Loose, out: Diagnostic[]): RuleContext {
  return {
    plan,
    report(r) {
      if (isUnresolved(source, r.path)) return; // the variable's own diagnostic says it
      const pos = r.at === 'key' ? keyPosition(source, r.path) : valuePosition(source, r.path);
      // messages quote the plan's own text: keep them on one line and free of control characters
      out.push(diagnostic(r.code, printable(r.message), source.file, pos, r.hint && printable(r.hint), r.severity ?? 'error'));
    },
  };
}

export function obj(v: unknown): Loose | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Loose) : undefined;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function entries(v: unknown): [string, unknown][] {
  return Object.entries(obj(v) ?? {});
}

/** The names a mapping's keys stand for, as the catalog has them (`"Order Id"` is `Order Id`). */
export function nameKeys(v: unknown): Set<string> {
  return new Set(Object.keys(obj(v) ?? {}).map(nameOf));
}

export function target(ctx: RuleContext): string | undefined {
  return str(ctx.plan.target);
}

export function classNames(ctx: RuleContext): string[] {
  return Object.keys(obj(ctx.plan.classes) ?? {});
}
