// One change as terraform prints a resource: the `# address will be …` line, the reason, and the
// resource block with its attribute diff.
import type { ChalkInstance } from 'chalk';
import type { Change } from '../../engine/diff/plan-result.js';
import { canonicalJson } from '../../engine/hash.js';
import { attributeLines, marker, Reference } from './plan-attributes.js';
import { changeKind, symbolOf, verbOf } from './plan-changes.js';

const STEP = '    ';

type Attributes = Record<string, unknown>;

/** `others`: the plan's other changes, so a check resource can point at its class's copy. */
export function renderChangeBlock(change: Change, c: ChalkInstance, others: readonly Change[] = []): string[] {
  const kind = changeKind(change.actions);
  const header = `  ${c.bold(`# ${change.address} ${verbOf(kind)}`)}`;
  const reason = change.reason ? [`    (${change.reason})`] : [];
  const { before, after } = pointAtCopy(change, others);
  const body = attributeLines(before, after, STEP, c);
  const opening = `${marker(symbolOf(kind), c)} resource ${JSON.stringify(change.address)} {`;
  const resource = body.length ? [opening, ...body, `${STEP}}`] : [`${opening}}`];
  return [header, ...reason, ...resource];
}

/** A class's checks, which carry its copy mapping (so a re-copy is checked again). */
const CHECK = /^class\.(.+)\.(parity|money|audit|attachments)$/;

/**
 * A check resource's `copy` attribute is its class's whole copy mapping, which the
 * `class.X.copy` change of the same plan prints already: the check shows `copy = (class.X.copy)`
 * instead (≈20 lines fewer per check). Only when the mapping is exactly that change's, so the
 * pointer never hides a difference; the other attributes (what the check checks) stay in full.
 */
function pointAtCopy(change: Change, others: readonly Change[]): { before: Attributes; after: Attributes } {
  const before = change.before ?? {};
  const after = change.after ?? {};
  const cls = CHECK.exec(change.address)?.[1];
  const copy = cls === undefined ? undefined : others.find((o) => o.address === `class.${cls}.copy`);
  if (!copy) return { before, after };
  const address = copy.address;
  const same = (a: unknown, b: unknown) => a !== undefined && b !== undefined && canonicalJson(a) === canonicalJson(b);
  if (same(before.copy, after.copy)) return { before, after }; // unchanged: counted as hidden anyway
  const changed = before.copy !== undefined && after.copy !== undefined;
  return {
    before: same(before.copy, copy.before) ? { ...before, copy: new Reference(`(${address})`) } : before,
    after: same(after.copy, copy.after) ? { ...after, copy: new Reference(changed ? `(changed with ${address})` : `(${address})`) } : after,
  };
}
