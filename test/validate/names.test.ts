// The plan's one rule for names, over names a real catalog can hold: whatever cutover writes for a
// name (in a hint) reads back as that name, as YAML and as a plan, and a plan that names them so
// validates clean, with the catalog's names in the validated plan.
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadPlanText } from '../../engine/load/load-plan.js';
import { canonicalAddress, readAddress } from '../../engine/plan/custom-code-address.js';
import { readName, readTableName, writeName, writeTableName } from '../../engine/plan/plan-names.js';
import { yamlKey, yamlScalar, yamlTable } from '../../engine/plan/plan-yaml.js';
import { validatePlan } from '../../engine/validate/validate-plan.js';

const NAMES = [
  'plain', 'Order Lines', 'Größe', 'user', 'select', 'OrderTotal', 'a.b', '"quoted"', 'a"b', 'x"', "it's",
  'Old Stuff (2019)', ' padded ', 'null', 'true', '123', '-dash', 'colon: here', 'hash #tag', '{braces}', 'a,b',
  '[list]', '*star', '&anchor', '!bang', '%pct', '@at', '`tick`', '日本語', 'emoji 🚀', 'tab\there', '..', '"', '""',
];

describe('the rule for names', () => {
  it.each(NAMES)('%j: written, it reads back as itself; as a table part and in YAML too', (name) => {
    expect(readName(writeName(name))).toBe(name);
    expect(readTableName(writeTableName('Sales Ops', name))).toEqual({ schema: 'Sales Ops', name });
    expect(readTableName(writeTableName(name, 't'))).toEqual({ schema: name, name: 't' });
    // a YAML key, a block value and a value inside `{ … }`
    expect(parse(`${yamlKey(name)}: v`)).toEqual({ [writeName(name)]: 'v' });
    expect(parse(`k: ${yamlTable('s', name)}`)).toEqual({ k: writeTableName('s', name) });
    expect(parse(`- { table: ${yamlTable('s', name)}, reason: "…" }`)).toEqual([{ table: writeTableName('s', name), reason: '…' }]);
  });

  it('writes a name without quotes unless it holds a dot or a parenthesis, or starts with a quote or space', () => {
    expect(['Order Lines', 'Größe', 'user', 'OrderTotal', 'a"b', 'x"'].map(writeName)).toEqual(['Order Lines', 'Größe', 'user', 'OrderTotal', 'a"b', 'x"']);
    expect(['a.b', '"quoted"', 'f(x)', ' padded '].map(writeName)).toEqual(['"a.b"', '"""quoted"""', '"f(x)"', '" padded "']);
  });

  it('reads SQL-style quoting as the same name, and never folds case', () => {
    expect(readTableName('"Sales Ops"."Order Lines"')).toEqual({ schema: 'Sales Ops', name: 'Order Lines' });
    expect(readTableName('Sales Ops.Order Lines')).toEqual({ schema: 'Sales Ops', name: 'Order Lines' });
    expect(readName('"OrderTotal"')).toBe('OrderTotal');
    expect(readName('OrderTotal')).toBe('OrderTotal');
    expect(readTableName('a.b.c')).toMatchObject({ error: expect.stringContaining('3 dot-separated parts') });
    expect(readName('"open')).toBeUndefined();
  });

  it('custom-code entries: the names in them follow the rule, arguments stay SQL', () => {
    expect(readAddress('function Sales Ops."f.n"(integer, text)')).toEqual({ kind: 'function', names: ['Sales Ops', 'f.n'], args: '(integer, text)' });
    expect(readAddress('trigger Sales Ops.Order Lines.set total')).toEqual({ kind: 'trigger', names: ['Sales Ops', 'Order Lines', 'set total'] });
    expect(readAddress('function Sales Ops.v1.total(integer)')).toBeUndefined();
    expect(canonicalAddress('rule "public"."Odd Name"."Keep It"')).toBe('rule public.Odd Name.Keep It');
    expect(parse(`- { source: ${yamlScalar('function Sales Ops."f.n"(integer, text)')}, pending: "…" }`))
      .toEqual([{ source: 'function Sales Ops."f.n"(integer, text)', pending: '…' }]);
  });

  it('a plan naming such tables and columns by the rule validates, and carries the catalog names', () => {
    const columns = NAMES.map((n) => `      ${yamlKey(n)}: ${yamlScalar(`"${n.replace(/"/g, '""')}"`)}\n`).join('');
    const text = `version: 1
name: names
target: locked
source:
  url: embedded:src
  schemas: [Sales Ops]
destination:
  url: embedded:dst
classes:
${NAMES.map((n, i) => `  c${i}:
    source: { table: ${yamlTable('Sales Ops', n)}, key: [${yamlKey(n)}] }
    destination: { table: ${yamlTable('App', n)}, key: [${yamlKey(n)}] }
    columns:
${columns}    reverse:
${columns}`).join('')}`;
    const { plan, diagnostics } = validatePlan(loadPlanText('names.yaml', text, {}));
    expect(diagnostics).toEqual([]);
    NAMES.forEach((n, i) => {
      const cls = plan!.classes[`c${i}`]!;
      expect(cls.source.key).toEqual([n]);
      expect(Object.keys(cls.columns).sort()).toEqual([...NAMES].sort());
      expect(readTableName(cls.destination.table)).toEqual({ schema: 'App', name: n });
    });
  });
});
