// One change as terraform prints a resource: the `# address will be …` line, the reason, and the
// resource block with its attribute diff.
import type { ChalkInstance } from 'chalk';
import type { Change } from '../../engine/diff/plan-result.js';
import { attributeLines, marker } from './plan-attributes.js';
import { changeKind, symbolOf, verbOf } from './plan-changes.js';

const STEP = '    ';

export function renderChangeBlock(change: Change, c: ChalkInstance): string[] {
  const kind = changeKind(change.actions);
  const header = `  ${c.bold(`# ${change.address} ${verbOf(kind)}`)}`;
  const reason = change.reason ? [`    (${change.reason})`] : [];
  const body = attributeLines(change.before ?? {}, change.after ?? {}, STEP, c);
  const opening = `${marker(symbolOf(kind), c)} resource ${JSON.stringify(change.address)} {`;
  const resource = body.length ? [opening, ...body, `${STEP}}`] : [`${opening}}`];
  return [header, ...reason, ...resource];
}
