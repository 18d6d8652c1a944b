// Phase two's steps for apply, backed by the round trip's shared sessions.
import { connect, type Session } from '../db/connect.js';
import type { MigrationContext } from '../migration-context.js';
import type { Observed } from '../observe.js';
import type { ClassSteps } from './steps/step.js';
import { RoundTrip } from './round-trip.js';
import type { ApplyOptions } from './apply-types.js';
import { stateSchema } from '../plan/defaults.js';

export function openClassSteps(ctx: MigrationContext, writer: Session, observed: Observed, options: ApplyOptions): ClassSteps & { close(): Promise<void> } {
  const { plan } = ctx;
  const roundTrip = new RoundTrip({
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
  });
  return {
    copy: (name) => roundTrip.copy(name),
    uncopy: (name, was) => roundTrip.uncopy(name, was),
    parity: (name) => roundTrip.parity(name),
    check: (name, kind) => roundTrip.check(name, kind),
    verifyCustomCode: () => roundTrip.verifyCustomCode(),
    close: () => roundTrip.close(),
  };
}
