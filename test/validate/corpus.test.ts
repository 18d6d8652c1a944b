// The broken-plan corpus (test/validate/corpus/*.yaml, expectations in corpus/cases.ts), checked
// through the real CLI. The whole corpus is validated by ONE `cutover validate --json` process and
// each case asserted from its JSON; a second process renders the same files as text, which must
// say exactly the same things in the `file:line:col: severity: message` format.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, ROOT, runCli, STACK_TRACE, type CliResult } from '../support/run-cli.js';
import { CASES, type CorpusCase } from './corpus/cases.js';

const CORPUS_DIR = 'test/validate/corpus';
const corpusFile = (name: string) => `${CORPUS_DIR}/${name}`;

interface JsonDiagnostic {
  code: string;
  severity: 'error' | 'warning';
  message: string;
  file: string;
  line: number;
  col: number;
  hint?: string;
}
interface JsonFile {
  file: string;
  valid: boolean;
  classes?: number;
  diagnostics: JsonDiagnostic[];
}
interface JsonReport {
  format_version: string;
  valid: boolean;
  files: JsonFile[];
}

const files = CASES.map((c) => c.file).filter((f, i, all) => all.indexOf(f) === i);

let json: CliResult;
let report: JsonReport;
let text: CliResult;

beforeAll(async () => {
  assertBuilt();
  // The controlled environment holds only PATH: every `${VAR}` in the corpus is unset.
  [json, text] = await Promise.all([
    runCli(['validate', '--json', ...files.map(corpusFile)]),
    runCli(['validate', ...files.map(corpusFile)]),
  ]);
  report = JSON.parse(json.stdout) as JsonReport;
}, 120_000);

function show(diagnostics: readonly JsonDiagnostic[]): string {
  return diagnostics.map((d) => `  ${d.line}:${d.col} ${d.severity} [${d.code}] ${d.message}${d.hint ? `\n      hint: ${d.hint}` : ''}`).join('\n') || '  (none)';
}

describe('the broken-plan corpus', () => {
  it('has a case for every file in the folder and a file for every case', () => {
    const onDisk = readdirSync(CORPUS_DIR).filter((f) => f.endsWith('.yaml')).sort();
    expect([...files].sort()).toEqual(onDisk);
    expect(CASES.length).toBeGreaterThanOrEqual(60);
  });

  it('one --json run over the corpus exits 1 with one parseable report and nothing on stderr', () => {
    expect(json.signal).toBeNull();
    expect(json.status, json.stderr).toBe(1);
    expect(json.stderr).toBe('');
    expect(report.format_version).toBe('2.0');
    expect(report.valid).toBe(false);
    expect(report.files.map((f) => f.file)).toEqual(files.map(corpusFile));
  });

  it('reports diagnostics sorted by position, each with a code and a 1-based position', () => {
    for (const f of report.files) {
      const positions = f.diagnostics.map((d) => [d.line, d.col] as const);
      const sorted = [...positions].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      expect(positions, f.file).toEqual(sorted);
      for (const d of f.diagnostics) {
        expect(d.file).toBe(f.file);
        expect(d.code).toMatch(/^[a-z]+\.[a-z0-9-]+$/);
        expect(d.line).toBeGreaterThanOrEqual(1);
        expect(d.col).toBeGreaterThanOrEqual(1);
      }
    }
  });

  it.each(CASES)('$file → $line:$col $code', (c: CorpusCase) => {
    const entry = report.files.find((f) => f.file === corpusFile(c.file));
    expect(entry, `no result for ${c.file}`).toBeDefined();
    const { diagnostics } = entry!;
    const context = `${c.file}: diagnostics were\n${show(diagnostics)}`;
    const severity = c.severity ?? 'error';
    // a warning alone leaves the plan valid (exit 0 on its own); an error never does
    expect(entry!.valid, context).toBe(severity === 'warning');
    const found = diagnostics.find((d) => d.line === c.line && d.col === c.col && d.code === c.code && d.message.includes(c.message));
    expect(found, `expected ${c.line}:${c.col} [${c.code}] …${c.message}…\n${context}`).toBeDefined();
    expect(found!.severity, context).toBe(severity);
    if (c.hint !== undefined) expect(found!.hint ?? '', context).toContain(c.hint);
    if (c.alone ?? true) expect(diagnostics, context).toHaveLength(1);
  });
});

describe('the text rendering of the corpus', () => {
  it('exits 1, prints no stack trace, and prints nothing on stdout but ✓ lines', () => {
    expect(text.status, text.stderr).toBe(1);
    expect(text.stderr).not.toMatch(STACK_TRACE);
    for (const line of text.stdout.split('\n').filter(Boolean)) expect(line).toMatch(/^✓ \S+: valid, \d+ class(es)?( \(.*\))?$/);
  });

  it('says exactly what --json says, as file:line:col: severity: message and an indented hint', () => {
    let stderr = '';
    let stdout = '';
    for (const f of report.files) {
      for (const d of f.diagnostics) {
        stderr += `${f.file}:${d.line}:${d.col}: ${d.severity}: ${d.message}\n`;
        if (d.hint) stderr += `  hint: ${d.hint}\n`;
      }
      const errors = f.diagnostics.filter((d) => d.severity === 'error').length;
      const warnings = f.diagnostics.length - errors;
      const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
      if (f.valid) {
        stdout += `✓ ${f.file}: valid, ${plural(f.classes ?? -1, 'class').replace('classs', 'classes')}${warnings ? ` (${plural(warnings, 'warning')})` : ''}\n`;
      } else {
        stderr += `✗ ${f.file}: ${plural(errors, 'error')}${warnings ? `, ${plural(warnings, 'warning')}` : ''}\n`;
      }
    }
    expect(text.stderr).toBe(stderr);
    expect(text.stdout).toBe(stdout);
  });
});

describe.concurrent('text output of single files', () => {
  it('an invalid plan: the diagnostic and hint on stderr, a ✗ summary, nothing on stdout', async () => {
    const r = await runCli(['validate', corpusFile('rule-clean-days.yaml')]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `${corpusFile('rule-clean-days.yaml')}:20:15: error: \`reconciliation.clean_days\` is 10; it must be at least 30\n` +
        '  hint: a month of clean daily reconciliations against the bank covers a full statement cycle\n' +
        `✗ ${corpusFile('rule-clean-days.yaml')}: 1 error\n`,
    );
  });

  it('a plan with only a warning is valid: exit 0, the warning on stderr, ✓ on stdout', async () => {
    const file = corpusFile('rule-reverse-incomplete-warning.yaml');
    const r = await runCli(['validate', file]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^${file.replace(/[.]/g, '\\.')}:16:5: warning: class \`customers\` cannot roll back`));
    expect(r.stdout).toBe(`✓ ${file}: valid, 1 class (1 warning)\n`);
  });

  it('several problems in one file are all reported, sorted by position', async () => {
    const r = await runCli(['validate', corpusFile('schema-flow-map-comma.yaml')]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    const located = r.stderr.split('\n').filter((l) => /:\d+:\d+: /.test(l)).map((l) => /:(\d+):(\d+): /.exec(l)!.slice(1).join(':'));
    expect(located).toEqual(['20:15', '20:47']);
    expect(r.stderr).toMatch(/✗ \S+schema-flow-map-comma\.yaml: 2 errors\n$/);
  });

  it('the file is named as the user named it, relative to the working directory', async () => {
    const r = await runCli(['validate', 'rule-clean-days.yaml'], { cwd: path.join(ROOT, CORPUS_DIR) });
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n')[0]).toMatch(/^rule-clean-days\.yaml:20:15: error: /);
  });

  it('with --json, stdout is only the JSON document and stderr is empty', async () => {
    const r = await runCli(['validate', '--json', corpusFile('rule-clean-days.yaml'), 'plans/examples/shop.yaml']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('');
    const parsed = JSON.parse(r.stdout) as JsonReport;
    expect(parsed.files.map((f) => [f.file, f.valid])).toEqual([
      [corpusFile('rule-clean-days.yaml'), false],
      ['plans/examples/shop.yaml', true],
    ]);
    expect(parsed.files[1]!.classes).toBe(4);
  });
});
