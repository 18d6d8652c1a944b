// In-process checks of validation details the corpus cannot express: plans that must be ACCEPTED
// (the corpus holds broken plans only), positions computed from the text, and guards over
// schemas/plan.schema.json that keep its messages readable.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { LineIndex } from '../../engine/load/line-index.js';
import { loadPlanText } from '../../engine/load/load-plan.js';
import { parseYaml } from '../../engine/load/yaml-document.js';
import { durationWords } from '../../engine/validate/rules/durations.js';
import { patternWords } from '../../engine/validate/schema-check.js';
import { validatePlan } from '../../engine/validate/validate-plan.js';
import { minimalPlan } from '../support/plan-folder.js';
import { ROOT } from '../support/run-cli.js';

const B = minimalPlan({ name: 'mini' });

function validate(text: string, env: Record<string, string> = {}) {
  return validatePlan(loadPlanText('plan.yaml', text, env));
}

function shown(text: string, env: Record<string, string> = {}): string[] {
  return validate(text, env).diagnostics.map((d) => `${d.line}:${d.col} ${d.code} ${d.message}`);
}

describe('positions come from the text, not from yaml’s LineCounter', () => {
  const REPRO = 'a: { b: 1 } }\nc: >-\n  one\n  two\nd: 1\n';

  it('every raw yaml error of the cascade is placed on its own line (`d` at 5:1, not 3:13)', () => {
    const lines = new LineIndex(REPRO);
    const doc = parseDocument(REPRO, { prettyErrors: false, strict: true, uniqueKeys: true });
    const at = doc.errors.map((e) => ({ pos: lines.position(e.pos[0]), token: REPRO.slice(e.pos[0], e.pos[1]) }));
    expect(at.find((e) => e.token === 'd')?.pos).toEqual({ line: 5, col: 1 });
    for (const { pos } of at) expect(pos.col).toBeLessThanOrEqual((REPRO.split('\n')[pos.line - 1]?.length ?? 0) + 1);
  });

  it('only the first error of the cascade is reported, without raw multi-line tokens', () => {
    const { diagnostics } = parseYaml('x.yaml', REPRO);
    expect(diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`)).toEqual(['1:13 YAML: unexpected `}`']);
  });

  it('CRLF line ends and a byte-order mark do not shift columns', () => {
    const lines = new LineIndex('\ufeffa: 1\r\nbb: 2\r\n');
    expect(lines.position(1)).toEqual({ line: 1, col: 1 }); // `a`, after the BOM
    expect(lines.position(7)).toEqual({ line: 2, col: 1 }); // `bb`
    expect(lines.position(9)).toEqual({ line: 2, col: 3 });
    expect(lines.position(10_000)).toEqual({ line: 3, col: 1 }); // clamped to the end
  });

  it('a complex key alone is reported at the key (1:3), not at 1:1 with the comma hint', () => {
    expect(shown('? [a, b]\n: c\n')).toEqual(['1:3 yaml.complex-key YAML: a key must be a name, not a list']);
  });

  it('20,000 unclosed `[` give one diagnostic', () => {
    expect(shown(`version: 1\nfoo: ${'['.repeat(20_000)}\n`)).toEqual(['2:6 yaml.too-deep YAML: the plan is nested too deeply to read']);
  });
});

describe('plans that must be accepted', () => {
  const exception = (mapsTo: string) => `${B}lock:
  exceptions:
    - id: CHG-1
      change: CREATE TABLE loyalty (id int)
      decision: accommodated
      reviewed_by: dana@example.com
      maps_to: ${mapsTo}
`;

  it('maps_to naming a class alone, for a change that adds a table, when the class exists', () => {
    expect(shown(exception('customers'))).toEqual([]);
  });

  it('maps_to class.column still needs the column; the hint names it', () => {
    const [d] = validate(exception('customers.tier')).diagnostics;
    expect(d?.hint).toBe('map `tier` in classes.customers.columns, or list it in classes.customers.dropped');
  });

  it('`$${` writes a literal `${`, defaults apply, and set variables are substituted anywhere in a value', () => {
    const text = B.replace('name: mini', 'name: mini-${SUFFIX}')
      .replace('url: embedded:dst', 'url: ${DST:-embedded:dst}')
      .concat('ignore:\n  - { table: old_log, reason: "costs $${HOME} per month, see ${TICKET}" }\n');
    const r = validate(text, { SUFFIX: 'two', TICKET: 'OPS-1' });
    expect(r.diagnostics).toEqual([]);
    expect(r.plan?.name).toBe('mini-two');
    expect(r.plan?.destination.url).toBe('embedded:dst');
    expect(r.plan?.ignore?.[0]?.reason).toBe('costs ${HOME} per month, see OPS-1');
  });
});

describe('ignored tables against class source tables', () => {
  it('a bare ignored name matches a class reading the qualified one', () => {
    const text = B.replace('table: customer,', 'table: public.customer,').concat('ignore:\n  - { table: customer, reason: old }\n');
    expect(shown(text)).toEqual(['16:14 plan.ignored-table-classified table `customer` is ignored but class `customers` reads it']);
  });

  it('a table in another schema is not the class’s table', () => {
    const text = B.replace('schemas: [public]', 'schemas: [public, sales]').concat('ignore:\n  - { table: archive.customer, reason: old }\n');
    expect(shown(text)).toEqual([]);
  });
});

describe('messages', () => {
  it('durations print as written, however large', () => {
    expect(durationWords('14d')).toBe('14d');
    expect(durationWords('0048h')).toBe('48h');
    expect(durationWords('9999999999999999999d')).toBe('9999999999999999999d');
    expect(durationWords(`${'9'.repeat(40)}s`)).toBe('999999…s (a 40-digit number)');
  });

  it('an unterminated `${` inside a longer value points at the `${`', () => {
    const text = B.concat('ignore:\n  - table: old_log\n    reason: "see ${TICKET and more"\n');
    expect(shown(text)).toEqual(['17:18 plan.bad-variable `${TICKET and more` is not closed: a `}` is missing']);
  });
});

describe('schemas/plan.schema.json', () => {
  const schema = JSON.parse(readFileSync(path.join(ROOT, 'schemas/plan.schema.json'), 'utf8')) as Record<string, unknown>;

  function* walk(node: unknown, at = '#'): Generator<[string, Record<string, unknown>]> {
    if (Array.isArray(node)) {
      for (const [i, n] of node.entries()) yield* walk(n, `${at}/${i}`);
      return;
    }
    if (!node || typeof node !== 'object') return;
    yield [at, node as Record<string, unknown>];
    for (const [k, v] of Object.entries(node)) yield* walk(v, `${at}/${k}`);
  }

  it('no anyOf/oneOf branch goes through a $ref (ajv restarts schemaPaths there, so its errors cannot be summarised)', () => {
    const offenders: string[] = [];
    for (const [at, node] of walk(schema)) {
      for (const keyword of ['anyOf', 'oneOf']) {
        const branches = node[keyword];
        if (!Array.isArray(branches)) continue;
        for (const [i, branch] of branches.entries()) {
          for (const [inner, n] of walk(branch, `${at}/${keyword}/${i}`)) if ('$ref' in n) offenders.push(inner);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('every pattern has words: no message shows a raw regular expression', () => {
    const patterns = new Set<string>();
    for (const [, node] of walk(schema)) {
      if (typeof node.pattern === 'string') patterns.add(node.pattern);
      if (node.patternProperties && typeof node.patternProperties === 'object') Object.keys(node.patternProperties).forEach((p) => patterns.add(p));
    }
    expect(patterns.size).toBeGreaterThan(5);
    for (const p of patterns) {
      const words = patternWords(p);
      expect(words, p).not.toMatch(/\^|\$$|\[|text of the form/);
    }
  });

  it('an audit anchor’s key is the SOURCE key (what the rule and the check compare with)', () => {
    const defs = schema.$defs as Record<string, { properties: Record<string, { description: string }> }>;
    expect(defs.anchor!.properties.key!.description).toMatch(/SOURCE key/);
    expect(defs.anchor!.properties.key!.description).toMatch(/source\.key/);
    expect(defs.anchor!.properties.key!.description).not.toMatch(/destination/);
  });
});
