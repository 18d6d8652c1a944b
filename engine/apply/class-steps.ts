// Phase two's steps for apply, backed by the round trip's shared sessions.
import { connect, type Session } from '../db/connect.js';
import type { MigrationContext } from '../migration-context.js';
import type { Observed } from '../observe.js';
import type { ClassSteps } from './steps/step.js';
import { RoundTrip } from './round-trip.js';
import { exactCompare } from '../compare/exact-compare.js';
import type { ApplyOptions } from './apply-types.js';
import { stateSchema } from '../plan/defaults.js';
import { registerBackend, supportInstalled } from '../lock/source-support.js';

export interface StepOptions {
  resolveEmbedded?: (url: string) => Promise<string>;
  onEvent?: ApplyOptions['onEvent'];
  signal?: AbortSignal;
  batchRows?: number;
  /** the command the steps serve, as a waiting drain is told */
  command?: string;
}

/** A writable source session registered as one of cutover's backends (once cutover's schema is there). */
export async function openSourceWriter(ctx: MigrationContext, resolveEmbedded: StepOptions['resolveEmbedded'], schema: string, purpose = 'apply'): Promise<Session> {
  const session = await connect({ side: 'source', url: ctx.plan.source.url }, { purpose, resolveEmbedded });
  try {
    if (await supportInstalled(session.client, schema)) await registerBackend(session.client, schema, ctx.plan.name, purpose);
  } catch (e) {
    await session.close();
    throw e;
  }
  return session;
}

/** The round trip's sessions and steps, over what `observed` found of both catalogs. */
export function openRoundTrip(ctx: MigrationContext, writer: Session, observed: Observed, options: StepOptions): RoundTrip {
  const { plan } = ctx;
  return new RoundTrip({
    plan,
    schema: stateSchema(plan),
    sourceCatalog: observed.source,
    destinationCatalog: observed.destination,
    canSetReplicationRole: observed.destination.server.canSetReplicationRole,
    openSource: (purpose, readOnly) => connect({ side: 'source', url: plan.source.url }, { purpose, readOnly, resolveEmbedded: options.resolveEmbedded }),
    openDestination: (purpose) => connect({ side: 'destination', url: plan.destination.url }, { purpose, resolveEmbedded: options.resolveEmbedded }),
    sourceWriter: writer,
    now: () => ctx.clock.now(),
    onEvent: options.onEvent,
    signal: options.signal,
    batchRows: options.batchRows,
    planDir: ctx.valid.loaded.dir,
    command: options.command,
  });
}

export function openClassSteps(ctx: MigrationContext, writer: Session, observed: Observed, options: StepOptions): ClassSteps & { close(): Promise<void> } {
  const roundTrip = openRoundTrip(ctx, writer, observed, options);
  return {
    copy: (name) => roundTrip.copy(name),
    uncopy: (name, was) => roundTrip.uncopy(name, was),
    parity: (name) => roundTrip.parity(name),
    check: (name, kind) => roundTrip.check(name, kind),
    verifyCustomCode: () => roundTrip.verifyCustomCode(),
    drainAll: () => roundTrip.drainAll(),
    reverseDrain: () => roundTrip.reverseDrain(),
    reverseParity: () => roundTrip.reverseParity(),
    compare: () => exactCompare(roundTrip, {
      plan: ctx.plan, schema: stateSchema(ctx.plan), sourceCatalog: observed.source, destinationCatalog: observed.destination,
      planDir: ctx.valid.loaded.dir, now: () => ctx.clock.now(),
    }, `${options.command ?? 'cutover apply'} (compare)`),
    close: () => roundTrip.close(),
  };
}
