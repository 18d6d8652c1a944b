// A terraform-style diff of two attribute values: records as `{ … }` blocks, lists as `[ … ]`,
// long text (SQL mappings and checks) line by line, everything else as `old -> new`. The layout
// copies terraform's so its users' eyes land where they expect: symbols right-aligned in three
// columns, `=` aligned within a block, unchanged entries counted rather than shown.
import type { ChalkInstance } from 'chalk';
import { diffLines } from 'diff';
import type { ChangeSymbol } from './plan-changes.js';
import { plural } from './words.js';

type Attributes = Record<string, unknown>;
/** `removed`: inside a value removed whole, where terraform marks only the outermost `-> null` */
interface Ctx {
  c: ChalkInstance;
  removed: boolean;
}
/** A change's symbol, or blank for an unchanged line of a diffed text. */
export type Marker = ChangeSymbol | ' ';

/**
 * A value shown as a pointer to where it is printed in full (`(class.invoices.copy)`): printed
 * bare, and equal to another reference with the same text.
 */
export class Reference {
  constructor(readonly text: string) {}
}

/** Longer strings are diffed line by line; on one line `old -> new` would be unreadable. */
const LONG = 60;
const STEP = '    ';

/** The lines of one block's attributes, `undefined` meaning absent on that side. */
export function attributeLines(before: Attributes, after: Attributes, indent: string, c: ChalkInstance): string[] {
  return recordLines(before, after, indent, { c, removed: false });
}

function recordLines(before: Attributes, after: Attributes, indent: string, ctx: Ctx): string[] {
  const keys = [...new Set([...Object.keys(after), ...Object.keys(before)])];
  const changed = keys.filter((k) => !sameValue(before[k], after[k]));
  const width = changed.reduce((w, k) => Math.max(w, keyText(k).length), 0);
  const lines = changed.flatMap((k) => entryLines(keyText(k).padEnd(width), before[k], after[k], indent, ctx));
  return [...lines, ...hiddenNote(keys.length - changed.length, 'unchanged attribute', indent, ctx.c)];
}

function listLines(before: readonly unknown[], after: readonly unknown[], indent: string, ctx: Ctx): string[] {
  const length = Math.max(before.length, after.length);
  const lines: string[] = [];
  let hidden = 0;
  for (let i = 0; i < length; i++) {
    if (sameValue(before[i], after[i])) hidden++;
    else lines.push(...entryLines('', before[i], after[i], indent, ctx));
  }
  return [...lines, ...hiddenNote(hidden, 'unchanged element', indent, ctx.c)];
}

function hiddenNote(hidden: number, what: string, indent: string, c: ChalkInstance): string[] {
  return hidden > 0 ? [`${indent}  ${c.dim(`# (${plural(hidden, what)} hidden)`)}`] : [];
}

/** One attribute (or list element, with an empty label) that differs. */
function entryLines(label: string, b: unknown, a: unknown, indent: string, ctx: Ctx): string[] {
  const { c } = ctx;
  if (a instanceof Reference && b instanceof Reference) return [`${indent}${marker('~', c)} ${prefix(label)}${a.text}`];
  if (b === undefined || (b === null && isStructured(a))) return wholeValue('+', label, a, indent, ctx);
  if (a === undefined || (a === null && isStructured(b))) return wholeValue('-', label, b, indent, ctx);
  if (isRecord(a) && isRecord(b)) return container('~', label, '{}', recordLines(b, a, indent + STEP, ctx), indent, c, '');
  if (Array.isArray(a) && Array.isArray(b) && (isBlockList(a) || isBlockList(b))) {
    return container('~', label, '[]', listLines(b, a, indent + STEP, ctx), indent, c, '');
  }
  if (typeof b === 'string' && typeof a === 'string' && (isLong(b) || isLong(a))) return textDiff(label, b, a, indent, c);
  return [`${indent}${marker('~', c)} ${prefix(label)}${inline(b)} -> ${inline(a)}`];
}

/** A value added or removed whole: every entry inside carries the same symbol. */
function wholeValue(m: '+' | '-', label: string, v: unknown, indent: string, ctx: Ctx): string[] {
  const { c } = ctx;
  const suffix = m === '-' && !ctx.removed ? ' -> null' : '';
  const inner = indent + STEP;
  const innerCtx = { c, removed: m === '-' };
  if (isRecord(v)) {
    const lines = m === '+' ? recordLines({}, v, inner, innerCtx) : recordLines(v, {}, inner, innerCtx);
    return container(m, label, '{}', lines, indent, c, suffix);
  }
  if (isBlockList(v)) {
    const lines = m === '+' ? listLines([], v, inner, innerCtx) : listLines(v, [], inner, innerCtx);
    return container(m, label, '[]', lines, indent, c, suffix);
  }
  if (typeof v === 'string' && v.includes('\n')) {
    const body = splitLines(v).map((line) => heredocLine(' ', line, indent, c));
    return [`${indent}${marker(m, c)} ${prefix(label)}<<-EOT`, ...body, `${indent}${STEP}EOT${suffix}`];
  }
  return [`${indent}${marker(m, c)} ${prefix(label)}${inline(v)}${suffix}`];
}

function container(m: Marker, label: string, brackets: '{}' | '[]', inner: string[], indent: string, c: ChalkInstance, suffix: string): string[] {
  const [open, close] = brackets;
  if (!inner.length) return [`${indent}${marker(m, c)} ${prefix(label)}${brackets}${suffix}`];
  return [`${indent}${marker(m, c)} ${prefix(label)}${open}`, ...inner, `${indent}${STEP}${close}${suffix}`];
}

/** A changed SQL expression or other long text, diffed line by line so the edit stands out. */
function textDiff(label: string, before: string, after: string, indent: string, c: ChalkInstance): string[] {
  // a missing final newline would make the last line differ on both sides of an append
  const parts = diffLines(withFinalNewline(before), withFinalNewline(after));
  const body = parts.flatMap((part) => {
    const m: Marker = part.added ? '+' : part.removed ? '-' : ' ';
    return splitLines(part.value).map((line) => heredocLine(m, line, indent, c));
  });
  return [`${indent}${marker('~', c)} ${prefix(label)}<<-EOT`, ...body, `${indent}${STEP}EOT`];
}

function heredocLine(m: Marker, line: string, indent: string, c: ChalkInstance): string {
  return `${indent}${STEP}${marker(m, c)} ${line}`.trimEnd();
}

/** A symbol right-aligned in terraform's three columns, in its colour. */
export function marker(m: Marker, c: ChalkInstance): string {
  const pad = ' '.repeat(3 - m.length);
  switch (m) {
    case '+': return pad + c.green(m);
    case '-': return pad + c.red(m);
    case '~': return pad + c.yellow(m);
    case '-/+': return c.red('-') + '/' + c.green('+');
    case '+/-': return c.green('+') + '/' + c.red('-');
    default: return pad + m;
  }
}

/** A scalar or short list on one line; anything else as compact JSON. */
export function inline(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Reference) return value.text;
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value) && value.every(isScalar)) return `[${value.map(inline).join(', ')}]`;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function prefix(label: string): string {
  return label ? `${label} = ` : '';
}

function keyText(k: string): string {
  return /^[A-Za-z_][\w.-]*$/.test(k) ? k : JSON.stringify(k);
}

function isScalar(v: unknown): boolean {
  return v === null || typeof v !== 'object';
}

/** A list worth a block of its own: it holds records or lists, or would not fit on one line. */
function isBlockList(v: unknown): v is unknown[] {
  return Array.isArray(v) && (!v.every(isScalar) || inline(v).length > LONG);
}

function isStructured(v: unknown): boolean {
  return isRecord(v) || isBlockList(v);
}

function isLong(text: string): boolean {
  return text.includes('\n') || text.length > LONG;
}

function withFinalNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

function splitLines(text: string): string[] {
  return text.replace(/\n$/, '').split('\n');
}

function isRecord(value: unknown): value is Attributes {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Reference);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Reference || b instanceof Reference) return a instanceof Reference && b instanceof Reference && a.text === b.text;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && sameValue(a[k], b[k]));
  }
  return false;
}
