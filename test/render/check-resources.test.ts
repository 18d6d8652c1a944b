// Check resources (class.X.parity, .money, .audit, .attachments) carry their class's whole copy
// mapping, so a re-copy is checked again. The plan prints that mapping once, under class.X.copy;
// the checks point at it (`copy = (class.X.copy)`) and keep what they check in full. A 5-class
// plan stays short: each mapping appears once in the human and in the Markdown output.
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import type { Change } from '../../engine/diff/plan-result.js';
import { renderPlanHuman } from '../../cli/render/plan-human.js';
import { renderPlanMarkdown } from '../../cli/render/plan-markdown.js';
import { create, planResult, replace, update } from './fixtures.js';

const plain = new Chalk({ level: 0 });
const KINDS = ['plain', 'money', 'audit', 'attachments', 'plain'] as const;
const classes = ['customers', 'invoices', 'events', 'documents', 'products'];

/** A class's copy attributes, shaped as engine/diff/resources.ts makes them, with 8 columns. */
function copyOf(cls: string, amount = 'total'): Record<string, unknown> {
  const columns = Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`${cls}_c${i}`, `${cls}_s${i}`]));
  return {
    source_table: `public.${cls}`, destination_table: `app.${cls}`, key: ['id'], destination_key: ['id'],
    columns: { ...columns, amount }, where: null, timestamps: null,
  };
}

function classChanges(cls: string, kind: (typeof KINDS)[number]): Change[] {
  const copy = copyOf(cls);
  const phase = { phase: 'round_tripped' as const };
  const changes = [
    create(`class.${cls}.copy`, copy, phase),
    create(`class.${cls}.parity`, { copy, computed: {}, checks: [{ name: `${cls}_total`, source: 'SELECT 1', destination: 'SELECT 1' }], relationships: [] }, phase),
  ];
  if (kind === 'money') changes.push(create(`class.${cls}.money`, { copy, money: { amount: 'amount', day: 'created_at' } }, phase));
  if (kind === 'audit') changes.push(create(`class.${cls}.audit`, { copy, audit: { order_by: ['id'] } }, phase));
  if (kind === 'attachments') changes.push(create(`class.${cls}.attachments`, { copy, files: { path: 'path', root: '/srv/files' } }, phase));
  return changes;
}

const fiveClasses = planResult({ changes: classes.flatMap((cls, i) => classChanges(cls, KINDS[i]!)) });
const count = (text: string, needle: string) => text.split(needle).length - 1;

describe('check resources in plan output', () => {
  const human = renderPlanHuman(fiveClasses, plain);
  const markdown = renderPlanMarkdown(fiveClasses);

  it('print each class\'s copy mapping once, in the human and the Markdown output', () => {
    for (const cls of classes) {
      for (const out of [human, markdown]) {
        expect(count(out, `${cls}_c0 = "${cls}_s0"`)).toBe(1);
        expect(count(out, `"app.${cls}"`)).toBe(1);
      }
    }
  });

  it('point each check at the copy and keep what it checks', () => {
    for (const address of ['class.customers.parity', 'class.invoices.money', 'class.events.audit', 'class.documents.attachments']) {
      const cls = address.split('.')[1]!;
      const block = human.slice(human.indexOf(`resource "${address}"`));
      expect(block.slice(0, block.indexOf('\n    }'))).toMatch(new RegExp(`\\n {6}\\+ copy +=  ?\\(class\\.${cls}\\.copy\\)\\n`));
    }
    expect(human).toContain('name        = "customers_total"');
    expect(human).toContain('+ amount = "amount"');
    expect(human).toContain('+ audit = {');
    expect(human).toContain('+ root = "/srv/files"');
  });

  it('stay short: a copy block per class and a few lines per check', () => {
    const copyBlock = renderPlanHuman(planResult({ changes: [create('class.x.copy', copyOf('x'), { phase: 'round_tripped' })] }), plain);
    const copyLines = copyBlock.split('\n').filter((l) => l.startsWith('  ') || l.startsWith('    ')).length;
    const checks = fiveClasses.changes.length - classes.length;
    // each check: header, reason, opening, `copy = (…)`, its own attributes (at most 7 lines here),
    // closing, a blank line; with the mapping repeated each would take copyLines more
    expect(copyLines).toBeGreaterThan(15);
    expect(human.split('\n').length).toBeLessThan(classes.length * copyLines + checks * 12 + 30);
  });

  it('a replaced copy: the mapping diff once, the check says its copy changed with it', () => {
    const before = copyOf('invoices');
    const after = copyOf('invoices', 'total * 100');
    const checks = { computed: {}, checks: [], relationships: [] };
    const out = renderPlanHuman(planResult({
      phase: 'round_tripped',
      changes: [replace('class.invoices.copy', before, after), update('class.invoices.parity', { copy: before, ...checks }, { copy: after, ...checks })],
    }), plain);
    expect(count(out, '~ amount')).toBe(1);
    expect(out).toContain('      ~ copy = (changed with class.invoices.copy)\n');
  });

  it('a check whose copy is not in the plan keeps its whole mapping', () => {
    const copy = copyOf('invoices');
    const out = renderPlanHuman(planResult({ changes: [create('class.invoices.parity', { copy, computed: {}, checks: [], relationships: [] }, { phase: 'round_tripped' })] }), plain);
    expect(out).toContain('invoices_c0 = "invoices_s0"');
  });
});
