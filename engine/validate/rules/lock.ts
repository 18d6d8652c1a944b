// The lock section: a freeze is bounded in time and never allows everything; exceptions follow
// the documented process.
import { TARGETS, type Target } from '../../plan/types.js';
import { isPast } from '../../phases/phase-order.js';
import { closest, didYouMean } from '../suggest.js';
import { readName } from '../../plan/plan-names.js';
import { classNames, list, nameKeys, obj, str, target, type Rule, type RuleContext } from './context.js';

/** The shape of `maps_to` (as in the schema): `class.column`, or `class` alone for a new table. */
const MAPS_TO = /^[a-z_][a-z0-9_]*(\..+)?$/;

function dataLock(ctx: RuleContext): void {
  const data = obj(obj(ctx.plan.lock)?.data);
  if (!data) return;
  const mode = str(data.mode);
  if (mode === 'freeze' && data.ends === undefined) ctx.report({
    code: 'plan.freeze-without-end',
    message: 'a freeze must say when it ends: `lock.data.ends` is missing',
    path: ['lock', 'data', 'mode'],
    hint: 'add `ends: 2026-12-20T00:00:00Z`; a freeze without an end is a pause that nobody agreed to',
  });
  if (mode === 'pause' && list(data.rules).length > 0) ctx.report({
    code: 'plan.rules-in-pause',
    message: '`lock.data.rules` only apply in freeze mode; pause rejects every write',
    path: ['lock', 'data', 'rules'],
    at: 'key',
    hint: 'use `mode: freeze` to allow the rules\' writes, or remove the rules',
  });
  list(data.rules).forEach((rule, i) => {
    const allow = new Set(list(obj(rule)?.allow));
    if (allow.has('insert') && allow.has('update') && allow.has('delete')) ctx.report({
      code: 'plan.rule-allows-everything',
      message: 'a freeze rule may not allow insert, update and delete together',
      path: ['lock', 'data', 'rules', i, 'allow'],
      hint: 'a class that must take every kind of write cannot be frozen; leave it out of the rules or use a shorter freeze',
    });
  });
}

function exceptions(ctx: RuleContext): void {
  const t = target(ctx);
  const pastLocked = !!t && (TARGETS as readonly string[]).includes(t) && isPast(t as Target, 'locked');
  const classes = obj(ctx.plan.classes) ?? {};
  list(obj(ctx.plan.lock)?.exceptions).forEach((raw, i) => {
    const ex = obj(raw);
    if (!ex) return;
    const id = str(ex.id) ?? `#${i + 1}`;
    if (ex.decision === 'pending' && pastLocked) ctx.report({
      code: 'plan.pending-exception',
      message: `exception ${id} is pending, so target ${t} cannot be reached`,
      path: ['lock', 'exceptions', i, 'decision'],
      hint: 'decide it (accommodated or postponed) in review, or keep target at locked',
    });
    if (ex.decision === 'accommodated') {
      const mapsTo = str(ex.maps_to);
      if (!mapsTo) {
        ctx.report({
          code: 'plan.exception-unmapped',
          message: `accommodated exception ${id} must say where the plan maps what it adds (\`maps_to\`)`,
          path: ['lock', 'exceptions', i, 'decision'],
          hint: 'write `maps_to: class.column`, naming the destination column (or the dropped column) that carries it',
        });
        return;
      }
      // a malformed maps_to is the schema's finding (its pattern); only a well-formed one is looked up
      if (!MAPS_TO.test(mapsTo)) return;
      const dot = mapsTo.indexOf('.');
      const cls = dot < 0 ? mapsTo : mapsTo.slice(0, dot);
      const column = dot < 0 ? undefined : readName(mapsTo.slice(dot + 1));
      if (dot >= 0 && column === undefined) return; // names.ts reports a malformed column name
      const klass = obj(classes[cls]);
      const path = ['lock', 'exceptions', i, 'maps_to'];
      const known = classNames(ctx);
      if (column === undefined) {
        // a class alone: the change adds a table, which that class reads
        if (!klass) ctx.report({
          code: 'plan.exception-unmapped',
          message: `\`maps_to: ${mapsTo}\` names no class the plan defines`,
          path,
          hint: didYouMean(cls, known) ?? `write class.column, or a class name alone for a new table; classes: ${known.join(', ')}`,
        });
        return;
      }
      const mapped = klass && (nameKeys(klass.columns).has(column) || nameKeys(klass.dropped).has(column));
      if (!mapped) ctx.report({
        code: 'plan.exception-unmapped',
        message: `\`maps_to: ${mapsTo}\` names no column the plan maps or drops`,
        path,
        hint: klass ? `map \`${column}\` in classes.${cls}.columns, or list it in classes.${cls}.dropped` :
          closest(cls, known) !== undefined ? `did you mean \`${closest(cls, known)}.${column}\`?` : `write class.column; classes: ${known.join(', ')}`,
      });
    }
  });
  const ids = new Map<string, number>();
  list(obj(ctx.plan.lock)?.exceptions).forEach((raw, i) => {
    const id = str(obj(raw)?.id);
    if (!id) return;
    if (ids.has(id)) ctx.report({ code: 'plan.duplicate-exception', message: `exception id ${id} is used twice`, path: ['lock', 'exceptions', i, 'id'] });
    ids.set(id, i);
  });
}

export const lockRules: Rule = (ctx) => {
  dataLock(ctx);
  exceptions(ctx);
};
