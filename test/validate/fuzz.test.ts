// Random mutations of the valid example plans, fed to the loader and validator in-process: whatever
// the text, validation must not throw, and every diagnostic must be a usable one (a code, a
// position inside the file, a message a person can read). A seeded PRNG makes every case
// reproducible: a failure prints the seed and the mutated text, and
//   CUTOVER_FUZZ_REPLAY=<seed> npx vitest run test/validate/fuzz.test.ts
// replays that one case (CUTOVER_FUZZ_DUMP=FILE also writes its text to FILE, to feed the CLI).
// CUTOVER_FUZZ_SEED changes the base seed of the whole run.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../engine/diagnostics.js';
import { loadPlanText } from '../../engine/load/load-plan.js';
import { validatePlan, type ValidationResult } from '../../engine/validate/validate-plan.js';
import { assertBuilt, ROOT, runCli, STACK_TRACE } from '../support/run-cli.js';

// ---- a small, fast, seedable PRNG (mulberry32) ----------------------------------------------------
type Rng = {
  next(): number; // [0, 1)
  int(min: number, max: number): number; // inclusive
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
};

function rng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return { next, int, pick: (items) => items[int(0, items.length - 1)]!, chance: (p) => next() < p };
}

/** A per-case seed from the run's base seed and the case number, well spread. */
function caseSeed(base: number, n: number): number {
  let h = (base ^ Math.imul(n + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

const BASE_SEED = Number(process.env.CUTOVER_FUZZ_SEED ?? 0x5eed_2026) >>> 0;
const REPLAY = process.env.CUTOVER_FUZZ_REPLAY;

// ---- the inputs -------------------------------------------------------------------------------------
const EXAMPLES = ['plans/examples/crm.yaml', 'plans/examples/shop.yaml'] as const;
const SOURCES = Object.fromEntries(EXAMPLES.map((f) => [f, readFileSync(path.join(ROOT, f), 'utf8')])) as Record<string, string>;

const KEY_LINE = /^(\s*)(- )?([A-Za-z_][A-Za-z0-9_]*):(?=\s|$)/;

function lines(text: string): string[] {
  return text.split('\n');
}

function keyLines(ls: string[]): number[] {
  return ls.flatMap((l, i) => (KEY_LINE.test(l) ? [i] : []));
}

function indentOf(line: string): number {
  return /^\s*/.exec(line)![0].length;
}

/** The line range [i, end) of the key at line i with its more-indented block. */
function blockOf(ls: string[], i: number): [number, number] {
  const own = indentOf(ls[i]!) + (/^\s*- /.test(ls[i]!) ? 2 : 0);
  let end = i + 1;
  while (end < ls.length && (ls[end]!.trim() === '' || ls[end]!.trim().startsWith('#') || indentOf(ls[end]!) > own)) end++;
  return [i, end];
}

function typo(r: Rng, word: string): string {
  if (word.length < 2) return word + 'x';
  const i = r.int(0, word.length - 1);
  switch (r.int(0, 5)) {
    case 0: return word.slice(0, i) + word.slice(i + 1); // drop a letter
    case 1: return word.slice(0, i) + word[i] + word.slice(i); // double a letter
    case 2: return i < word.length - 1 ? word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2) : word + 's'; // swap
    case 3: return word.slice(0, i) + String.fromCharCode(97 + r.int(0, 25)) + word.slice(i + 1); // replace
    case 4: return word.toUpperCase();
    default: return word.replace(/_/g, '-') + (word.includes('_') ? '' : '_x');
  }
}

const WRONG_VALUES = [
  '42', '-1', '0', '3.14', '1e400', '.nan', 'true', 'false', 'null', '~', '[]', '{}', '[1, 2, 3]', '{ a: 1 }', '""', "''",
  '"text"', '|\n  block text', '>-\n  folded', '[[]]', '- a', '0x1F', '2026-12-20', '2026-12-20T00:00:00Z', '!!binary aGk=',
  '!!str 1', '!custom tag', '&anchor value', '*missing_alias', '@', '`', '%', '? complex', '{ run: 1 }', '[ , ]',
];

const FRAGMENTS = ['${', '${X', '${1}', '$${', '${A:-', '${}', '${ X }', '${X:-${Y}}', '}', '${UNSET_VAR}', '${HOME:-}', '$', '${a-b}', '${X:-}}'];

function randomAscii(r: Rng, n: number): string {
  let s = '';
  for (let k = 0; k < n; k++) s += String.fromCharCode(r.int(32, 126));
  return s;
}

const UNICODE_POOL = [
  '\u00e9', '\u00df', '\u0301', '\u200b', '\u200e', '\u202e', '\ufeff', '\u00a0', '\u2028', '\u2029', '\u3000', '\u0085',
  '\u{1F600}', '\u{1F468}\u200d\u{1F469}\u200d\u{1F467}', '\u05e9\u05dc\u05d5\u05dd', '\u4e2d\u6587', '\ud800', '\udfff',
  '\u0000', '\u0007', '\u001b[31m', '\u007f', '\ufffd', '\uffff', 'Ω', 'ﬁ', '\u{10FFFF}',
];

function randomUnicode(r: Rng, n: number): string {
  let s = '';
  for (let k = 0; k < n; k++) s += r.chance(0.5) ? r.pick(UNICODE_POOL) : String.fromCodePoint(r.int(0x80, 0x2ffff));
  return s;
}

function deepValue(r: Rng): string {
  const depth = r.pick([10, 100, 500, 1000, 3000]);
  switch (r.int(0, 2)) {
    case 0: return '['.repeat(depth) + ']'.repeat(depth);
    case 1: return '{ a: '.repeat(depth) + '1' + ' }'.repeat(depth);
    default: {
      const d = Math.min(depth, 300); // block nesting grows quadratically in size
      let s = '';
      for (let k = 0; k < d; k++) s += `\n${' '.repeat(2 * (k + 1))}k${k}:`;
      return `${s} 1`;
    }
  }
}

function replaceValue(ls: string[], i: number, value: string): void {
  const m = KEY_LINE.exec(ls[i]!)!;
  ls[i] = `${m[0]} ${value}`;
}

type Mutation = (r: Rng, text: string) => string;

const MUTATIONS: Record<string, Mutation> = {
  'remove key'(r, text) {
    const ls = lines(text);
    const keys = keyLines(ls);
    if (!keys.length) return text;
    const [from, to] = blockOf(ls, r.pick(keys));
    ls.splice(from, to - from);
    return ls.join('\n');
  },
  'rename key'(r, text) {
    const ls = lines(text);
    const keys = keyLines(ls);
    if (!keys.length) return text;
    const i = r.pick(keys);
    ls[i] = ls[i]!.replace(KEY_LINE, (_, ind: string, dash: string | undefined, key: string) => `${ind}${dash ?? ''}${typo(r, key)}:`);
    return ls.join('\n');
  },
  'duplicate key'(r, text) {
    const ls = lines(text);
    const keys = keyLines(ls);
    if (!keys.length) return text;
    const [from, to] = blockOf(ls, r.pick(keys));
    const copy = ls.slice(from, to).map((l, k) => (k === 0 ? l.replace(/^(\s*)- /, '$1  ') : l));
    ls.splice(to, 0, ...copy);
    return ls.join('\n');
  },
  'wrong type'(r, text) {
    const ls = lines(text);
    const keys = keyLines(ls);
    if (!keys.length) return text;
    replaceValue(ls, r.pick(keys), r.pick(WRONG_VALUES));
    return ls.join('\n');
  },
  'random string'(r, text) {
    const ls = lines(text);
    const keys = keyLines(ls);
    if (!keys.length) return text;
    replaceValue(ls, r.pick(keys), randomAscii(r, r.int(0, 60)));
    return ls.join('\n');
  },
  'random unicode'(r, text) {
    const ls = lines(text);
    const keys = keyLines(ls);
    if (r.chance(0.5) && keys.length) {
      replaceValue(ls, r.pick(keys), randomUnicode(r, r.int(1, 12)));
      return ls.join('\n');
    }
    const at = r.int(0, text.length);
    return text.slice(0, at) + randomUnicode(r, r.int(1, 6)) + text.slice(at);
  },
  'deep nesting'(r, text) {
    const ls = lines(text);
    const keys = keyLines(ls);
    if (!keys.length) return text;
    replaceValue(ls, r.pick(keys), deepValue(r));
    return ls.join('\n');
  },
  'delete lines'(r, text) {
    const ls = lines(text);
    const n = r.int(1, 5);
    for (let k = 0; k < n && ls.length > 1; k++) ls.splice(r.int(0, ls.length - 1), r.chance(0.2) ? r.int(2, 6) : 1);
    return ls.join('\n');
  },
  'indent wrongly'(r, text) {
    const ls = lines(text);
    const n = r.int(1, 3);
    for (let k = 0; k < n; k++) {
      const i = r.int(0, ls.length - 1);
      ls[i] = r.chance(0.5) ? ' '.repeat(r.int(1, 3)) + ls[i] : ls[i]!.replace(/^ {1,3}/, '');
    }
    return ls.join('\n');
  },
  'insert tabs'(r, text) {
    const ls = lines(text);
    const n = r.int(1, 3);
    for (let k = 0; k < n; k++) {
      const i = r.int(0, ls.length - 1);
      const l = ls[i]!;
      ls[i] = r.chance(0.6) ? l.replace(/^( *)/, (sp) => (sp.length ? sp.slice(0, -1) + '\t' : '\t')) : (() => {
        const at = r.int(0, l.length);
        return l.slice(0, at) + '\t' + l.slice(at);
      })();
    }
    return ls.join('\n');
  },
  'truncate'(r, text) {
    const bytes = Buffer.from(text, 'utf8');
    return bytes.subarray(0, r.int(0, bytes.length)).toString('utf8');
  },
  'binary garbage'(r, text) {
    const bytes = Buffer.alloc(r.int(1, 1500));
    for (let k = 0; k < bytes.length; k++) bytes[k] = r.int(0, 255);
    const garbage = bytes.toString(r.chance(0.5) ? 'utf8' : 'latin1');
    if (r.chance(0.3)) return garbage;
    const at = r.int(0, text.length);
    return text.slice(0, at) + garbage + text.slice(at);
  },
  '${ fragments'(r, text) {
    let out = text;
    const n = r.int(1, 4);
    for (let k = 0; k < n; k++) {
      const ls = lines(out);
      const keys = keyLines(ls);
      if (keys.length && r.chance(0.7)) {
        const i = r.pick(keys);
        ls[i] = ls[i] + (ls[i]!.endsWith(':') ? ' ' : '') + r.pick(FRAGMENTS);
        out = ls.join('\n');
      } else {
        const at = r.int(0, out.length);
        out = out.slice(0, at) + r.pick(FRAGMENTS) + out.slice(at);
      }
    }
    return out;
  },
  'yaml oddities'(r, text) {
    switch (r.int(0, 5)) {
      case 0: return text.replace(/\n/g, '\r\n');
      case 1: return '\ufeff' + text;
      case 2: return text + '\n---\n' + text.slice(0, r.int(0, 200));
      case 3: return 'a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n' + text;
      case 4: return text.replace(/\n(\s*)([a-z_]+):/, '\n$1? [$2, x]\n$1:');
      default: return `%YAML 1.1\n--- !!map\n${text}`;
    }
  },
};

const KINDS = Object.keys(MUTATIONS);

interface FuzzCase {
  seed: number;
  /** the mutation kind the batch asked for; part of the replay key */
  kind?: string;
  base: string;
  applied: string[];
  text: string;
}

/** The mutated plan for `seed`: one mutation of `kind` (random if none), and sometimes one or two more. */
function makeCase(seed: number, kind?: string): FuzzCase {
  const r = rng(seed);
  const base = r.pick(EXAMPLES);
  let text = SOURCES[base]!;
  const applied = [kind ?? r.pick(KINDS)];
  const extra = r.chance(0.3) ? r.int(1, 2) : 0;
  for (let k = 0; k < extra; k++) applied.push(r.pick(KINDS));
  for (const name of applied) text = MUTATIONS[name]!(r, text);
  return { seed, ...(kind ? { kind } : {}), base, applied, text };
}

// ---- what every validation must satisfy ---------------------------------------------------------------
function validate(file: string, text: string): ValidationResult {
  return validatePlan(loadPlanText(file, text, {}));
}

function problemsWith(c: FuzzCase, file = c.base): { result?: ValidationResult; problems: string[] } {
  let result: ValidationResult;
  try {
    result = validate(file, c.text);
  } catch (e) {
    return { problems: [`threw: ${(e as Error)?.stack ?? String(e)}`] };
  }
  const problems: string[] = [];
  const lineCount = c.text.split('\n').length;
  if (!result.plan && !result.diagnostics.some((d) => d.severity === 'error')) problems.push('no plan, yet no error diagnostic');
  if (result.plan && result.diagnostics.some((d) => d.severity === 'error')) problems.push('a plan despite error diagnostics');
  for (const d of result.diagnostics) {
    const where = `${d.line}:${d.col} [${d.code}] ${d.message}`;
    if (!Number.isInteger(d.line) || d.line < 1) problems.push(`line < 1: ${where}`);
    if (!Number.isInteger(d.col) || d.col < 1) problems.push(`col < 1: ${where}`);
    if (d.line > lineCount + 1) problems.push(`line beyond the file (${lineCount} lines): ${where}`);
    // positions come from a line index over the text itself, so they cannot drift after a syntax error
    else if (d.line <= lineCount && d.col > (c.text.split('\n')[d.line - 1]?.length ?? 0) + 1) problems.push(`col beyond the line: ${where}`);
    if (typeof d.code !== 'string' || !/^[a-z]+\.[a-z0-9-]+$/.test(d.code)) problems.push(`bad code: ${where}`);
    if (d.severity !== 'error' && d.severity !== 'warning') problems.push(`bad severity ${String(d.severity)}: ${where}`);
    if (d.file !== file) problems.push(`wrong file ${d.file}: ${where}`);
    for (const [label, s] of [['message', d.message], ['hint', d.hint]] as const) {
      if (label === 'hint' && s === undefined) continue;
      if (typeof s !== 'string' || s.trim() === '') { problems.push(`empty ${label}: ${where}`); continue; }
      if (s.includes('undefined') && !c.text.includes('undefined')) problems.push(`"undefined" in ${label}: ${where} / ${s}`);
      if (s.includes('[object Object]')) problems.push(`"[object Object]" in ${label}: ${where} / ${s}`);
      if (s.includes('NaN') && !c.text.includes('NaN') && !/\.nan/i.test(c.text)) problems.push(`"NaN" in ${label}: ${where} / ${s}`);
      if (STACK_TRACE.test(s)) problems.push(`stack trace in ${label}: ${where}`);
      // one line each: no raw (multi-line) token from the file, nothing that breaks file:line:col output
      if (/[\r\n\u2028\u2029]/.test(s)) problems.push(`line break in ${label}: ${JSON.stringify(s)}`);
    }
  }
  return { result, problems };
}

function replayKey(c: FuzzCase): string {
  return c.kind ? `${c.seed}:${c.kind}` : String(c.seed);
}

function clip(text: string, max = 6000): string {
  return text.length <= max ? text : `${text.slice(0, max / 2)}\n… (${text.length - max} characters left out; replay the seed for all of it) …\n${text.slice(-max / 2)}`;
}

function explain(c: FuzzCase, problems: string[]): string {
  return [
    `seed ${c.seed} (replay: CUTOVER_FUZZ_REPLAY='${replayKey(c)}'), base ${c.base}, mutations: ${c.applied.join(' + ')}`,
    ...problems.map((p) => `  - ${p}`),
    '--- mutated text (JSON-escaped) ---',
    clip(JSON.stringify(c.text).slice(1, -1).replace(/\\n/g, '\n')),
    '--- end ---',
  ].join('\n');
}

function runBatch(cases: FuzzCase[]): void {
  const failures: string[] = [];
  for (const c of cases) {
    const { problems } = problemsWith(c);
    if (problems.length) failures.push(explain(c, problems));
  }
  expect(failures.length, `${failures.length} of ${cases.length} mutated plans broke the validator (base seed ${BASE_SEED}):\n\n${failures.slice(0, 3).join('\n\n')}`).toBe(0);
}

// ---- the tests ------------------------------------------------------------------------------------------
const PER_KIND = 75;
const MIXED = 200;
let total = 0;

describe.skipIf(REPLAY !== undefined)(`fuzzing the validator (base seed ${BASE_SEED})`, () => {
  it('the unmutated examples are valid without a single diagnostic', () => {
    for (const base of EXAMPLES) {
      const result = validate(base, SOURCES[base]!);
      expect(result.diagnostics).toEqual([]);
      expect(result.plan).toBeDefined();
    }
  });

  it.each(KINDS.map((kind, k) => ({ kind, k })))(`$kind (${PER_KIND} cases)`, ({ kind, k }) => {
    const cases = Array.from({ length: PER_KIND }, (_, n) => makeCase(caseSeed(BASE_SEED, k * 10_000 + n), kind));
    total += cases.length;
    runBatch(cases);
  });

  it(`any mutations, mixed (${MIXED} cases)`, () => {
    const cases = Array.from({ length: MIXED }, (_, n) => makeCase(caseSeed(BASE_SEED, 1_000_000 + n)));
    total += cases.length;
    runBatch(cases);
  });

  it('ran at least 1,000 mutated plans', () => {
    expect(KINDS.length * PER_KIND + MIXED).toBeGreaterThanOrEqual(1000);
    expect(total).toBe(KINDS.length * PER_KIND + MIXED);
  });
});

describe.skipIf(REPLAY !== undefined)('the CLI on mutated plans', () => {
  let dir: string | undefined;
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('validates ~20 broken mutations in one process: exit 1, one JSON document, no stack trace', async () => {
    assertBuilt();
    dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-fuzz-'));
    // 20 invalid mutations, spread over the kinds, as the CLI will read them back from disk
    const picked: { file: string; diagnostics: Diagnostic[] }[] = [];
    for (let n = 0; picked.length < 20 && n < 2000; n++) {
      const c = makeCase(caseSeed(BASE_SEED, 2_000_000 + n), KINDS[n % KINDS.length]);
      // how deep the YAML parser gets before the stack runs out differs between processes
      if (c.applied.includes('deep nesting')) continue;
      const file = path.join(dir!, `mutation-${String(picked.length).padStart(2, '0')}-${c.seed}.yaml`);
      writeFileSync(file, c.text, 'utf8');
      const onDisk = readFileSync(file, 'utf8');
      const { result } = problemsWith({ ...c, text: onDisk }, file);
      if (!result || result.plan) continue;
      picked.push({ file, diagnostics: result.diagnostics });
    }
    expect(picked).toHaveLength(20);

    const r = await runCli(['validate', '--json', ...picked.map((p) => p.file)]);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).not.toMatch(STACK_TRACE);
    expect(r.stderr).not.toContain('internal error');
    const report = JSON.parse(r.stdout) as { valid: boolean; files: { file: string; valid: boolean; diagnostics: Diagnostic[] }[] };
    expect(report.valid).toBe(false);
    expect(report.files).toHaveLength(20);
    report.files.forEach((f, i) => {
      expect(f.valid).toBe(false);
      // the CLI says what the engine says in-process
      const strip = (ds: Diagnostic[]) => ds.map((d) => `${d.line}:${d.col} ${d.severity} ${d.code} ${d.message}`);
      expect(strip(f.diagnostics), picked[i]!.file).toEqual(strip(picked[i]!.diagnostics));
    });
  });
});

describe.runIf(REPLAY !== undefined)(`replaying fuzz case ${REPLAY}`, () => {
  it('validates the mutated plan without breaking', () => {
    const [seed, kind] = /^(\d+)(?::(.+))?$/.exec(REPLAY ?? '')?.slice(1) ?? [];
    expect(seed, 'CUTOVER_FUZZ_REPLAY is SEED or SEED:KIND, as printed by a failure').toBeDefined();
    expect(kind === undefined || kind in MUTATIONS, `unknown mutation kind ${kind}`).toBe(true);
    const c = makeCase(Number(seed) >>> 0, kind);
    const { problems } = problemsWith(c);
    if (process.env.CUTOVER_FUZZ_DUMP) writeFileSync(process.env.CUTOVER_FUZZ_DUMP, c.text);
    console.log(explain(c, problems.length ? problems : ['(no problem found)']));
    expect(problems).toEqual([]);
  });
});
