// What `cutover status` (and --json) and `cutover plan` show once a migration is in dual-run: the
// mirror from its heartbeat, a parked change with the destination's error, the compares, and the
// reads_switched gate's reasons in words. Apply cannot reach dual-run yet, so the test applies up
// to round_tripped and then moves the phase, and writes the mirror's facts, through the stores.
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshPair, withClient } from '../support/databases.js';
import { cutover, endToEndFile, expectExit } from '../support/cutover-cli.js';
import { expectOutput } from '../support/output-schemas.js';
import { lockSection, planHead } from '../support/plan-folder.js';
import { setPhase } from '../../engine/state/state-store.js';
import { parkChange } from '../../engine/state/parked-changes.js';
import { recordCompare } from '../../engine/state/compare-history.js';
import { startMirrorStatus, stopMirrorStatus } from '../../engine/state/mirror-status.js';

const folder = endToEndFile();
const NAME = 'dual-status';
const FAILED_AT = '2026-12-01T12:00:00.250Z';
let destination: string;
let env: Record<string, string>;
let statusFile: string;

function planText(target: string, resolutions = ''): string {
  return `${planHead({ name: NAME, target, clock: 'simulated' })}${lockSection({ schema: 'detect', integrations: 'detect' })}classes:
  customers:
    source: { table: customer, key: [customer_id] }
    destination: { table: app.customers, key: [id] }
    columns: { id: customer_id, name: name }
    reverse: { customer_id: id, name: name }
dual_run:
  window: 2d
  compare_every: 1h
${resolutions}go_live:
  tail_window: 24h
  max_lag: 5s
  rollback_window: 7d
  switch_reads: { run: 'true' }
  switch_writes: { run: 'true' }
  rollback: { run: 'true' }
retention:
  read_only_for: 90d
  agreed_by: ops@example.com
  agreed_on: 2026-11-20
`;
}

const at = (iso: string) => new Date(iso);

beforeAll(async () => {
  const pair = await freshPair(
    `CREATE TABLE customer (customer_id int PRIMARY KEY, name text NOT NULL);
     INSERT INTO customer SELECT i, 'n' || i FROM generate_series(1, 10) i;`,
    'CREATE SCHEMA app; CREATE TABLE app.customers (id int PRIMARY KEY, name text NOT NULL);', 'dualstatus');
  destination = pair.destination;
  env = pair.env;
  const applyFile = folder.write('apply.yaml', planText('round_tripped'));
  statusFile = folder.write('status.yaml', planText('reads_switched'));
  expectExit(await cutover(['apply', applyFile, '--auto-approve', '--now', '2026-12-01T09:00:00Z'], env), 0);
  await withClient(destination, async (db: pg.Client) => {
    await setPhase(db, 'cutover', NAME, 'dual_run', at('2026-12-01T10:00:00Z'));
    await parkChange(db, 'cutover', NAME, {
      class: 'customers', key: [7], op: 'update', sourceXid: '912', sqlstate: '23514',
      message: 'new row for relation "customers" violates check constraint "name_short"', sourceRow: { id: 7, name: 'a very long name' },
    }, at('2026-12-01T11:30:00Z'));
    const run = (iso: string, clean: boolean) => ({ at: iso, mode: 'count' as const, snapshot: null, clean, summary: {}, durationMs: 40 });
    await recordCompare(db, 'cutover', NAME, run('2026-12-01T11:00:00.000Z', true), [{ class: 'customers', differing: 0, keys: [] }]);
    await recordCompare(db, 'cutover', NAME, run(FAILED_AT, false), [{ class: 'customers', differing: 2, keys: [[3], [4]] }]);
    await recordCompare(db, 'cutover', NAME, run('2026-12-01T13:00:00.000Z', true), [{ class: 'customers', differing: 0, keys: [] }]);
    await startMirrorStatus(db, 'cutover', NAME, { pid: 4242, host: 'mirror-host', applied: 120, rate: 12.5, lagSeconds: 0.2, pending: 1 });
  });
}, 120_000);

interface DualRunJson {
  mirror: { running: boolean; host: string; pid: number; applied: number; rate: number } | null;
  mirror_expected: boolean;
  parked: { count: number; first: { class: string; key: unknown[]; op: string; message: string }[] };
  compares: { count: number; failed: number; latest: { at: string; clean: boolean; differing: { class: string; keys: number }[] }[] };
}

describe('status and plan in dual-run', () => {
  it('status shows the mirror, the parked change, the compares and why reads cannot switch yet', async () => {
    const r = await cutover(['status', statusFile, '--now', '2026-12-01T14:00:00Z'], env);
    expectExit(r, 0);
    expect(r.stdout).toContain(`${NAME}: phase dual_run, target reads_switched`);
    expect(r.stdout).toMatch(/ {2}mirror: running on mirror-host \(pid 4242\) since \S+, last beat [^;]+; 120 changes applied, 13 changes\/s\n/);
    expect(r.stdout).toContain([
      '  lag: caught up, nothing waiting',
      '  parked: 1 change the destination refused',
      '    customers 7 (update, 1 attempt): new row for relation "customers" violates check constraint "name_short"',
      '  compares: 3 compares since dual-run began, 1 failed; latest first:',
      '    2026-12-01T13:00:00.000Z clean',
      `    ${FAILED_AT} differed: customers 2 keys`,
      '    2026-12-01T11:00:00.000Z clean',
    ].join('\n'));
    expect(r.stdout).not.toContain('The mirror is not running');
    expect(r.stdout).toContain('  ✗ gate.reads_switched blocked');
    expect(r.stdout).toContain('      - the compare at 2026-12-01T12:00:00Z failed and is not resolved in dual_run.resolutions: customers (2 keys differed)');
    expect(r.stdout).toContain('      - 1 change the destination refused is parked: customers 7 (update): new row for relation "customers" violates check constraint "name_short"; fix what it refuses and let the mirror retry them');
    expect(r.stdout).toMatch(/\n {6}- the dual-run window \(2d since 2026-12-01T\S+\) has not elapsed\n/);
    expect(r.stdout).toContain('      opens at 2026-12-03T10:00:00.000Z');
  }, 60_000);

  it('status --json carries the same, valid against its schema', async () => {
    const r = await cutover(['status', statusFile, '--json', '--now', '2026-12-01T14:00:00Z'], env);
    expectExit(r, 0);
    const doc = expectOutput<{ dual_run: DualRunJson; gates: { address: string; reasons: string[] }[] }>('status', r.stdout);
    expect(doc.dual_run.mirror).toMatchObject({ running: true, host: 'mirror-host', pid: 4242, applied: 120, rate: 12.5 });
    expect(doc.dual_run.mirror_expected).toBe(true);
    expect(doc.dual_run.parked).toMatchObject({ count: 1, first: [{ class: 'customers', key: [7], op: 'update' }] });
    expect(doc.dual_run.compares).toMatchObject({ count: 3, failed: 1 });
    expect(doc.dual_run.compares.latest[1]).toEqual({ at: FAILED_AT, clean: false, differing: [{ class: 'customers', keys: 2 }] });
    expect(doc.gates.find((g) => g.address === 'gate.reads_switched')?.reasons).toContain(
      'the compare at 2026-12-01T12:00:00Z failed and is not resolved in dual_run.resolutions: customers (2 keys differed)');
  }, 60_000);

  it('a resolution naming the failed compare by its second and class resolves it', async () => {
    const resolved = folder.write('resolved.yaml', planText('reads_switched',
      '  resolutions:\n    - { compare: 2026-12-01T12:00:00Z, class: customers, reason: counted before the replay finished, by: dana@example.com }\n'));
    const r = await cutover(['status', resolved, '--json', '--now', '2026-12-01T14:00:00Z'], env);
    expectExit(r, 0);
    const reasons = expectOutput<{ gates: { address: string; reasons: string[] }[] }>('status', r.stdout).gates.find((g) => g.address === 'gate.reads_switched')!.reasons;
    expect(reasons.some((x) => x.includes('the compare at'))).toBe(false);
    expect(reasons.some((x) => x.includes('is parked'))).toBe(true);
  }, 60_000);

  it('plan names the mirror as what must run once it stopped, and plan --json stays valid', async () => {
    await withClient(destination, (db: pg.Client) => stopMirrorStatus(db, 'cutover', NAME, 4242));
    const r = await cutover(['plan', statusFile, '--now', '2026-12-01T14:00:00Z'], env);
    expectExit(r, 0);
    expect(r.stdout.split('\n')[0]).toBe(`The mirror is not running: start \`cutover mirror ${statusFile}\``);
    expect(r.stdout).toMatch(/ {2}mirror: not running, stopped at \S+; it ran on mirror-host \(pid 4242\) and applied 120 changes\n/);
    const json = await cutover(['plan', statusFile, '--json', '--now', '2026-12-01T14:00:00Z'], env);
    expectExit(json, 0);
    const doc = expectOutput<{ dual_run: DualRunJson }>('plan', json.stdout);
    expect(doc.dual_run.mirror).toMatchObject({ running: false });
    const status = await cutover(['status', statusFile, '--now', '2026-12-01T14:00:00Z'], env);
    expect(status.stdout).toContain(`  The mirror is not running: start \`cutover mirror ${statusFile}\``);
  }, 60_000);
});
