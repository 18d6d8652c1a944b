// `${NAME}` and `${NAME:-default}` in any string value are replaced by the environment variable
// NAME, so that secrets stay out of the reviewed file. `$${` writes a literal `${`.
import { isScalar, visit, type Scalar } from 'yaml';
import { diagnostic, type Diagnostic } from '../diagnostics.js';
import { positionAt, type SourceDocument } from './yaml-document.js';

const REFERENCE = /\$\$\{|\$\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export type Environment = Readonly<Record<string, string | undefined>>;

export function interpolate(source: SourceDocument, env: Environment): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  visit(source.doc, {
    Pair(_, pair) {
      // keys are names, never values from the environment; only visit the value
      if (isScalar(pair.value)) substituteScalar(source, pair.value, env, diagnostics);
      return undefined;
    },
    Seq(_, seq) {
      for (const item of seq.items) if (isScalar(item)) substituteScalar(source, item, env, diagnostics);
      return undefined;
    },
  });
  const root = source.doc.contents;
  if (isScalar(root)) substituteScalar(source, root, env, diagnostics);
  return diagnostics;
}

function substituteScalar(source: SourceDocument, node: Scalar, env: Environment, out: Diagnostic[]): void {
  if (typeof node.value !== 'string' || !node.value.includes('${')) return;
  const raw = node.range ? source.text.slice(node.range[0], node.range[1]) : '';
  node.value = node.value.replace(REFERENCE, (whole, body: string | undefined) => {
    if (body === undefined) return '${';
    const at = node.range ? node.range[0] + Math.max(0, raw.indexOf(whole)) : 0;
    const pos = positionAt(source.lines, at);
    const sep = body.indexOf(':-');
    const name = sep >= 0 ? body.slice(0, sep) : body;
    if (!NAME.test(name)) {
      out.push(diagnostic('plan.bad-variable', `\`\${${body}}\` is not a variable reference`, source.file, pos,
        'write ${NAME} or ${NAME:-default}, NAME being letters, digits and underscores; $${ writes a literal ${'));
      return whole;
    }
    const value = env[name];
    if (value !== undefined && value !== '') return value;
    if (sep >= 0) return body.slice(sep + 2);
    out.push(diagnostic('plan.unset-variable', `environment variable ${name} is not set`, source.file, pos,
      `export ${name} before running cutover, or give a default: \${${name}:-value}`));
    return whole;
  });
}
