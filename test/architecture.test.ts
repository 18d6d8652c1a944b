// The layers, read from the source files (no database): engine/ is the pure core and has no
// terminal code; cli/ is the shell and has no database code or SQL; nothing imports in a circle.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface SourceFile {
  /** relative to the repository, with forward slashes: `engine/apply/run-apply.ts` */
  file: string;
  text: string;
  /** every module specifier it imports or re-exports, `import type` included */
  imports: string[];
}

// `import x from 'm'`, `import type { T } from 'm'`, `export { a } from 'm'`, `export * from 'm'`
// (the clause holds no `;`, `=` or parentheses, so a later statement's `from` is never taken),
// `import 'm'` for its effects, and `import('m')`.
const FROM = /(?:^|\n)\s*(?:import|export)\s[^;=()]*?\bfrom\s*['"]([^'"]+)['"]/g;
const BARE = /(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(text: string): string[] {
  return [FROM, BARE, DYNAMIC].flatMap((re) => [...text.matchAll(re)].map((m) => m[1]!));
}

function sourceFiles(dir: string): SourceFile[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.tsx?$/.test(f))
    .map((f) => {
      const file = `${dir}/${f.split(path.sep).join('/')}`;
      const text = readFileSync(path.join(ROOT, file), 'utf8');
      return { file, text, imports: importsOf(text) };
    });
}

const engine = sourceFiles('engine');
const cli = sourceFiles('cli');

/** A relative specifier as the repository file it names (`./x.js` → `dir/x.ts`). */
function resolve(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  return path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier)).replace(/\.js$/, '.ts');
}

function offending(files: SourceFile[], forbidden: (specifier: string) => boolean): string[] {
  return files.flatMap((f) => f.imports.filter(forbidden).map((s) => `${f.file} imports ${s}`));
}

describe('engine/ has no terminal code', () => {
  it('imports no chalk, ink, react or readline', () => {
    expect(engine.length).toBeGreaterThan(50);
    // the bank statement's lines are split by hand (engine/checks/money/bank-statement.ts), so
    // not even the file-reading node:readline is needed here
    const terminal = (s: string) => /^(?:chalk|ink|ink-.*|react|react\/.*|react-dom|(?:node:)?readline(?:\/promises)?)$/.test(s);
    expect(offending(engine, terminal)).toEqual([]);
  });
});

describe('cli/ has no database code', () => {
  it('imports no pg, pg-copy-streams or other pg-* client', () => {
    expect(cli.length).toBeGreaterThan(10);
    const database = (s: string) => /^pg(?:-.*)?(?:\/.*)?$/.test(s);
    expect(offending(cli, database)).toEqual([]);
  });

  it('holds no SQL in its string literals', () => {
    // a statement's shape: a verb, then its FROM / INTO / SET, in one literal
    const SQL = /\b(?:SELECT|INSERT|UPDATE|DELETE)\b[\s\S]*\b(?:FROM|INTO|SET)\b/;
    const LITERAL = /'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g;
    // allow-list, `file: reason`: none needed today
    const ALLOWED = new Set<string>([]);
    const found = cli.flatMap((f) => [...f.text.matchAll(LITERAL)]
      .filter((m) => SQL.test(m[0]) && !ALLOWED.has(f.file))
      .map((m) => `${f.file}: ${m[0].slice(0, 80)}`));
    expect(found).toEqual([]);
  });
});

describe('the import graph of engine/ and cli/', () => {
  it('has no cycles', () => {
    const files = [...engine, ...cli];
    const known = new Set(files.map((f) => f.file));
    const edges = new Map(files.map((f) => [f.file, f.imports.map((s) => resolve(f.file, s)).filter((t): t is string => t !== null && known.has(t))]));
    const cycles: string[] = [];
    // depth-first, colouring: a file met again while still on the path closes a cycle
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, trail: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...trail.slice(trail.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const next of edges.get(file) ?? []) visit(next, [...trail, file]);
      state.set(file, 'done');
    };
    for (const file of known) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('reaches the apply loop (engine/apply/run-apply.ts) only from the CLI commands, so no step it runs can import it back', () => {
    const files = [...engine, ...cli];
    const importers = files.filter((f) => f.imports.some((s) => resolve(f.file, s) === 'engine/apply/run-apply.ts')).map((f) => f.file);
    expect(importers.length).toBeGreaterThan(0);
    expect(importers.filter((f) => !f.startsWith('cli/commands/'))).toEqual([]);
  });

  it('resolves every import into engine/ or cli/ to a file (so a cycle cannot hide behind a misread path)', () => {
    const files = [...engine, ...cli];
    const known = new Set(files.map((f) => f.file));
    const unresolved = files.flatMap((f) => f.imports
      .map((s) => ({ s, target: resolve(f.file, s) }))
      .filter(({ target }) => target !== null && /^(?:engine|cli)\//.test(target) && !known.has(target))
      .map(({ s }) => `${f.file}: ${s}`));
    expect(unresolved).toEqual([]);
  });
});
