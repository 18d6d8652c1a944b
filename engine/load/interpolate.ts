// `${NAME}` and `${NAME:-default}` in any string value are replaced by the environment variable
// NAME, so that secrets stay out of the reviewed file. `$${` writes a literal `${`.
//
// A value whose interpolation fails (unset variable, malformed or unterminated reference) keeps
// its text and is recorded in `source.unresolved`: validation then reports the variable and
// nothing else about that value (its pattern would fail too, but that is an echo).
import { isMap, isScalar, isSeq, type Scalar } from 'yaml';
import { diagnostic, type Diagnostic } from '../diagnostics.js';
import { rememberVariable } from '../secrets.js';
import { snippet } from './yaml-errors.js';
import { positionAt, type SourceDocument } from './yaml-document.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HOW = 'write ${NAME} or ${NAME:-default}, NAME being letters, digits and underscores; $${ writes a literal ${';

export type Environment = Readonly<Record<string, string | undefined>>;

export function interpolate(source: SourceDocument, env: Environment): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  // every value (never a key: keys are names, not values from the environment), without recursion
  const stack: unknown[] = [source.doc.contents];
  while (stack.length) {
    const node = stack.pop();
    if (isMap(node)) for (const pair of node.items) stack.push(pair.value);
    else if (isSeq(node)) for (const item of node.items) stack.push(item); // a spread of a long list overflows
    else if (isScalar(node)) substituteScalar(source, node, env, diagnostics);
  }
  return diagnostics;
}

function substituteScalar(source: SourceDocument, node: Scalar, env: Environment, out: Diagnostic[]): void {
  if (typeof node.value !== 'string' || !node.value.includes('${')) return;
  const value = node.value;
  const raw = node.range ? source.text.slice(node.range[0], node.range[1]) : '';
  let rawCursor = 0;
  /** Where `token` (the k-th reference in the value) was written, found in the node's source text. */
  const where = (token: string) => {
    const i = raw.indexOf(token, rawCursor);
    if (i >= 0) rawCursor = i + token.length;
    return positionAt(source.lines, (node.range?.[0] ?? 0) + Math.max(0, i));
  };
  const fail = (code: string, message: string, token: string, hint: string) => {
    out.push(diagnostic(code, message, source.file, where(token), hint));
    source.unresolved.add(node);
  };

  let result = '';
  let i = 0;
  while (i < value.length) {
    const at = value.indexOf('${', i);
    if (at === -1) {
      result += value.slice(i);
      break;
    }
    if (at > 0 && value[at - 1] === '$') {
      // `$${` is a literal `${`
      result += value.slice(i, at - 1) + '${';
      rawCursor = Math.max(rawCursor, raw.indexOf('$${', rawCursor) + 3);
      i = at + 2;
      continue;
    }
    result += value.slice(i, at);
    // a reference ends at the first `}` on its line
    const close = value.indexOf('}', at + 2);
    const newline = value.indexOf('\n', at + 2);
    if (close === -1 || (newline !== -1 && newline < close)) {
      const token = value.slice(at, newline === -1 ? value.length : newline);
      fail('plan.bad-variable', `\`${snippet(token)}\` is not closed: a \`}\` is missing`, '${', HOW);
      result += value.slice(at);
      break;
    }
    const whole = value.slice(at, close + 1);
    const body = value.slice(at + 2, close);
    i = close + 1;
    const sep = body.indexOf(':-');
    const name = sep >= 0 ? body.slice(0, sep) : body;
    if (!NAME.test(name)) {
      fail('plan.bad-variable', `\`${snippet(whole)}\` is not a variable reference`, whole, HOW);
      result += whole;
      continue;
    }
    const set = env[name];
    if (set !== undefined && set !== '') {
      where(whole);
      rememberVariable(name, set);
      result += set;
    } else if (sep >= 0) {
      where(whole);
      result += body.slice(sep + 2);
    } else {
      fail('plan.unset-variable', `environment variable ${name} is not set`, whole,
        `export ${name} before running cutover, or give a default: \${${name}:-value}`);
      result += whole;
    }
  }
  node.value = result;
}
