import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { renderPlanHuman } from '../../cli/render/plan-human.js';
import { summaryLine } from '../../cli/render/plan-summary.js';
import { create, destroy, finding, gate, parity, planResult, replace, update, window } from './fixtures.js';

const plain = new Chalk({ level: 0 });
const render = (...args: Parameters<typeof planResult>) => renderPlanHuman(planResult(...args), plain);

/** The legend's symbol lines: between the legend sentence and the first blank line. */
function legendOf(output: string): string[] {
  const lines = output.split('\n');
  const start = lines.findIndex((l) => l.includes('indicated with the following symbols'));
  const end = lines.indexOf('', start);
  return lines.slice(start + 1, end);
}

describe('renderPlanHuman legend', () => {
  it('lists only the symbols the changes use', () => {
    const out = render({ changes: [create('lock.schema'), create('lock.data')] });
    expect(legendOf(out)).toEqual(['  + create']);
  });

  it('lists every used symbol in terraform order', () => {
    const out = render({
      changes: [replace('class.a.copy', { k: 1 }, { k: 2 }), destroy('lock.old'), update('class.b.copy', { a: 1 }, { a: 2 }), create('lock.schema')],
    });
    expect(legendOf(out)).toEqual(['  + create', '  ~ update in-place', '  - destroy', '-/+ destroy and then create replacement']);
  });

  it('has no legend when there are no changes', () => {
    expect(render({ gates: [gate('round_tripped', 'blocked', ['x'])] })).not.toContain('following symbols');
  });
});

describe('renderPlanHuman changes', () => {
  it('prints one `# address will be …` line per change with its reason', () => {
    const out = render({
      changes: [
        create('class.invoices.copy', { rows: 412 }, { reason: 'the class has not been copied yet' }),
        update('class.invoices.capture', { a: 1 }, { a: 2 }),
        destroy('lock.old'),
        replace('class.customers.copy', { key: ['a'] }, { key: ['b'] }),
      ],
    });
    expect(out).toContain('  # class.invoices.copy will be created\n    (the class has not been copied yet)\n  + resource "class.invoices.copy" {\n      + rows = 412\n    }');
    expect(out).toContain('  # class.invoices.capture will be updated in-place\n');
    expect(out).toContain('  # lock.old will be destroyed\n');
    expect(out).toContain('  # class.customers.copy will be replaced\n');
    expect(out).toContain('-/+ resource "class.customers.copy" {');
  });

  it('groups changes by phase in phase order', () => {
    const out = render({
      changes: [create('class.a.copy', {}, { phase: 'round_tripped' }), create('lock.schema', {}, { phase: 'locked' })],
    });
    expect(out.indexOf('Phase 1: locked')).toBeLessThan(out.indexOf('Phase 2: round_tripped'));
    expect(out.indexOf('# lock.schema')).toBeLessThan(out.indexOf('# class.a.copy'));
  });

  it('shows an update as `~ key = old -> new` and counts unchanged attributes', () => {
    const out = render({ changes: [update('class.a.capture', { mode: 'freeze', table: 't' }, { mode: 'pause', table: 't' })] });
    expect(out).toContain('      ~ mode = "freeze" -> "pause"\n      # (1 unchanged attribute hidden)\n');
  });

  it('diffs a changed SQL mapping line by line', () => {
    const before = { columns: { id: 'invoice_id', total_cents: 'CASE WHEN total IS NULL THEN 0\nELSE (total * 100)::bigint\nEND' } };
    const after = { columns: { id: 'invoice_id', total_cents: 'CASE WHEN total IS NULL THEN 0\nELSE round(total * 100)::bigint\nEND' } };
    const out = render({ changes: [update('class.invoices.mapping', before, after, { reason: 'mapping of column total_cents changed' })] });
    expect(out).toContain(
      [
        '      ~ columns = {',
        '          ~ total_cents = <<-EOT',
        '                CASE WHEN total IS NULL THEN 0',
        '              - ELSE (total * 100)::bigint',
        '              + ELSE round(total * 100)::bigint',
        '                END',
        '            EOT',
        '          # (1 unchanged attribute hidden)',
        '        }',
      ].join('\n'),
    );
  });

  it('diffs a changed check inside a list of records', () => {
    const sql = (n: number) => `SELECT id FROM storefront.customers\nGROUP BY id HAVING count(*) > ${n}`;
    const before = { checks: [{ name: 'email is unique', destination: sql(1) }, { name: 'gone', destination: 'SELECT 1' }] };
    const after = { checks: [{ name: 'email is unique', destination: sql(2) }] };
    const out = render({ changes: [update('class.customers.parity', before, after)] });
    expect(out).toContain(
      [
        '      ~ checks = [',
        '          ~ {',
        '              ~ destination = <<-EOT',
        '                    SELECT id FROM storefront.customers',
        '                  - GROUP BY id HAVING count(*) > 1',
        '                  + GROUP BY id HAVING count(*) > 2',
        '                EOT',
        '              # (1 unchanged attribute hidden)',
        '            }',
        '          - {',
        '              - name        = "gone"',
        '              - destination = "SELECT 1"',
        '            } -> null',
        '        ]',
      ].join('\n'),
    );
  });

  it('marks only the outermost `-> null` of a destroyed nested value', () => {
    const out = render({ changes: [destroy('lock.data', { mode: 'freeze', rules: [{ allow: ['insert'] }] })] });
    expect(out).toContain(
      ['      - mode  = "freeze" -> null', '      - rules = [', '          - {', '              - allow = ["insert"]', '            }', '        ] -> null'].join('\n'),
    );
  });

  it('shows a short changed mapping on one line', () => {
    const out = render({ changes: [update('class.c.mapping', { email: 'email' }, { email: 'lower(email)' })] });
    expect(out).toContain('      ~ email = "email" -> "lower(email)"');
  });
});

describe('renderPlanHuman summary', () => {
  it.each([
    [{ add: 3, change: 1, destroy: 0, gatesBlocked: 1, dataProblems: 2 }, 'Plan: 3 to add, 1 to change, 0 to destroy. 1 gate blocked. 2 data problems.'],
    [{ add: 1, change: 0, destroy: 0, gatesBlocked: 0, dataProblems: 0 }, 'Plan: 1 to add, 0 to change, 0 to destroy.'],
    [{ add: 0, change: 2, destroy: 1, gatesBlocked: 2, dataProblems: 0 }, 'Plan: 0 to add, 2 to change, 1 to destroy. 2 gates blocked.'],
    [{ add: 0, change: 0, destroy: 0, gatesBlocked: 0, dataProblems: 1 }, 'Plan: 0 to add, 0 to change, 0 to destroy. 1 data problem.'],
  ])('summaryLine(%o)', (summary, expected) => {
    expect(summaryLine(summary)).toBe(expected);
  });

  it('ends with the summary line computed from the plan', () => {
    const out = render({
      changes: [create('lock.schema'), create('lock.data'), create('class.a.copy'), update('class.b.copy', { a: 1 }, { a: 2 })],
      gates: [gate('locked', 'open'), gate('round_tripped', 'blocked', ['2 data problems'])],
      findings: [finding('a'), finding('b'), finding('c', 'warning')],
    });
    expect(out.endsWith('\nPlan: 3 to add, 1 to change, 0 to destroy. 1 gate blocked. 2 data problems.\n')).toBe(true);
  });

  it('says the plan is blocked, and ends with `No changes.` and what is in the way, when nothing can be applied', () => {
    const out = render({ gates: [gate('round_tripped', 'blocked', ['preflight found data problems'])], findings: [finding('a')] });
    expect(out).not.toContain('The destination matches the plan');
    expect(out.split('\n')[0]).toBe('cutover has nothing it can apply until what is reported below is resolved.');
    expect(out.endsWith('\nNo changes. 1 gate blocked. 1 data problem.\n')).toBe(true);
  });

  it('never puts `No changes.` above an error: with a blocked gate alone the last line says so', () => {
    const out = render({ phase: 'locked', gates: [gate('round_tripped', 'blocked', ['source changed since the lock: table public.a: column b added'])] });
    expect(out).not.toContain('The destination matches the plan');
    expect(out.endsWith('\nNo changes. 1 gate blocked.\n')).toBe(true);
  });

  it('labels an error for a gate beyond the target with that gate, and names it in the last line', () => {
    const later = finding('', 'error', { kind: 'reimplemented-missing', column: undefined, count: undefined, share: undefined, sampleKeys: undefined, message: 'function app.total() is not in the destination' });
    const out = render({ phase: 'round_tripped', target: 'round_tripped', findings: [later, finding('b', 'warning', { kind: 'timezone-differs' })] });
    expect(out).toContain('    error (blocks dual_run) reimplemented-missing');
    expect(out).not.toContain('The destination matches the plan');
    expect(out.split('\n')[0]).toContain('found nothing to apply on the way to target round_tripped. What is reported below stands in the way of a later phase.');
    expect(out.endsWith('\nNo changes. 1 error will block dual_run.\n')).toBe(true);
  });

  it('counts every error it labels `error` in the summary line; the rest carry their gate', () => {
    const out = render({
      target: 'round_tripped',
      changes: [create('class.a.copy')],
      gates: [gate('round_tripped', 'blocked', ['2 null-into-not-null findings'])],
      findings: [
        finding('a'), finding('b'), finding('a', 'warning', { kind: 'timezone-differs' }),
        finding('', 'error', { kind: 'reimplemented-missing', column: undefined }),
        finding('', 'error', { kind: 'reimplemented-missing', column: undefined }),
      ],
    });
    const plainErrors = out.split('\n').filter((l) => /^\s+error\s{2,}\S/.test(l)).length;
    const laterErrors = out.split('\n').filter((l) => /^\s+error \(blocks dual_run\) /.test(l)).length;
    const last = out.trimEnd().split('\n').pop();
    expect([plainErrors, laterErrors]).toEqual([2, 2]);
    expect(last).toBe(`Plan: 1 to add, 0 to change, 0 to destroy. 1 gate blocked. ${plainErrors} data problems. ${laterErrors} errors will block dual_run.`);
  });
});

describe('renderPlanHuman with nothing to do', () => {
  it('says exactly "No changes." and nothing like a summary', () => {
    const out = render();
    expect(out.split('\n')[0]).toBe('No changes. The destination matches the plan.');
    expect(out).not.toContain('Plan:');
  });

  it('still shows warnings and parity', () => {
    const out = render({ findings: [finding('invoices', 'warning', { kind: 'timezone-differs' })], parity: [parity('invoices')] });
    expect(out.startsWith('No changes. The destination matches the plan.\n')).toBe(true);
    expect(out).toContain('Preflight findings:\n  invoices\n    warning timezone-differs');
    expect(out).toContain('Parity:\n  ✓ invoices passed: 412 source rows, 412 destination rows');
  });
});

describe('renderPlanHuman sections', () => {
  it('shows each gate with its status, reasons and when it opens', () => {
    const out = render({
      changes: [create('lock.schema')],
      gates: [
        gate('locked', 'open'),
        gate('reads_switched', 'blocked', ['dual-run window has not elapsed'], { opensAt: '2026-12-01T09:04:00.000Z' }),
        gate('writes_switched', 'deferred', ['tail window elapsed with clean compares']),
      ],
    });
    expect(out).toContain(
      [
        'Gates:',
        '  ✓ gate.locked open',
        '  ✗ gate.reads_switched blocked',
        '      - dual-run window has not elapsed',
        '      opens at 2026-12-01T09:04:00.000Z (in about 4 minutes)',
        '  … gate.writes_switched deferred',
        '      - tail window elapsed with clean compares',
      ].join('\n'),
    );
  });

  it('estimates write windows in words', () => {
    const out = render({ changes: [create('hook.switch_writes')], windows: [window({ estimatedSeconds: 250 })] });
    expect(out).toContain('Write windows:\n  writes_switched: the source is read-only while the mirror drains and the final compare runs, about 4 minutes\n      basis: ');
  });

  it('groups findings by class with count, share, column, line and at most 5 sample keys', () => {
    const keys = [[1], [2], [3], [4], [5], [6]];
    const out = render({ findings: [finding('invoices', 'error', { count: 1200, share: 0.25, sampleKeys: keys })] });
    expect(out).toContain('  invoices\n    error   null-into-not-null, column customer_id, 1,200 rows (25%), plan line 42\n');
    expect(out).toContain('            sample keys: 1, 2, 3, 4, 5 and 1,195 more');
  });

  it('shows parity differences with their sample keys', () => {
    const out = render({
      parity: [parity('invoices', false, { differences: [{ kind: 'changed', count: 1, columns: ['total_cents'], sampleKeys: [[17]] }] })],
    });
    expect(out).toContain('  ✗ invoices failed: 412 source rows, 410 destination rows');
    expect(out).toContain('      changed: 1 row in total_cents; sample keys: 17');
  });
});

describe('renderPlanHuman colour and secrets', () => {
  it('is plain text with a level-0 chalk and coloured with a colourful one', () => {
    const result = planResult({ changes: [create('lock.schema', { a: 1 }), destroy('lock.old', { a: 1 })] });
    expect(renderPlanHuman(result, plain)).not.toMatch(/\u001b\[/);
    const coloured = renderPlanHuman(result, new Chalk({ level: 1 }));
    expect(coloured).toContain(new Chalk({ level: 1 }).green('+'));
    expect(coloured).toContain(new Chalk({ level: 1 }).red('-'));
  });

  it('never prints a connection string', () => {
    const out = render({
      changes: [
        update('lock.integrations', { url: 'postgres://app:s3cret@db.internal:5432/prod' }, { url: 'embedded:demo' }, {
          reason: 'connection to postgresql://app:s3cret@db.internal/prod failed; host=db password=hunter2',
        }),
      ],
    });
    expect(out).not.toMatch(/s3cret|hunter2|db\.internal/);
    expect(out).toContain('(connection string hidden)');
  });
});

describe('renderPlanHuman drift and state lock', () => {
  it('opens with the state lock holder, lists drift, and never says the destination matches', () => {
    const out = render({
      phase: 'round_tripped',
      drift: { source: ['table public.customers: column loyalty_tier added'], connections: ['etl / loader / 10.0.0.5'] },
      stateLock: { user: 'deploy', host: 'ci-7', pid: 4242, backendPid: 811, command: 'cutover apply', since: '2026-12-01T08:59:00.000Z' },
      findings: [finding('', 'warning', { kind: 'new-connection', column: undefined, message: 'a client not seen when the source was locked is connected' })],
    });
    expect(out.split('\n')[0]).toBe('Note: the state is locked by cutover apply (pid 4242 on host ci-7, user deploy) since 2026-12-01T08:59:00.000Z; this plan may show work in progress.');
    expect(out).toContain('Drift since the lock:\n  changed table public.customers: column loyalty_tier added\n  new client etl / loader / 10.0.0.5 (a possible new integration');
    expect(out).not.toContain('Preflight findings:'); // the new client is listed once, under drift
    expect(out).not.toContain('The destination matches the plan');
    expect(out.endsWith('\nNo changes. 1 source change since the lock.\n')).toBe(true);
  });
});
