// `cutover` as a user runs it: a separate `node bin/cutover.js` process (no shell), its exit code,
// what goes to stdout and what to stderr. Colour is checked on a pseudo-terminal (util-linux
// `script`), since cutover only colours a terminal; those checks are skipped where it is missing.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { minimalPlan, PlanFolder } from '../support/plan-folder.js';
import { ANSI, assertBuilt, BIN, minimalEnv, ROOT, runCli, STACK_TRACE, type CliResult } from '../support/run-cli.js';

const EXAMPLES = readdirSync(path.join(ROOT, 'plans/examples'))
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => `plans/examples/${f}`);

const folder = new PlanFolder('cutover-cli-test-');
const dir = folder.dir;

function plan(name: string, text: string): string {
  return folder.write(name, text);
}

const MINIMAL = (overrides: { url?: string; target?: string; extra?: string } = {}) =>
  minimalPlan({ name: 'secret-test', target: overrides.target, sourceUrl: overrides.url, extra: overrides.extra });

beforeAll(() => assertBuilt());
afterAll(() => folder.remove());

function all(r: CliResult): string {
  return r.stdout + r.stderr;
}

describe('help and usage', () => {
  it('--help exits 0 and lists the validate command on stdout', async () => {
    const r = await runCli(['--help']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/Usage: cutover <command>/);
    expect(r.stdout).toMatch(/^\s+validate\s+\S/m);
  });

  it('validate --help (and help validate) exit 0 with the command usage, options and exit codes', async () => {
    for (const args of [['validate', '--help'], ['help', 'validate']]) {
      const r = await runCli(args);
      expect(r.status, args.join(' ')).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^Usage: cutover validate PLAN/);
      expect(r.stdout).toContain('--json');
      expect(r.stdout).toContain('--no-color');
      expect(r.stdout).toMatch(/Exit codes/i);
    }
  });

  it('no arguments at all is a usage error: exit 1 with the usage', async () => {
    const r = await runCli([]);
    expect(r.status).toBe(1);
    expect(all(r)).toMatch(/Usage: cutover <command>/);
    expect(all(r)).toContain('validate');
  });

  it('validate without a plan file is a usage error on stderr: exit 1', async () => {
    const r = await runCli(['validate']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/name the plan file/);
    expect(r.stderr).toContain('cutover validate PLAN');
  });

  it('an unknown command exits 1 on stderr with a hint', async () => {
    const r = await runCli(['validat', 'plans/examples/shop.yaml']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/unknown command `validat`/);
    expect(r.stderr).toMatch(/^\s+hint: .*cutover --help/m);
  });

  it('an unknown option exits 1 on stderr, naming it, with a did-you-mean among the command\'s options', async () => {
    const r = await runCli(['validate', '--jsn', 'plans/examples/shop.yaml']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('Error: unknown option `--jsn`\n  hint: did you mean `--json`? (or run `cutover validate --help`)\n');
  });

  it('an unknown option nothing resembles: no suggestion, the help hint', async () => {
    const r = await runCli(['validate', '--frobnicate', 'plans/examples/shop.yaml']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('Error: unknown option `--frobnicate`\n  hint: run `cutover validate --help`\n');
  });

  it('--version prints the package version', async () => {
    const r = await runCli(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\S*\n$/);
  });
});

describe('files that cannot be validated', () => {
  it('a missing file: exit 1, one plain Error line naming it and a hint (no file:line:col, no ✗), nothing on stdout', async () => {
    const r = await runCli(['validate', 'plans/no-such-plan.yaml']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('Error: no plan file at plans/no-such-plan.yaml\n  hint: check the path; plans usually live in plans/\n');
  });

  it('a missing file with --json: valid false, the error beside the (empty) diagnostics', async () => {
    const r = await runCli(['validate', '--json', 'plans/no-such-plan.yaml']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as { valid: boolean; files: unknown[] };
    expect(report.valid).toBe(false);
    expect(report.files).toEqual([{
      file: 'plans/no-such-plan.yaml', valid: false, classes: null, diagnostics: [],
      error: { code: 'plan.not-found', message: 'no plan file at plans/no-such-plan.yaml', hint: 'check the path; plans usually live in plans/' },
    }]);
  });

  it('a directory: exit 1, stderr says it is a folder', async () => {
    const r = await runCli(['validate', 'plans/examples']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('Error: plans/examples is a folder, not a plan file\n  hint: name the YAML file inside it\n');
  });

  it('a missing file does not stop the others from being validated', async () => {
    const r = await runCli(['validate', 'plans/no-such-plan.yaml', 'plans/examples/shop.yaml']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('✓ plans/examples/shop.yaml: valid, 4 classes\n');
    expect(r.stderr).toContain('plans/no-such-plan.yaml');
  });
});

describe('validating the examples', () => {
  it('validate plans/examples/*.yaml exits 0 with one ✓ line per file on stdout', async () => {
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(2);
    const r = await runCli(['validate', ...EXAMPLES]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(EXAMPLES.length);
    EXAMPLES.forEach((f, i) => expect(lines[i]).toMatch(new RegExp(`^✓ ${f.replace(/\./g, '\\.')}: valid, \\d+ class(es)?$`)));
    expect(r.stdout).toContain('✓ plans/examples/crm.yaml: valid, 5 classes\n');
    expect(r.stdout).toContain('✓ plans/examples/shop.yaml: valid, 4 classes\n');
  });

  it('--json prints one parseable document on stdout and nothing on stderr', async () => {
    const r = await runCli(['validate', '--json', ...EXAMPLES]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as { format_version: string; valid: boolean; files: { file: string; valid: boolean; classes: number; diagnostics: unknown[] }[] };
    expect(report.format_version).toBe('2.0');
    expect(report.valid).toBe(true);
    expect(report.files.map((f) => f.file)).toEqual(EXAMPLES);
    for (const f of report.files) {
      expect(f.valid).toBe(true);
      expect(f.diagnostics).toEqual([]);
      expect(f.classes).toBeGreaterThan(0);
    }
  });

  it('the examples are valid whatever the machine has set: the env defaults are not needed', async () => {
    const r = await runCli(['validate', ...EXAMPLES], {
      env: { SOURCE_DATABASE_URL: 'postgresql://u@db.example.com/src', DESTINATION_DATABASE_URL: 'postgresql://u@db.example.com/dst' },
    });
    expect(r.status, r.stderr).toBe(0);
  });
});

// ---- colour --------------------------------------------------------------------------------------------
const hasScript = process.platform !== 'win32' && spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

/** Runs the CLI on a pseudo-terminal (so stdout is a TTY) and returns everything it printed. */
function runInPty(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; output: string }> {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, BIN, ...args].map(quote).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd: ROOT,
      env: minimalEnv({ SHELL: '/bin/sh', TERM: 'xterm-256color', ...env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output }));
  });
}

describe('colour', () => {
  const invalid = 'test/validate/corpus/rule-clean-days.yaml';

  it('piped output (not a terminal) never carries ANSI escapes', async () => {
    for (const args of [['validate', ...EXAMPLES, invalid], ['validate', '--json', invalid], ['validat']]) {
      const r = await runCli(args);
      expect(all(r), args.join(' ')).not.toMatch(ANSI);
    }
  });

  it.skipIf(!hasScript)('on a terminal, output is coloured by default (the control for the checks below)', async () => {
    const r = await runInPty(['validate', 'plans/examples/shop.yaml', invalid]);
    expect(r.status).toBe(1);
    expect(r.output).toMatch(ANSI);
  });

  it.skipIf(!hasScript)('NO_COLOR=1 turns colour off on a terminal', async () => {
    const r = await runInPty(['validate', 'plans/examples/shop.yaml', invalid], { NO_COLOR: '1' });
    expect(r.status).toBe(1);
    expect(r.output).toContain('rule-clean-days.yaml:20:15: error:');
    expect(r.output).not.toMatch(ANSI);
  });

  it.skipIf(!hasScript)('NO_COLOR set but empty keeps colour on a terminal (no-color.org: only a non-empty value counts)', async () => {
    const r = await runInPty(['validate', 'plans/examples/shop.yaml', invalid], { NO_COLOR: '' });
    expect(r.status).toBe(1);
    expect(r.output).toMatch(ANSI);
  });

  it.skipIf(!hasScript)('--no-color turns colour off on a terminal, for output and for errors', async () => {
    for (const args of [['validate', '--no-color', 'plans/examples/shop.yaml', invalid], ['validate', '--no-color', 'plans/missing.yaml'], ['validat', '--no-color']]) {
      const r = await runInPty(args);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.output, args.join(' ')).not.toMatch(ANSI);
    }
  });
});

// ---- secrets --------------------------------------------------------------------------------------------
describe('secrets from the environment never reach the output', () => {
  const SECRET = 'hunter2';
  const URL_WITH_SECRET = `postgres://u:${SECRET}@db.example.com/app`;

  // Plans validated together share one environment; each group runs once as text and once as JSON.
  const groups: { name: string; env: Record<string, string>; plans: { name: string; text: string; valid: boolean }[] }[] = [
    {
      name: 'SECRET_URL holds a URL with a password',
      env: { SECRET_URL: URL_WITH_SECRET },
      plans: [
        { name: 'valid', text: MINIMAL({ url: '${SECRET_URL}' }), valid: true },
        { name: 'another schema error', text: MINIMAL({ url: '${SECRET_URL}', target: 'round_triped' }), valid: false },
        { name: 'a semantic error', text: MINIMAL({ url: '${SECRET_URL}', extra: 'dual_run: { window: 1d, compare_every: 1h }\n' }), valid: false },
        { name: 'a quoted reference, target closed', text: MINIMAL({ url: '"${SECRET_URL}"', target: 'closed' }), valid: false },
        { name: 'an unset variable beside it', text: MINIMAL({ url: '${SECRET_URL}', extra: 'retention:\n  read_only_for: ${RETENTION}\n' }), valid: false },
        { name: 'an unknown key in the same section', text: MINIMAL({ url: '${SECRET_URL}\n  password: ${SECRET_URL}' }), valid: false },
      ],
    },
    {
      name: 'SECRET_URL holds a malformed URL with a password',
      env: { SECRET_URL: `mysql://u:${SECRET}@db.example.com/app` },
      plans: [{ name: 'the URL itself is invalid', text: MINIMAL({ url: '${SECRET_URL}' }), valid: false }],
    },
    {
      name: 'SECRET_PASSWORD is interpolated into a longer URL',
      env: { SECRET_PASSWORD: SECRET },
      plans: [
        { name: 'valid', text: MINIMAL({ url: 'postgres://u:${SECRET_PASSWORD}@db.example.com/app' }), valid: true },
        { name: 'an unknown key', text: MINIMAL({ url: 'postgres://u:${SECRET_PASSWORD}@db.example.com/app', extra: 'oops: 1\n' }), valid: false },
      ],
    },
  ];

  it.each(groups)('$name: never printed, valid or not, text or --json', async (g) => {
    const files = g.plans.map((p, i) => {
      expect(p.text).not.toContain(SECRET); // the secret is only ever in the environment
      return plan(`secret-${groups.indexOf(g)}-${i}.yaml`, p.text);
    });
    const [text, json] = await Promise.all([runCli(['validate', ...files], { env: g.env }), runCli(['validate', '--json', ...files], { env: g.env })]);
    for (const r of [text, json]) {
      expect(r.status, all(r)).toBe(g.plans.every((p) => p.valid) ? 0 : 1);
      expect(all(r)).not.toContain(SECRET);
    }
    const report = JSON.parse(json.stdout) as { files: { valid: boolean; diagnostics: unknown[] }[] };
    expect(report.files.map((f) => f.valid), JSON.stringify(report.files)).toEqual(g.plans.map((p) => p.valid));
    for (const [i, p] of g.plans.entries()) if (!p.valid) expect(report.files[i]!.diagnostics.length, p.name).toBeGreaterThan(0);
  });
});

// ---- no stack traces ------------------------------------------------------------------------------------
describe('errors without CUTOVER_DEBUG print no stack trace', () => {
  const deep = (d: number) => `version: 1\nname: deep\nfoo: ${'['.repeat(d)}${']'.repeat(d)}\n`;
  const deepOpen = (d: number) => `version: 1\nname: deep\nfoo: ${'['.repeat(d)}\n`;
  const deepMap = (d: number) => `version: 1\nname: deep\nfoo: ${'{ a: '.repeat(d)}1${' }'.repeat(d)}\n`;
  const bomb = 'a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n';
  const garbage = Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 7919 + 13) % 256));

  const usage: { name: string; args: string[] }[] = [
    { name: 'an unknown command', args: ['frobnicate'] },
    { name: 'an unknown option', args: ['validate', '--frobnicate', 'plans/examples/shop.yaml'] },
    { name: 'a missing plan argument', args: ['validate'] },
  ];

  it.each(usage)('$name', async ({ args }) => {
    const r = await runCli(args);
    expect(r.status, all(r)).toBe(1);
    expect(all(r)).not.toMatch(STACK_TRACE);
    expect(all(r)).not.toMatch(/internal error/);
  });

  it('every kind of unreadable or broken plan file, as text and as --json', async () => {
    const files: [string, string][] = [
      ['a missing file', 'nowhere/plan.yaml'],
      ['a directory', dir],
      ['an invalid plan', 'test/validate/corpus/rule-go-live-missing.yaml'],
      ['a YAML syntax error', 'test/validate/corpus/yaml-tab-indent.yaml'],
      ['an empty file', plan('empty.yaml', '')],
      ['binary garbage', plan('garbage.yaml', garbage.toString('latin1'))],
      ['raw bytes that are not UTF-8', (() => { const f = path.join(dir, 'bytes.yaml'); writeFileSync(f, garbage); return f; })()],
      ['an alias bomb', plan('bomb.yaml', bomb)],
      ['nesting deeper than the parser’s stack (lists)', plan('deep.yaml', deep(20_000))],
      ['nesting deeper than the parser’s stack (maps)', plan('deep-map.yaml', deepMap(20_000))],
      ['nesting deeper than the parser’s stack, never closed', plan('deep-open.yaml', deepOpen(20_000))],
      ['a list instead of a plan', plan('list.yaml', '- a\n- b\n')],
      ['a scalar instead of a plan', plan('scalar.yaml', 'just some text\n')],
    ];
    const names = files.map(([, f]) => f);
    const [text, json] = await Promise.all([runCli(['validate', ...names]), runCli(['validate', '--json', ...names])]);
    for (const r of [text, json]) {
      expect(r.signal).toBeNull();
      expect(r.status, all(r)).toBe(1);
      expect(all(r)).not.toMatch(STACK_TRACE);
      expect(all(r)).not.toMatch(/internal error/);
    }
    const report = JSON.parse(json.stdout) as { files: { file: string; valid: boolean; diagnostics: { code: string; message: string }[]; error: { message: string } | null }[] };
    expect(report.files).toHaveLength(files.length);
    const unreadable = new Set(['a missing file', 'a directory']);
    report.files.forEach((f, i) => {
      const [name] = files[i]!;
      expect(f.valid, name).toBe(false);
      // a file that cannot be read has no line to point at: an error, no diagnostics
      if (unreadable.has(name)) {
        expect(f.diagnostics, name).toEqual([]);
        expect(f.error?.message, name).toBeTruthy();
      } else {
        expect(f.diagnostics.length, name).toBeGreaterThan(0);
        expect(f.error, name).toBeNull();
      }
      // too deep is said once, whatever the parser went through
      if (name.startsWith('nesting deeper')) {
        expect(f.diagnostics.map((d) => `${d.code} ${d.message}`), name).toEqual(['yaml.too-deep YAML: the plan is nested too deeply to read']);
      }
    });
    // the text run names every file that failed: in a ✗ line, or an Error line for one it could not read
    const shown = (f: string) => {
      const rel = path.relative(ROOT, path.resolve(ROOT, f));
      return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : f;
    };
    for (const [name, f] of files) {
      if (unreadable.has(name)) {
        expect(text.stderr).toMatch(new RegExp(`^Error: .*${shown(f).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'));
        expect(text.stderr).not.toContain(`✗ ${shown(f)}: `);
      } else {
        expect(text.stderr).toContain(`✗ ${shown(f)}: `);
      }
    }
  });

  it('a complex key (`? [a, b]`): one diagnostic at its own line, no warning from node on stderr', async () => {
    const file = plan('complex-key.yaml', MINIMAL({ extra: '? [a, b]\n: c\n' }));
    for (const args of [['validate', file], ['validate', '--json', file]]) {
      const r = await runCli(args);
      expect(r.status).toBe(1);
      expect(r.stderr).not.toMatch(/Warning|stringified/);
    }
    const r = await runCli(['validate', file]);
    expect(r.stderr).toMatch(/complex-key\.yaml:15:3: error: YAML: a key must be a name, not a list\n/);
    expect(r.stderr).toMatch(/: 1 error\n$/);
  });
});
