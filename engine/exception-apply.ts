// `exception apply`: the documented way through the schema lock. An accommodated change runs on
// the source in one transaction from a registered cutover backend; before it commits, the plan
// must already account for what it adds. Then the fingerprint is re-baselined (logged with what
// changed) and the classes it touched are marked to be copied again.
import os from 'node:os';
import { coverage } from './checks/coverage.js';
import { connect } from './db/connect.js';
import { Failure } from './failure.js';
import { fingerprintDrift, sourceFingerprint, type FingerprintParts } from './introspect/fingerprint.js';
import { introspect } from './introspect/introspect.js';
import { registerBackend, supportInstalled, unregisterBackend } from './lock/source-support.js';
import type { MigrationContext } from './migration-context.js';
import { findTable } from './introspect/catalog.js';
import { canonicalJson } from './hash.js';
import { withStateLock } from './state/state-lock.js';
import type { Exception } from './plan/types.js';
import { appendEvent, hasSucceeded, type AppliedResource, readState, recordResource, removeResource, setFingerprints } from './state/state-store.js';
import { REPLACE_REASON } from './diff/build-plan.js';
import { stateSchema } from './plan/defaults.js';
import type { QueryRunner } from './db/query-runner.js';

export interface ExceptionOutcome {
  kind: 'applied' | 'already-applied';
  changes: string[];
  recopy: string[];
}

function exceptionOf(ctx: MigrationContext, id: string) {
  const exceptions = ctx.plan.lock?.exceptions ?? [];
  const ex = exceptions.find((e) => e.id === id);
  if (!ex) {
    throw new Failure('exception.unknown', `the plan has no exception ${id}`,
      exceptions.length ? `exceptions in the plan: ${exceptions.map((e) => e.id).join(', ')}` : 'add it under lock.exceptions and have it reviewed');
  }
  if (ex.decision !== 'accommodated') {
    throw new Failure('exception.not-accommodated', `exception ${id} is ${ex.decision}; only an accommodated exception can be applied`,
      'review it and set `decision: accommodated` with `maps_to` naming where the plan carries what it adds');
  }
  return ex;
}

/** Drift since the lock is unreviewed: re-baselining over it would hide it from every later plan. */
function refuseDrift(id: string, lock: FingerprintParts | undefined, now: FingerprintParts): void {
  const drift = lock ? fingerprintDrift(lock, now) : [];
  if (drift.length) {
    throw new Failure('exception.source-drifted', `exception ${id} was not applied: the source changed since the lock outside this exception: ${drift.join('; ')}`,
      'resolve that drift first (undo it, or make it an exception of its own and apply that), then apply this exception');
  }
}

/**
 * A class whose source table the change altered is copied again: its recorded copy is marked so
 * the next plan replaces it (uncopy deletes the rows cutover wrote and resets the checkpoint, then
 * it is copied), and its parity result is forgotten so it is checked again.
 */
async function markForRecopy(db: QueryRunner, schema: string, migration: string, resources: readonly AppliedResource[], cls: string, reason: string, at: Date): Promise<void> {
  const copy = resources.find((r) => r.address === `class.${cls}.copy`);
  if (copy) await recordResource(db, schema, migration, { ...copy, attributes: { ...copy.attributes, [REPLACE_REASON]: reason } }, at);
  await removeResource(db, schema, migration, `class.${cls}.parity`);
}

export async function applyException(ctx: MigrationContext, id: string, options: { lockTimeoutMs: number; resolveEmbedded?: (url: string) => Promise<string> }): Promise<ExceptionOutcome> {
  const ex = exceptionOf(ctx, id);
  const schema = stateSchema(ctx.plan);
  const db = ctx.destination.client;
  const lock = { schema, migration: ctx.plan.name, kind: 'state' as const, command: 'cutover exception apply', timeoutMs: options.lockTimeoutMs };
  return withStateLock(db, lock, ctx.destination.pid, () => applyLocked(ctx, ex, id, options));
}

async function applyLocked(ctx: MigrationContext, ex: Exception, id: string, options: { resolveEmbedded?: (url: string) => Promise<string> }): Promise<ExceptionOutcome> {
  const schema = stateSchema(ctx.plan);
  const db = ctx.destination.client;
  const writer = await connect({ side: 'source', url: ctx.plan.source.url }, { purpose: 'exception', resolveEmbedded: options.resolveEmbedded });
  try {
    const state = await readState(db, schema, ctx.plan.name);
    if (!state.migration || state.migration.phase === 'none' || !(await supportInstalled(writer.client, schema))) {
      throw new Failure('exception.not-locked', `migration ${ctx.plan.name} has not locked the source yet`, 'before the lock, a change can be made directly; then update the plan');
    }
    // an applied exception is history, kept in the event log, not a resource the plan converges
    if (await hasSucceeded(db, schema, ctx.plan.name, 'exception', `exception.${id}`)) return { kind: 'already-applied', changes: [], recopy: [] };
    await registerBackend(writer.client, schema, ctx.plan.name, 'exception');
    const before = state.migration.sourceFingerprintParts as FingerprintParts;
    await writer.client.query('BEGIN');
    let after: ReturnType<typeof sourceFingerprint>;
    let prior: FingerprintParts;
    try {
      prior = sourceFingerprint(await introspect(writer.client, ctx.plan.source.schemas)).parts;
      refuseDrift(id, before, prior);
      await writer.client.query(ex.change);
      const catalog = await introspect(writer.client, ctx.plan.source.schemas);
      const unaccounted = coverage(ctx.plan, catalog, catalog, ctx.valid.locate)
        .filter((f) => ['unclassified-table', 'unmapped-column', 'custom-code-unlisted'].includes(f.kind));
      if (unaccounted.length) {
        throw new Failure('exception.unaccounted', `exception ${id} was not applied: the plan does not yet account for what it adds: ${unaccounted.map((f) => f.message).join('; ')}`,
          'map or drop it in the plan first (that is what maps_to records), then apply the exception');
      }
      after = sourceFingerprint(catalog);
      await writer.client.query('COMMIT');
    } catch (e) {
      await writer.client.query('ROLLBACK').catch(() => undefined);
      if (e instanceof Failure) throw e;
      throw new Failure('exception.failed', `exception ${id} failed on the source and was rolled back: ${(e as Error).message}`);
    }
    // the source had not drifted before the change, so this is what the change did and nothing else
    const changes = fingerprintDrift(prior, after.parts);
    const touched = new Set(Object.keys(after.parts.tables).filter((t) => canonicalJson(after.parts.tables[t]) !== canonicalJson(prior.tables[t] ?? null)));
    const catalog = await introspect(writer.client, ctx.plan.source.schemas);
    const recopy = Object.entries(ctx.plan.classes).filter(([, c]) => touched.has(findTable(catalog, c.source.table)?.qualified ?? '')).map(([n]) => n);
    const at = await ctx.clock.now();
    await setFingerprints(db, schema, ctx.plan.name, { source: after.hash, sourceParts: after.parts });
    for (const name of recopy) await markForRecopy(db, schema, ctx.plan.name, state.resources, name, `exception ${id} changed its source table`, at);
    await appendEvent(db, schema, ctx.plan.name, { kind: 'exception', address: `exception.${id}`, outcome: 'ok', detail: { change: ex.change, maps_to: ex.maps_to ?? null, fingerprint_changes: changes, recopy } },
      { at, actor: `${os.userInfo().username}@${os.hostname()}`, planFingerprint: ctx.planFingerprint });
    return { kind: 'applied', changes, recopy };
  } finally {
    await unregisterBackend(writer.client, schema).catch(() => undefined);
    await writer.close();
  }
}
