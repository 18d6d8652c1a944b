// load: plan text → YAML document with positions → interpolated value. No file system here: the
// caller reads the file, so tests and saved plans can feed text directly.
import path from 'node:path';
import { diagnostic, type Diagnostic } from '../diagnostics.js';
import { interpolate, type Environment } from './interpolate.js';
import { parseYaml, type SourceDocument } from './yaml-document.js';
import { isStackOverflow, tooDeep } from './yaml-errors.js';

export interface LoadedPlan {
  source: SourceDocument;
  /** The plan as plain data after interpolation; undefined when YAML could not be read. */
  value: unknown;
  /** Folder that relative paths in the plan resolve against. */
  dir: string;
  diagnostics: Diagnostic[];
}

export function loadPlanText(file: string, text: string, env: Environment): LoadedPlan {
  const { source, diagnostics } = parseYaml(file, text);
  const dir = path.dirname(path.resolve(file));
  if (diagnostics.some((d) => d.severity === 'error')) return { source, value: undefined, dir, diagnostics };
  if (source.doc.contents === null) {
    return {
      source, value: undefined, dir,
      diagnostics: [diagnostic('plan.empty', 'the plan is empty', file, { line: 1, col: 1 },
        'start from plans/examples/shop.yaml or plans/examples/crm.yaml')],
    };
  }
  for (const d of interpolate(source, env)) diagnostics.push(d);
  let value: unknown;
  try {
    value = source.doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // alias bombs and similar: the document is well-formed but cannot be expanded safely
    diagnostics.push(isStackOverflow(e) ? tooDeep(source, 0)
      : diagnostic('yaml.unreadable', `YAML: ${firstLower((e as Error).message)}`, file, { line: 1, col: 1 }));
  }
  return { source, value, dir, diagnostics };
}

function firstLower(s: string): string {
  const line = s.split('\n', 1)[0] ?? s;
  return line.charAt(0).toLowerCase() + line.slice(1).replace(/\.$/, '');
}
