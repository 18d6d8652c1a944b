// The state of dual-run, go-live and rollback: parked mirror changes, compares and their samples,
// hook runs and rehearsals, upgraded into existing state and read back as written.
import { afterAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { isFailure } from '../../engine/failure.js';
import { STATE_MIGRATIONS, STATE_VERSION } from '../../engine/state/migrations.js';
import { ensureMigration, ensureStateSchema, readState } from '../../engine/state/state-store.js';
import { countOpenParked, listParked, markRetried, parkChange, resolveParked } from '../../engine/state/parked-changes.js';
import {
  compareAt, compareHistory, COMPARE_SAMPLE_LIMIT, failedComparesSince, lastCleanCompare, recordCompare, type CompareRun,
} from '../../engine/state/compare-history.js';
import { HOOK_OUTPUT_LIMIT, hookRuns, recordHookRun } from '../../engine/state/hook-runs.js';
import { recordRehearsal, rehearsalFor } from '../../engine/state/rehearsals.js';
import { dropFreshDatabases, freshDatabase, withClient } from '../support/databases.js';

afterAll(dropFreshDatabases);

const SCHEMA = 'cutover_state';
const M = 'orders';
const PHASE_TABLES = ['compare_runs', 'compare_samples', 'hook_runs', 'mirror_status', 'parked_changes', 'rehearsals'];

async function tables(db: pg.Client): Promise<string[]> {
  const { rows } = await db.query<{ t: string }>(`SELECT tablename AS t FROM pg_catalog.pg_tables WHERE schemaname = $1 ORDER BY 1`, [SCHEMA]);
  return rows.map((r) => r.t);
}

async function version(db: pg.Client): Promise<number> {
  return (await db.query<{ v: number }>(`SELECT max(version)::int AS v FROM ${SCHEMA}.state_version`)).rows[0]!.v;
}

async function withState<T>(name: string, fn: (db: pg.Client) => Promise<T>): Promise<T> {
  const url = await freshDatabase('destination', name);
  return withClient(url, async (db) => {
    await ensureStateSchema(db, SCHEMA);
    await ensureMigration(db, SCHEMA, M, 'simulated');
    return fn(db);
  });
}

/** state as a cutover of state version 2 left it */
async function versionTwoState(db: pg.Client): Promise<void> {
  await db.query(`CREATE SCHEMA ${SCHEMA}`);
  await db.query(`CREATE TABLE ${SCHEMA}.state_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
  for (const m of STATE_MIGRATIONS.filter((x) => x.version <= 2)) {
    for (const s of m.statements) await db.query(s.replace(/\{schema\}/g, SCHEMA));
    await db.query(`INSERT INTO ${SCHEMA}.state_version (version) VALUES ($1)`, [m.version]);
  }
  await ensureMigration(db, SCHEMA, M, 'simulated');
  await db.query(`UPDATE ${SCHEMA}.migrations SET phase = 'copied', plan_fingerprint = 'fp-1' WHERE name = $1`, [M]);
}

function compare(at: string, clean: boolean, extra: Partial<CompareRun> = {}): CompareRun {
  return { at, mode: 'hash', snapshot: '100:110:', clean, summary: { invoices: { source: 10, destination: clean ? 10 : 9 } }, durationMs: 1234, ...extra };
}

describe('state version with the phase three to five tables', () => {
  it('is created in empty state', async () => {
    const url = await freshDatabase('destination', 'phase_tables_empty');
    await withClient(url, async (db) => {
      await ensureStateSchema(db, SCHEMA);
      expect(await version(db)).toBe(STATE_VERSION);
      expect(await tables(db)).toEqual(expect.arrayContaining(PHASE_TABLES));
    });
  });

  it('upgrades state of version 2, keeping what it held, and a second upgrade changes nothing', async () => {
    const url = await freshDatabase('destination', 'phase_tables_upgrade');
    await withClient(url, async (db) => {
      await versionTwoState(db);
      expect(await tables(db)).not.toEqual(expect.arrayContaining(['parked_changes']));
      await ensureStateSchema(db, SCHEMA);
      expect(await version(db)).toBe(STATE_VERSION);
      const after = await tables(db);
      expect(after).toEqual(expect.arrayContaining(PHASE_TABLES));
      expect((await readState(db, SCHEMA, M)).migration).toMatchObject({ phase: 'copied', planFingerprint: 'fp-1' });

      await parkChange(db, SCHEMA, M, { class: 'invoices', key: [1], op: 'update', sourceXid: '900', sqlstate: '23514', message: 'check', sourceRow: { id: 1 } }, new Date());
      await ensureStateSchema(db, SCHEMA);
      expect(await version(db)).toBe(STATE_VERSION);
      expect(await tables(db)).toEqual(after);
      expect(await countOpenParked(db, SCHEMA, M)).toBe(1);
      const versions = await db.query(`SELECT version FROM ${SCHEMA}.state_version ORDER BY version`);
      expect(versions.rows.map((r) => r.version)).toEqual(STATE_MIGRATIONS.map((m) => m.version));
    });
  });
});

describe('parked changes', () => {
  it('are parked, counted once when refused again, retried and resolved', async () => {
    await withState('parked_changes', async (db) => {
      const t1 = new Date('2026-12-03T10:00:00Z');
      const t2 = new Date('2026-12-03T10:05:00Z');
      const refused = { class: 'invoices', key: [7, 'eu'], op: 'insert' as const, sourceXid: '4242', sqlstate: '23505', message: 'duplicate key value', sourceRow: { id: 7, region: 'eu' } };
      const id = await parkChange(db, SCHEMA, M, refused, t1);
      const again = await parkChange(db, SCHEMA, M, { ...refused, message: 'duplicate key value (again)' }, t2);
      expect(again).toBe(id);
      const other = await parkChange(db, SCHEMA, M, { ...refused, key: [8, 'eu'], op: 'delete', sqlstate: null, message: 'gone', sourceRow: null }, t2);
      expect(await countOpenParked(db, SCHEMA, M)).toBe(2);
      expect(await listParked(db, SCHEMA, M)).toEqual([
        { id, ...refused, message: 'duplicate key value (again)', firstSeen: t1.toISOString(), attempts: 2, lastAttempt: t2.toISOString(), resolvedAt: null, resolution: null },
        expect.objectContaining({ id: other, key: [8, 'eu'], op: 'delete', sqlstate: null, attempts: 1 }),
      ]);

      const t3 = new Date('2026-12-03T11:00:00Z');
      await markRetried(db, SCHEMA, M, id, t3, { applied: false, sqlstate: '23503', message: 'foreign key' });
      expect((await listParked(db, SCHEMA, M))[0]).toMatchObject({ attempts: 3, sqlstate: '23503', message: 'foreign key', lastAttempt: t3.toISOString(), resolvedAt: null });
      await markRetried(db, SCHEMA, M, id, t3, { applied: true });
      expect(await resolveParked(db, SCHEMA, M, other, 'superseded', t3)).toBe(true);
      expect(await resolveParked(db, SCHEMA, M, other, 'applied', t3)).toBe(false);

      expect(await countOpenParked(db, SCHEMA, M)).toBe(0);
      expect(await listParked(db, SCHEMA, M)).toEqual([]);
      expect((await listParked(db, SCHEMA, M, 'all')).map((p) => [p.id, p.resolution, p.resolvedAt, p.attempts])).toEqual([
        [id, 'retried', t3.toISOString(), 4], [other, 'superseded', t3.toISOString(), 1],
      ]);
      expect(await countOpenParked(db, SCHEMA, 'another')).toBe(0);
    });
  });
});

describe('compare history', () => {
  it('keeps every compare with its bounded samples, newest first', async () => {
    await withState('compare_history', async (db) => {
      const keys = Array.from({ length: 30 }, (_, i) => [i + 1]);
      await recordCompare(db, SCHEMA, M, compare('2026-12-03T12:00:00.000Z', true), []);
      await recordCompare(db, SCHEMA, M, compare('2026-12-03T13:00:00.250Z', false), [{ class: 'invoices', differing: 30, keys }]);
      await recordCompare(db, SCHEMA, M, compare('2026-12-03T14:00:00.000Z', true, { mode: 'count', snapshot: null }), []);

      expect((await compareHistory(db, SCHEMA, M, 2)).map((c) => c.at)).toEqual(['2026-12-03T14:00:00.000Z', '2026-12-03T13:00:00.250Z']);
      expect(await lastCleanCompare(db, SCHEMA, M)).toEqual(compare('2026-12-03T14:00:00.000Z', true, { mode: 'count', snapshot: null }));
      expect((await failedComparesSince(db, SCHEMA, M, new Date('2026-12-03T12:30:00Z'))).map((c) => c.at)).toEqual(['2026-12-03T13:00:00.250Z']);
      expect(await failedComparesSince(db, SCHEMA, M, new Date('2026-12-03T13:30:00Z'))).toEqual([]);

      const found = await compareAt(db, SCHEMA, M, new Date('2026-12-03T13:00:00.250Z'));
      expect(found?.run).toEqual(compare('2026-12-03T13:00:00.250Z', false));
      expect(found?.samples).toEqual([{ class: 'invoices', differing: 30, keys: keys.slice(0, COMPARE_SAMPLE_LIMIT) }]);
      // a resolution names a compare to the second
      expect((await compareAt(db, SCHEMA, M, new Date('2026-12-03T13:00:00Z')))?.run.at).toBe('2026-12-03T13:00:00.250Z');
      expect(await compareAt(db, SCHEMA, M, new Date('2026-12-03T13:00:01Z'))).toBeNull();
      expect(await compareAt(db, SCHEMA, M, new Date('2026-12-03T13:00:00.100Z'))).toBeNull();
      expect(await lastCleanCompare(db, SCHEMA, 'another')).toBeNull();
      // two compares in one second: the second alone does not say which
      await recordCompare(db, SCHEMA, M, compare('2026-12-03T15:00:00.100Z', false), []);
      await recordCompare(db, SCHEMA, M, compare('2026-12-03T15:00:00.900Z', false), []);
      expect(await compareAt(db, SCHEMA, M, new Date('2026-12-03T15:00:00Z'))).toBeNull();
      expect((await compareAt(db, SCHEMA, M, new Date('2026-12-03T15:00:00.900Z')))?.run.at).toBe('2026-12-03T15:00:00.900Z');
    });
  });

  it('never overwrites a failed compare: not by a later one, not by one at the same time, not by hand', async () => {
    await withState('compare_kept', async (db) => {
      const failed = compare('2026-12-03T13:00:00.000Z', false);
      await recordCompare(db, SCHEMA, M, failed, [{ class: 'invoices', differing: 1, keys: [[5]] }]);
      await recordCompare(db, SCHEMA, M, compare('2026-12-03T14:00:00.000Z', true), []);
      const error = await recordCompare(db, SCHEMA, M, compare('2026-12-03T13:00:00.000Z', true), []).catch((e: unknown) => e);
      expect(isFailure(error)).toBe(true);
      expect(error).toMatchObject({ code: 'state.compare_exists' });

      await expect(db.query(`UPDATE ${SCHEMA}.compare_runs SET clean = true WHERE NOT clean`)).rejects.toThrow(/failed compare is kept/);
      await expect(db.query(`DELETE FROM ${SCHEMA}.compare_runs WHERE NOT clean`)).rejects.toThrow(/failed compare is kept/);
      expect(await compareAt(db, SCHEMA, M, new Date(failed.at))).toEqual({ run: failed, samples: [{ class: 'invoices', differing: 1, keys: [[5]] }] });
      expect((await failedComparesSince(db, SCHEMA, M, new Date(0))).map((c) => c.at)).toEqual([failed.at]);
    });
  });
});

describe('hook runs', () => {
  it('are kept in order with the tail of their output', async () => {
    await withState('hook_runs', async (db) => {
      const first = {
        hook: 'switch_reads', phase: 'reads_switched', planFingerprint: 'fp-1', startedAt: '2026-12-03T10:00:00.000Z',
        finishedAt: '2026-12-03T10:00:02.000Z', exitCode: 0, output: 'reads switched\n',
      };
      const long = 'x'.repeat(HOOK_OUTPUT_LIMIT) + 'the end';
      await recordHookRun(db, SCHEMA, M, first);
      await recordHookRun(db, SCHEMA, M, { ...first, hook: 'switch_writes', phase: 'writes_switched', finishedAt: null, exitCode: null, output: long });
      const runs = await hookRuns(db, SCHEMA, M);
      expect(runs[0]).toEqual(first);
      expect(runs[1]).toMatchObject({ hook: 'switch_writes', finishedAt: null, exitCode: null });
      expect(runs[1]!.output).toHaveLength(HOOK_OUTPUT_LIMIT);
      expect(runs[1]!.output.endsWith('the end')).toBe(true);
      expect(await hookRuns(db, SCHEMA, 'another')).toEqual([]);
    });
  });
});

describe('rehearsals', () => {
  it('are found by plan fingerprint and kind, the latest first', async () => {
    await withState('rehearsals', async (db) => {
      const failed = {
        planFingerprint: 'fp-1', kind: 'rollback' as const, startedAt: '2026-12-03T09:00:00.000Z', finishedAt: '2026-12-03T09:10:00.000Z',
        passed: false, detail: { lossy: ['invoices.note'], verify: { failed: 1 } },
      };
      await recordRehearsal(db, SCHEMA, M, failed);
      await recordRehearsal(db, SCHEMA, M, { ...failed, startedAt: '2026-12-03T10:00:00.000Z', passed: true, detail: {} });
      await recordRehearsal(db, SCHEMA, M, { ...failed, planFingerprint: 'fp-2', passed: false });
      expect(await rehearsalFor(db, SCHEMA, M, 'fp-1')).toEqual({ ...failed, startedAt: '2026-12-03T10:00:00.000Z', passed: true, detail: {} });
      expect(await rehearsalFor(db, SCHEMA, M, 'fp-2')).toEqual({ ...failed, planFingerprint: 'fp-2' });
      expect(await rehearsalFor(db, SCHEMA, M, 'fp-1', 'switch_writes')).toBeNull();
      expect(await rehearsalFor(db, SCHEMA, M, 'fp-3')).toBeNull();
    });
  });
});
