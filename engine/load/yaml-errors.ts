// YAML's own syntax errors → diagnostics a plan author can act on.
//
// Three things happen here:
// - Each error is pointed at its cause where yaml reports it elsewhere: an unclosed quote at the
//   opening quote (yaml: the end of the file), an unclosed `{`/`[` at the bracket (yaml: the next
//   line), a mis-indented key at the key (yaml: the start of its line, or the line above), `${VAR}`
//   unquoted inside `{ … }` at the value (yaml: a dozen errors, one per token after it).
// - Cascades are cut: after a structural error (one that leaves yaml unsure where nodes start and
//   end) every later error is usually an echo of it, at a meaningless place. So the policy is:
//   errors are sorted by position; those before the first structural error are kept (at most one
//   per line), then the first structural error, and nothing after it. Fixing it and validating
//   again shows whatever was hidden behind it. Non-structural errors (a duplicate key, a bad
//   escape, a bad tag…) do not stop the list.
// - Messages are yaml's, cleaned: no raw (multi-line) token text, no advice meant for programmers.
import { isMap, isScalar, isSeq, Scalar, type Document, type Node, type YAMLError } from 'yaml';
import { diagnostic, type Diagnostic, type Severity } from '../diagnostics.js';
import type { LineIndex } from './line-index.js';

type Code = YAMLError['code'];

const HINTS: Partial<Record<Code, string>> = {
  TAB_AS_INDENT: 'YAML indents with spaces only; replace the tab with spaces',
  BAD_INDENT: 'keys of one mapping must line up in the same column',
  DUPLICATE_KEY: 'each key may appear once in a mapping; merge the two entries',
  MISSING_CHAR: 'a quote, bracket or brace was opened and not closed',
  MULTIPLE_DOCS: 'a plan file holds one migration; remove the extra `---` document',
  BLOCK_AS_IMPLICIT_KEY: 'a key must be followed by `:` and a space',
  MULTILINE_IMPLICIT_KEY: 'a key must be followed by `:` and a space on the same line',
  BAD_DQ_ESCAPE: 'inside double quotes a backslash starts an escape; use single quotes for SQL',
  UNEXPECTED_TOKEN: 'check the line for a stray character or a missing `:`',
};

/** Errors after which yaml still knows where every node starts and ends: they do not cut the list. */
const NOT_STRUCTURAL = new Set<Code>([
  'DUPLICATE_KEY', 'BAD_DQ_ESCAPE', 'TAG_RESOLVE_FAILED', 'BAD_ALIAS', 'ALIAS_PROPS', 'MULTIPLE_ANCHORS',
  'MULTIPLE_TAGS', 'BAD_PROP_ORDER', 'KEY_OVER_1024_CHARS', 'MULTIPLE_DOCS', 'NON_STRING_KEY',
]);

interface Found {
  code: string;
  message: string;
  offset: number;
  hint?: string;
  severity: Severity;
  structural: boolean;
}

interface Context {
  file: string;
  text: string;
  lines: LineIndex;
  doc: Document.Parsed;
}

export function yamlDiagnostics(ctx: Context): Diagnostic[] {
  const raw: [YAMLError, Severity][] = [
    ...ctx.doc.errors.map((e): [YAMLError, Severity] => [e, 'error']),
    ...ctx.doc.warnings.map((e): [YAMLError, Severity] => [e, 'warning']),
  ];
  const exhausted = raw.filter(([e]) => e.code === 'RESOURCE_EXHAUSTION');
  if (exhausted.length) return [tooDeep(ctx, Math.min(...exhausted.map(([e]) => e.pos[0])))];
  // an over-indented key gives both of these at the value above it: one mistake, one message
  const multiline = new Set(raw.filter(([e]) => e.code === 'MULTILINE_IMPLICIT_KEY').map(([e]) => e.pos[0]));
  const found = raw
    .filter(([e]) => !(e.code === 'BLOCK_AS_IMPLICIT_KEY' && multiline.has(e.pos[0])))
    .map(([e, severity]) => explain(ctx, e, severity))
    .sort((a, b) => a.offset - b.offset || (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
  const out: Diagnostic[] = [];
  const lines = new Set<number>();
  for (const f of found) {
    const pos = ctx.lines.position(f.offset);
    if (!lines.has(pos.line)) {
      lines.add(pos.line);
      out.push(diagnostic(f.code, f.message, ctx.file, pos, f.hint, f.severity));
    }
    if (f.structural && f.severity === 'error') break;
  }
  return out;
}

/** The diagnostic for a plan nested deeper than the parser's stack: one, whatever yaml reported. */
export function tooDeep(ctx: Pick<Context, 'file' | 'lines'>, offset: number): Diagnostic {
  const line = ctx.lines.lineAt(offset);
  const start = ctx.lines.lineStart(offset);
  const bracket = line.search(/[[{]/);
  return diagnostic('yaml.too-deep', 'YAML: the plan is nested too deeply to read', ctx.file,
    ctx.lines.position(bracket >= 0 ? start + bracket : offset),
    'a plan nests a few levels deep; look for a long run of `[` or `{`');
}

export function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && /call stack/i.test(e.message);
}

function yamlCode(code: Code): string {
  return `yaml.${code.toLowerCase().replace(/_/g, '-')}`;
}

function explain(ctx: Context, e: YAMLError, severity: Severity): Found {
  const base: Found = {
    code: yamlCode(e.code),
    message: `YAML: ${cleanMessage(ctx, e)}`,
    offset: e.pos[0],
    hint: HINTS[e.code],
    severity,
    structural: !NOT_STRUCTURAL.has(e.code),
  };
  const better =
    unclosedQuote(ctx, e) ?? unclosedFlow(ctx, e) ?? variableInFlow(ctx, e) ?? overIndentedKey(ctx, e) ?? misalignedItem(ctx, e);
  return better ? { ...base, ...better } : base;
}

// ---- messages ---------------------------------------------------------------------------------

/** Text the user wrote, safe to show inside a one-line message: first line, short, printable. */
export function snippet(text: string, max = 40): string {
  const first = (text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '').trim();
  const short = first.length > max ? `${first.slice(0, max - 1)}…` : first;
  return printable(short);
}

/** Control characters (and lone surrogates) shown as escapes, so a message cannot drive the terminal. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function cleanMessage(ctx: Context, e: YAMLError): string {
  if (e.code === 'MULTIPLE_DOCS') return 'the file holds more than one YAML document';
  let m = (e.message.split('\n', 1)[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '');
  if (e.code === 'UNEXPECTED_TOKEN' && /^Unexpected [\w-]+ (token in YAML stream|at node end)/.test(m)) {
    const token = snippet(ctx.text.slice(e.pos[0], Math.max(e.pos[1], e.pos[0] + 1)));
    m = token ? `unexpected \`${token}\`${/at node end/.test(m) ? ' after the value' : ''}` : m.replace(/: ".*"$/, '');
  }
  m = m.replace(/"(?:[^"\\]|\\.)*"/g, (quoted) => {
    try {
      return `"${snippet(JSON.parse(quoted) as string)}"`;
    } catch {
      return quoted;
    }
  });
  m = printable(m).replace(/\.$/, '');
  return m.charAt(0).toLowerCase() + m.slice(1);
}

// ---- pointing at the cause ----------------------------------------------------------------------

/** Every node of the document, keys included, without recursion (documents may be deep). */
function* nodes(doc: Document.Parsed): Generator<Node> {
  const stack: unknown[] = [doc.contents];
  while (stack.length) {
    const n = stack.pop();
    if (isMap(n)) {
      for (const pair of n.items) stack.push(pair.key, pair.value);
      yield n;
    } else if (isSeq(n)) {
      for (const item of n.items) stack.push(item); // not push(...items): a long list overflows the stack
      yield n;
    } else if (isScalar(n)) yield n;
  }
}

type Better = Partial<Found>;

function unclosedQuote(ctx: Context, e: YAMLError): Better | undefined {
  const m = /^Missing closing (["'])quote/.exec(e.message);
  if (!m) return undefined;
  const quote = m[1]!;
  const type = quote === '"' ? Scalar.QUOTE_DOUBLE : Scalar.QUOTE_SINGLE;
  let opening: number | undefined;
  for (const n of nodes(ctx.doc)) {
    if (isScalar(n) && n.type === type && n.range && n.range[1] === e.pos[0]) opening = n.range[0];
  }
  if (opening === undefined) return undefined;
  return {
    offset: opening,
    message: `YAML: the ${quote === '"' ? 'double' : 'single'} quote opened here is not closed`,
    hint: `add the closing ${quote} where the value ends; yaml read everything after it${
      e.pos[0] >= ctx.text.trimEnd().length ? ', to the end of the file,' : ''} as one text`,
  };
}

function unclosedFlow(ctx: Context, e: YAMLError): Better | undefined {
  const m = /^Flow (map|sequence)\b.*end with an? ([}\]])/.exec(e.message);
  if (!m) return undefined;
  const close = m[2]!;
  const open = close === '}' ? '{' : '[';
  let opening: number | undefined;
  for (const n of nodes(ctx.doc)) {
    const kind = close === '}' ? isMap(n) : isSeq(n);
    if (kind && (n as { flow?: boolean }).flow && n.range && n.range[1] === e.pos[0] && ctx.text[n.range[0]] === open) {
      opening = Math.max(opening ?? -1, n.range[0]);
    }
  }
  opening ??= lastUnbalanced(ctx, e.pos[0], open, close);
  if (opening === undefined) return undefined;
  // `{ table: customer, key: [id }`: the `}` is there, the `[` inside is what was left open
  const culprit = unclosedWithin(ctx.text, opening, e.pos[0]) ?? opening;
  const o = ctx.text[culprit] === '[' ? '[' : '{';
  const c = o === '[' ? ']' : '}';
  return {
    offset: culprit,
    message: `YAML: this \`${o}\` is not closed: a \`${c}\` is missing`,
    hint: `end the ${o === '{' ? 'mapping' : 'list'} with \`${c}\` on the same line, e.g. \`${o === '{' ? '{ table: customer, key: [id] }' : '[id, name]'}\``,
  };
}

/** Matches brackets from `from` (an opener) to `to`: the opener a wrong closer meets, or the
 * innermost one still open at the end of the opener's line. */
function unclosedWithin(text: string, from: number, to: number): number | undefined {
  const nl = text.indexOf('\n', from);
  const end = Math.min(to, nl === -1 ? text.length : nl);
  const stack: number[] = [];
  let quote: string | undefined;
  for (let i = from; i < end; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '{' || ch === '[') stack.push(i);
    else if (ch === '}' || ch === ']') {
      const top = stack[stack.length - 1];
      if (top === undefined) return undefined;
      if (text[top] !== (ch === '}' ? '{' : '[')) return top;
      stack.pop();
      if (stack.length === 0) return undefined; // the opener closed on its line: not this
    }
  }
  return stack.length ? stack[stack.length - 1] : undefined;
}

/** Best effort: the last `open` before `offset` (on its line or the lines above) left unbalanced. */
function lastUnbalanced(ctx: Context, offset: number, open: string, close: string): number | undefined {
  const from = ctx.lines.lineStart(Math.max(0, offset - 1));
  const startLine = ctx.lines.position(from).line;
  for (let line = startLine; line >= Math.max(1, startLine - 5); line--) {
    const start = ctx.lines.offsetOfLine(line);
    const text = ctx.lines.lineAt(start);
    const stack: number[] = [];
    let quote: string | undefined;
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (quote) {
        if (c === quote) quote = undefined;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) break;
      else if (c === open) stack.push(start + i);
      else if (c === close) stack.pop();
    }
    if (stack.length) return stack[stack.length - 1];
  }
  return undefined;
}

/** `{ table: ${SCHEMA}.customers }`: inside flow collections `{` is syntax, so `${` breaks the line. */
function variableInFlow(ctx: Context, e: YAMLError): Better | undefined {
  const { text } = ctx;
  const at = e.pos[0];
  if (e.code !== 'UNEXPECTED_TOKEN' || text[at] !== '{' || text[at - 1] !== '$') return undefined;
  let start = at - 1;
  while (start > 0) {
    const c = text[start - 1]!;
    if (',[{\n'.includes(c) || (c === ':' && /\s/.test(text[start] ?? ''))) break;
    start--;
  }
  let end = at - 1;
  while (end < text.length) {
    if (text.startsWith('${', end)) {
      const closing = text.indexOf('}', end + 2);
      const nl = text.indexOf('\n', end);
      if (closing === -1 || (nl !== -1 && nl < closing)) {
        end = nl === -1 ? text.length : nl;
        break;
      }
      end = closing + 1;
      continue;
    }
    if (',}]\r\n'.includes(text[end]!)) break;
    end++;
  }
  while (/\s/.test(text[start] ?? '') && start < at - 1) start++;
  const value = text.slice(start, end).trim();
  const flow = text.lastIndexOf('[', start) > text.lastIndexOf('{', start) ? '[ … ]' : '{ … }';
  const quoted = value.includes('"') ? `'${value.replace(/'/g, "''")}'` : `"${value}"`;
  return {
    code: 'yaml.unquoted-variable',
    offset: start,
    message: `YAML: \`${snippet(value, 60)}\` must be in quotes inside \`${flow}\`, where \`{\` starts a mapping`,
    hint: `put the value in quotes: ${snippet(quoted, 70)}`,
    structural: true,
  };
}

// a plain key may hold any letters and single spaces (`Order Id:`, `Größe:`): column names are keys
const KEY = /^( *)(?:- +)?([\p{L}_][\p{L}\p{N}_.$-]*(?: [\p{L}\p{N}_.$-]+)*|"[^"]*"|'[^']*') *:(?:\s|$)/u;

/** `   schemas:` one space deeper than `  url:` above it: yaml reads it as part of url's value. */
function overIndentedKey(ctx: Context, e: YAMLError): Better | undefined {
  if (e.code !== 'MULTILINE_IMPLICIT_KEY' && e.code !== 'BLOCK_AS_IMPLICIT_KEY') return undefined;
  const first = ctx.lines.position(e.pos[0]).line;
  const last = ctx.lines.position(e.pos[1]).line;
  const above = KEY.exec(ctx.lines.lineAt(e.pos[0]));
  if (!above) return undefined;
  for (let line = first + 1; line <= last; line++) {
    const start = ctx.lines.offsetOfLine(line);
    const key = KEY.exec(ctx.lines.lineAt(start));
    if (!key || key[1]!.length <= above[1]!.length) continue;
    const name = key[2]!;
    return {
      code: 'yaml.bad-indent',
      offset: start + key[0].indexOf(name),
      message: `YAML: \`${snippet(name)}\` is indented more than \`${snippet(above[2]!)}\` above it, so it reads as part of that value`,
      hint: `keys of one mapping must line up in the same column: start \`${snippet(name)}\` in column ${above[0].indexOf(above[2]!) + 1}, like \`${snippet(above[2]!)}\``,
    };
  }
  return undefined;
}

/** "All mapping items must start at the same column": yaml points at the line start, not the item. */
function misalignedItem(ctx: Context, e: YAMLError): Better | undefined {
  if (e.code !== 'BAD_INDENT' || !/must start at the same column/.test(e.message)) return undefined;
  const line = ctx.lines.lineAt(e.pos[0]);
  const start = ctx.lines.lineStart(e.pos[0]);
  const indent = /^ */.exec(line)![0].length;
  const offset = Math.max(e.pos[0], start + indent);
  const key = KEY.exec(line);
  // the nearest item above, deeper than this one: the mapping it should line up with
  // (the least indented of the lines above, up to one indented no deeper than this one)
  let sibling: RegExpExecArray | null = null;
  for (let l = ctx.lines.position(start).line - 1; l >= 1; l--) {
    const text = ctx.lines.lineAt(ctx.lines.offsetOfLine(l));
    if (text.trim() === '' || text.trim().startsWith('#')) continue;
    const depth = /^ */.exec(text)![0].length;
    if (depth <= indent) break;
    const m = KEY.exec(text);
    if (m && (!sibling || m[1]!.length <= sibling[1]!.length)) sibling = m;
  }
  if (key && !sibling) {
    // nothing deeper above: then it is deeper than the key above it (after a `{ … }` value, say)
    for (let l = ctx.lines.position(start).line - 1; l >= 1; l--) {
      const text = ctx.lines.lineAt(ctx.lines.offsetOfLine(l));
      if (text.trim() === '' || text.trim().startsWith('#')) continue;
      const above = KEY.exec(text);
      if (!above || above[1]!.length >= indent) break;
      return {
        offset,
        message: `YAML: \`${snippet(key[2]!)}\` is indented more than \`${snippet(above[2]!)}\` above it`,
        hint: `keys of one mapping must line up in the same column: start \`${snippet(key[2]!)}\` in column ${above[0].indexOf(above[2]!) + 1}, like \`${snippet(above[2]!)}\``,
      };
    }
  }
  if (!key || !sibling) return { offset };
  return {
    offset,
    message: `YAML: \`${snippet(key[2]!)}\` does not line up with \`${snippet(sibling[2]!)}\` above it`,
    hint: `keys of one mapping must line up in the same column: start \`${snippet(key[2]!)}\` in column ${sibling[0].indexOf(sibling[2]!) + 1}, like \`${snippet(sibling[2]!)}\``,
  };
}

/** `? [a, b]\n: c` parses, but a plan's keys are names: point at each such key. */
export function complexKeys(ctx: Context): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const n of nodes(ctx.doc)) {
    if (!isMap(n)) continue;
    for (const pair of n.items) {
      const key = pair.key as Node | null;
      if (!isMap(key) && !isSeq(key)) continue;
      out.push(diagnostic('yaml.complex-key', `YAML: a key must be a name, not ${isSeq(key) ? 'a list' : 'a mapping'}`, ctx.file,
        ctx.lines.position(key.range?.[0] ?? 0),
        'write the key as a plain name followed by `:`; a `? …` key holding a list or mapping has no meaning in a plan'));
    }
  }
  return out;
}
