// The audit check against real servers: an audit log with local New York times on the source,
// instants on the destination; order, anchors, rewrites, and the append-only guard.
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { captureFunction, captureStatements } from '../../engine/capture/capture-objects.js';
import { names } from '../../engine/lock/object-names.js';
import type { ExpressionType } from '../../engine/checks/expressions.js';
import type { CheckResult } from '../../engine/diff/plan-result.js';
import type { Catalog } from '../../engine/introspect/catalog.js';
import { introspect } from '../../engine/introspect/introspect.js';
import type { AuditSection, Plan, RecordClass } from '../../engine/plan/types.js';
import { auditGuardStatements, checkAudit, dropAuditGuardStatements } from '../../engine/checks/audit/index.js';
import { dropFreshDatabases, freshDatabase } from '../support/databases.js';

const SOURCE_SQL = `
CREATE TABLE public.audit_log (
  id int PRIMARY KEY,
  occurred_at timestamp NOT NULL,
  actor text NOT NULL,
  action text NOT NULL
);
-- every 7 minutes from 2026-03-07 local New York time, across the spring-forward gap on 2026-03-08
INSERT INTO public.audit_log
SELECT g, timestamp '2026-03-07 00:00' + g * interval '7 minutes', 'user' || (g % 5), CASE WHEN g % 2 = 0 THEN 'login' ELSE 'refund' END
  FROM generate_series(1, 1500) g;`;

const DESTINATION_SQL = `
CREATE SCHEMA storefront;
CREATE TABLE storefront.audit_events (
  id int PRIMARY KEY,
  occurred_at timestamptz NOT NULL,
  actor text NOT NULL,
  action text NOT NULL
);
CREATE SCHEMA cutover;`;

const MIGRATION = 'audit-test';

// id 1001: 2026-03-07 00:00 + 7007 min = 2026-03-11 20:47 New York (EDT, UTC-4) = 2026-03-12T00:47Z
// id 100:  2026-03-07 11:40 New York (EST, UTC-5) = 2026-03-07T16:40Z
const ANCHORS: AuditSection['anchors'] = [{ key: [1001], utc: '2026-03-12T00:47:00Z' }, { key: [100], utc: '2026-03-07T16:40:00Z' }];

function planOf(sourceTimezone = 'America/New_York', anchors = ANCHORS): Plan {
  const events: RecordClass = {
    kind: 'audit',
    source: { table: 'audit_log', key: ['id'] },
    destination: { table: 'storefront.audit_events', key: ['id'] },
    columns: { id: 'id', occurred_at: 'occurred_at', actor: 'actor', action: 'action' },
    timestamps: { source_timezone: sourceTimezone, ambiguous: 'earlier', nonexistent: 'forward' },
    audit: { order_by: ['occurred_at', 'id'], anchors },
  };
  return {
    version: 1, name: MIGRATION, target: 'round_tripped',
    source: { url: 'unused', schemas: ['public'] }, destination: { url: 'unused' },
    classes: { audit_events: events },
  };
}

const type = (baseType: string, typeName: string, category: string, typeOid: number): ExpressionType => ({
  typeOid, typeName, typmod: -1, baseType, baseTypmod: -1, category,
});
/** what describeMappings reports for the class's expressions */
const TYPES = new Map<string, ExpressionType>([
  ['id', type('int4', 'integer', 'N', 23)],
  ['occurred_at', type('timestamp', 'timestamp without time zone', 'D', 1114)],
  ['actor', type('text', 'text', 'S', 25)],
  ['action', type('text', 'text', 'S', 25)],
]);

let source: pg.Client;
let destination: pg.Client;
let sourceCatalog: Catalog;
let destinationCatalog: Catalog;

/** copies the log, reading its local times in `zone` (as a plan declaring that zone would) */
async function copy(zone = 'America/New_York'): Promise<void> {
  const { rows } = await source.query(
    `SELECT id, to_char(occurred_at, 'YYYY-MM-DD"T"HH24:MI:SS') AS occurred_at, actor, action FROM audit_log ORDER BY id`);
  await destination.query('TRUNCATE storefront.audit_events');
  await destination.query(
    `INSERT INTO storefront.audit_events
     SELECT r.id, r.occurred_at::timestamp AT TIME ZONE $2, r.actor, r.action
       FROM json_to_recordset($1::json) AS r(id int, occurred_at text, actor text, action text)`,
    [JSON.stringify(rows), zone]);
}

function check(plan: Plan, chunkRows?: number): Promise<CheckResult> {
  return checkAudit({
    plan, className: 'audit_events', source, destination, sourceCatalog, destinationCatalog, types: TYPES,
    checkedAt: new Date('2026-04-01T00:00:00Z'), chunkRows,
  });
}

const kinds = (r: CheckResult) => r.problems.map((p) => p.kind);

beforeAll(async () => {
  const [sourceUrl, destinationUrl] = await Promise.all([freshDatabase('source', 'audit'), freshDatabase('destination', 'audit')]);
  source = new pg.Client({ connectionString: sourceUrl });
  destination = new pg.Client({ connectionString: destinationUrl });
  await Promise.all([source.connect(), destination.connect()]);
  await source.query(SOURCE_SQL);
  await destination.query(DESTINATION_SQL);
  sourceCatalog = await introspect(source, ['public']);
  destinationCatalog = await introspect(destination, ['storefront']);
});

afterAll(async () => {
  await Promise.all([source?.end(), destination?.end()]);
  await dropFreshDatabases();
});

beforeEach(async () => {
  await copy();
});

describe('checkAudit', () => {
  it('passes a clean copy: same sequence, anchors hold, no capture', async () => {
    const result = await check(planOf(), 100);
    expect(result.problems).toEqual([]);
    expect(result.passed).toBe(true);
    expect(result.kind).toBe('audit');
    const details = result.details as { sourceRows: number; chunks: { source: number }; sequenceHash: { source: string; destination: string }; anchors: { status: string; found: string }[] };
    expect(details.sourceRows).toBe(1500);
    expect(details.chunks.source).toBe(15);
    expect(details.sequenceHash.source).toBe(details.sequenceHash.destination);
    expect(details.anchors.map((a) => [a.status, a.found])).toEqual([['ok', '2026-03-12T00:47:00Z'], ['ok', '2026-03-07T16:40:00Z']]);
    expect(result.summary).toMatch(/1,500 audit rows in the same order/);
  });

  it('catches, by an anchor, a copy made with the wrong declared timezone that both sides agree on', async () => {
    // the plan says the source's local times are UTC; the copy followed the plan
    await copy('UTC');
    const result = await check(planOf('UTC'));
    // the sequence is the same on both sides (both read through the same wrong zone) …
    expect(kinds(result)).toEqual(['anchor-mismatch']);
    // … but the instants known from outside do not hold
    const mismatch = result.problems[0]!;
    expect(mismatch.count).toBe(2);
    expect(mismatch.samples[0]).toEqual({
      key: [1001], destinationKey: [1001], expected: '2026-03-12T00:47:00Z', found: '2026-03-11T20:47:00Z', offBy: '-04:00:00',
    });
    expect(mismatch.detail).toMatch(/holds 2026-03-11T20:47:00Z, expected 2026-03-12T00:47:00Z/);
  });

  it('reports anchors whose rows do not exist', async () => {
    await destination.query('DELETE FROM storefront.audit_events WHERE id = 100');
    const result = await check(planOf('America/New_York', [...ANCHORS!, { key: [99999], utc: '2026-03-07T16:40:00Z' }]));
    const missing = result.problems.find((p) => p.kind === 'anchor-missing')!;
    expect(missing.count).toBe(2);
    expect(missing.detail).toMatch(/no destination row of storefront.audit_events has key \[100\]/);
    expect(missing.detail).toMatch(/no source row of public.audit_log has key \[99999\]/);
  });

  it('catches a reordered sequence (two occurred_at values swapped on the destination) and locates it', async () => {
    await destination.query(`
      UPDATE storefront.audit_events d SET occurred_at = o.occurred_at
        FROM (SELECT id, occurred_at FROM storefront.audit_events WHERE id IN (700, 705)) o
       WHERE d.id IN (700, 705) AND o.id <> d.id`);
    const result = await check(planOf(), 100);
    expect(result.passed).toBe(false);
    const order = result.problems.find((p) => p.kind === 'order-differs')!;
    expect(order).toBeDefined();
    // positions 699 and 704 (0-based): the swapped rows change places; rows in between keep theirs
    expect(order.samples).toEqual([
      { position: 699, source: [700], destination: [705] },
      { position: 704, source: [705], destination: [700] },
    ]);
    expect(order.detail).toMatch(/diverges at position 699/);
    expect(order.detail).toMatch(/2 of 15 chunks/);
  });

  it('reports the same key with a different row at a position as row-differs', async () => {
    await destination.query(`UPDATE storefront.audit_events SET actor = 'mallory' WHERE id = 42`);
    const result = await check(planOf());
    expect(kinds(result)).toEqual(['row-differs']);
    expect(result.problems[0]!.samples).toEqual([{ position: 41, key: [42] }]);
  });

  it('reports a captured update of an audit source row', async () => {
    await source.query('CREATE SCHEMA IF NOT EXISTS cutover');
    await source.query(captureFunction('cutover', MIGRATION));
    for (const s of captureStatements('cutover', MIGRATION, 'audit_events', 'public.audit_log', ['id'])) await source.query(s);
    try {
      await source.query(`INSERT INTO audit_log VALUES (1501, '2026-03-17 10:00', 'user1', 'login')`);
      await source.query(`UPDATE audit_log SET action = 'nothing happened' WHERE id = 1001`);
      await source.query(`DELETE FROM audit_log WHERE id = 1501`);
      const result = await check(planOf());
      const rewritten = result.problems.find((p) => p.kind === 'audit-rewritten')!;
      expect(rewritten.count).toBe(2);
      expect(rewritten.samples).toMatchObject([{ op: 'update', key: [1001] }, { op: 'delete', key: [1501] }]);
      expect(rewritten.detail).toMatch(/public.audit_log was rewritten after capture began \(1 update, 1 delete\)/);
      expect((result.details as { capture: unknown }).capture).toEqual({ installed: true, updates: 1, deletes: 1, truncates: 0 });
    } finally {
      await source.query(`UPDATE audit_log SET action = 'refund' WHERE id = 1001`);
      await source.query('DROP SCHEMA cutover CASCADE');
      await source.query(`DROP TRIGGER IF EXISTS ${source.escapeIdentifier(names.captureTrigger(MIGRATION))} ON audit_log`);
      await source.query(`DROP TRIGGER IF EXISTS ${source.escapeIdentifier(names.captureTruncateTrigger(MIGRATION, 'audit_events'))} ON audit_log`);
    }
  });
});

describe('append-only guard', () => {
  it('rejects UPDATE, DELETE and TRUNCATE on the destination table, lets INSERT through, and is dropped cleanly', async () => {
    for (const s of auditGuardStatements('cutover', MIGRATION, 'storefront.audit_events')) await destination.query(s);
    // installing twice is fine
    for (const s of auditGuardStatements('cutover', MIGRATION, 'storefront.audit_events')) await destination.query(s);
    try {
      await expect(destination.query(`UPDATE storefront.audit_events SET actor = 'mallory' WHERE id = 1`))
        .rejects.toThrow('UPDATE on storefront.audit_events is not allowed: it is an append-only audit table (cutover migration audit-test)');
      await expect(destination.query('DELETE FROM storefront.audit_events WHERE id = 1')).rejects.toThrow(/DELETE on storefront.audit_events is not allowed/);
      await expect(destination.query('TRUNCATE storefront.audit_events')).rejects.toThrow(/TRUNCATE on storefront.audit_events is not allowed/);
      // an update touching no row is no rewrite
      await destination.query(`UPDATE storefront.audit_events SET actor = 'x' WHERE id = -1`);
      // appending, also through an upsert of a new key (as replay does), works
      await destination.query(`INSERT INTO storefront.audit_events VALUES (2000, now(), 'user1', 'login')`);
      await destination.query(`INSERT INTO storefront.audit_events VALUES (2001, now(), 'user1', 'login')
                                ON CONFLICT (id) DO UPDATE SET actor = excluded.actor`);
      const { rows } = await destination.query<{ n: number }>(`SELECT count(*)::int AS n FROM storefront.audit_events WHERE actor = 'mallory'`);
      expect(rows[0]!.n).toBe(0);
    } finally {
      for (const s of dropAuditGuardStatements('cutover', MIGRATION, 'storefront.audit_events')) await destination.query(s);
    }
    const { rows } = await destination.query<{ triggers: number; functions: number }>(
      `SELECT (SELECT count(*)::int FROM pg_trigger WHERE tgname LIKE 'cutover_append_only%') AS triggers,
              (SELECT count(*)::int FROM pg_proc WHERE proname LIKE 'cutover_append_only%') AS functions`);
    expect(rows[0]).toEqual({ triggers: 0, functions: 0 });
    await destination.query('DELETE FROM storefront.audit_events WHERE id >= 2000');
  });
});
