import { describe, expect, it } from 'vitest';
import { MARKDOWN_LIMIT, renderPlanMarkdown } from '../../cli/render/plan-markdown.js';
import { summaryLine } from '../../cli/render/plan-summary.js';
import { bigPlan, create, finding, gate, parity, planResult, update } from './fixtures.js';

const MORE = 'more (run `cutover plan` locally for all)';

describe('renderPlanMarkdown verdict', () => {
  it('with no changes but a blocked gate and an error, says `No changes.` and what stands in the way', () => {
    const md = renderPlanMarkdown(planResult({ gates: [gate('round_tripped', 'blocked', ['1 null-into-not-null finding'])], findings: [finding('invoices')] }));
    expect(md).toContain('**No changes. 1 gate blocked. 1 data problem.**');
    expect(md).not.toContain('The destination matches the plan');
  });

  it('labels an error for a gate beyond the target with that gate', () => {
    const later = finding('', 'error', { kind: 'reimplemented-missing', column: undefined, message: 'function app.total() is not in the destination' });
    const md = renderPlanMarkdown(planResult({ phase: 'round_tripped', findings: [later] }));
    expect(md).toContain('**No changes. 1 error will block dual_run.**');
    expect(md).toContain('| error (blocks dual_run) | reimplemented-missing |');
  });
});

describe('renderPlanMarkdown', () => {
  const small = planResult({
    changes: [create('lock.schema', { mode: 'enforce' }), update('class.c.mapping', { email: 'email' }, { email: 'lower(email)' })],
    gates: [gate('locked', 'open'), gate('round_tripped', 'blocked', ['preflight found data problems'])],
    findings: [finding('invoices')],
    parity: [parity('invoices', false)],
  });

  it('puts the heading, then the summary line, then the gates, then the details', () => {
    const md = renderPlanMarkdown(small);
    const summary = '**Plan: 1 to add, 1 to change, 0 to destroy. 1 gate blocked. 1 data problem.**';
    expect(md.startsWith('### cutover plan: `chinook-to-storefront` → `round_tripped`\n\n' + summary)).toBe(true);
    expect(md.indexOf(summary)).toBeLessThan(md.indexOf('**Gates**'));
    expect(md.indexOf('**Gates**')).toBeLessThan(md.indexOf('<details>'));
    expect(md).toContain('- ✗ `gate.round_tripped` blocked: preflight found data problems');
  });

  it('shows changes as a diff block and findings and parity as tables, in <details>', () => {
    const md = renderPlanMarkdown(small);
    expect(md).toContain('<details><summary>Changes: 1 to add, 1 to change, 0 to destroy</summary>\n\n```diff\n');
    expect(md).toContain('+   resource "lock.schema" {');
    expect(md).toContain('~       email = "email" -> "lower(email)"');
    expect(md).toContain('| class | severity | kind | column | rows | message | sample keys | plan line |');
    expect(md).toContain('| invoices | error | null-into-not-null | customer\\_id | 12 (0.3%) |');
    expect(md).toContain('| invoices | ✗ failed | 412 | 410 | 0 | missing 2: 98, 99 |');
    expect(md).not.toContain(MORE);
  });

  it('says "No changes." when there is nothing to do', () => {
    expect(renderPlanMarkdown(planResult())).toContain('**No changes. The destination matches the plan.**');
  });

  it('escapes pipes, backticks and HTML in table cells', () => {
    const md = renderPlanMarkdown(
      planResult({ findings: [finding('invoices', 'warning', { message: 'status is `a|b` <script>alert(1)</script>', kind: 'outside-enum' })] }),
    );
    const row = md.split('\n').find((line) => line.startsWith('| invoices |'))!;
    expect(row).toContain('status is \\`a\\|b\\` &lt;script&gt;alert(1)&lt;/script&gt;');
    // 8 columns: 9 unescaped pipes, however many the message held
    expect(row.match(/(?<!\\)\|/g)).toHaveLength(9);
    expect(md).not.toContain('<script>');
  });

  it('keeps a 500-class plan under the limit with its summary and gates', () => {
    const result = bigPlan(500);
    const md = renderPlanMarkdown(result);
    expect(md.length).toBeLessThan(MARKDOWN_LIMIT);
    expect(md).toContain(summaryLine(result.summary));
    expect(md).toContain('Plan: 500 to add, 500 to change, 0 to destroy. 1 gate blocked. 500 data problems.');
    expect(md).toContain('- ✗ `gate.round_tripped` blocked');
    expect(md).toContain('- … `gate.dual_run` deferred');
    expect(md).toMatch(/… and [0-9,]+ more \(run `cutover plan` locally for all\)/);
    // every details block still closes, and the diff fence with it
    expect(md.split('<details>').length).toBe(md.split('</details>').length);
    expect(md.split('```').length % 2).toBe(1);
  });

  it('drops sample keys before collapsing anything', () => {
    const md = renderPlanMarkdown(bigPlan(80));
    expect(md.length).toBeLessThan(MARKDOWN_LIMIT);
    expect(md).not.toContain('sample keys');
    expect(md).not.toContain(MORE);
  });

  it('keeps errors and failed parity ahead of what it elides', () => {
    const md = renderPlanMarkdown(bigPlan(500));
    const findingRows = md.split('\n').filter((l) => /^\| class_\d+ \| (error|warning) \|/.test(l.replace(/\\_/g, '_')));
    expect(findingRows.length).toBeGreaterThan(0);
    expect(findingRows.every((l) => l.includes('| error |'))).toBe(true);
  });
});

describe('renderPlanMarkdown drift and state lock', () => {
  it('notes the lock holder above the verdict and lists drift in its own section', () => {
    const md = renderPlanMarkdown(planResult({
      phase: 'round_tripped',
      drift: { source: ['table public.customers: column loyalty_tier added'], connections: [] },
      stateLock: { user: 'deploy', host: 'ci-7', pid: 4242, backendPid: 811, command: 'cutover apply', since: '2026-12-01T08:59:00.000Z' },
    }));
    expect(md.indexOf('> **Note:** the state is locked by cutover apply (pid 4242 on host ci-7, user deploy)')).toBeLessThan(md.indexOf('**No changes. 1 source change since the lock.**'));
    expect(md).toContain('<details><summary>Drift since the lock (1)</summary>');
    expect(md).toContain('- changed: table public.customers: column loyalty\\_tier added');
  });
});
