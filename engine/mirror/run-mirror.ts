// `cutover mirror`: the long-running follower of dual-run and the tail window. Under a lock of its
// own (apply can run beside it; they hand over through the drain lock), it drains the capture log
// again and again — every change up to a source snapshot, with the position, in one destination
// transaction — parks what the destination refuses, compares at `compare_every`, and beats its
// heartbeat into state. A stop request ends it between drains; a kill at any moment loses
// nothing: the next run starts from the position the last committed drain recorded.
import os from 'node:os';
import { computePlan } from '../compute-plan.js';
import { oldestPendingAge, pendingByClass } from '../capture/capture-log.js';
import { openRoundTrip, openSourceWriter, type StepOptions } from '../apply/class-steps.js';
import type { RoundTrip } from '../apply/round-trip.js';
import { exactCompare } from '../compare/exact-compare.js';
import { classVerdicts, compareClean } from '../compare/compare-findings.js';
import { readProgress } from '../copy/copy-progress.js';
import type { OnMirrorEvent } from '../events.js';
import { Failure } from '../failure.js';
import { isInterrupted } from '../interrupted.js';
import { unregisterBackend } from '../lock/source-support.js';
import type { MigrationContext } from '../migration-context.js';
import { parseDuration } from '../plan/duration.js';
import { stateSchema } from '../plan/defaults.js';
import { reached } from '../phases/phase-order.js';
import { readCapturePosition } from '../state/capture-position.js';
import { compareHistory } from '../state/compare-history.js';
import { beatMirrorStatus, startMirrorStatus, stopMirrorStatus, type MirrorBeat } from '../state/mirror-status.js';
import { countOpenParked } from '../state/parked-changes.js';
import { withStateLock } from '../state/state-lock.js';
import { retryParked } from './retry-parked.js';

export interface MirrorOptions {
  signal: AbortSignal;
  onEvent: OnMirrorEvent;
  resolveEmbedded?: StepOptions['resolveEmbedded'];
  lockTimeoutMs: number;
  /** one drain (and the compare, when one is due), then stop */
  once?: boolean;
  /** try every open parked change again first */
  retryRejected?: boolean;
  /** pause after a drain that found nothing */
  idleMs?: number;
  /** how often the status is reported and the heartbeat written */
  reportMs?: number;
}

export interface MirrorOutcome {
  applied: number;
  parked: number;
  compares: number;
  /** the last compare this run made: clean or not (null: none ran) */
  lastCompareClean: boolean | null;
}

/** the phases the forward mirror follows: dual-run and the tail window */
function requirePhase(phase: string, migration: string): void {
  if (phase === 'dual_run' || phase === 'reads_switched') return;
  const hint = reached(phase as never, 'writes_switched') || phase === 'rolled_back'
    ? 'the source no longer takes writes: there is nothing to mirror forward'
    : 'set target: dual_run in the plan and run `cutover apply`; the mirror follows dual-run and the tail window';
  throw new Failure('mirror.phase', `migration ${migration} is at phase ${phase}, and the mirror runs only in dual_run and reads_switched`, hint);
}

const sleep = (ms: number, signal: AbortSignal) => new Promise<void>((resolve) => {
  if (signal.aborted) return resolve();
  const t = setTimeout(() => { signal.removeEventListener('abort', done); resolve(); }, ms);
  const done = () => { clearTimeout(t); resolve(); };
  signal.addEventListener('abort', done, { once: true });
});

class Follower {
  applied = 0;
  parked = 0;
  compares = 0;
  lastCompareClean: boolean | null = null;
  private sinceReport = 0;
  private reportedAt = Date.now();

  constructor(
    private readonly ctx: MigrationContext,
    private readonly rt: RoundTrip,
    private readonly writer: { client: import('pg').Client },
    private readonly options: MirrorOptions,
  ) {}

  private get schema(): string { return stateSchema(this.ctx.plan); }

  async drain(): Promise<number> {
    const r = await this.rt.drainAll('cutover mirror');
    const changes = [...r.keys.values()].reduce((a, b) => a + b, 0);
    this.applied += changes;
    this.sinceReport += changes;
    this.parked += r.parked.length;
    for (const p of r.parked) this.options.onEvent({ kind: 'mirror.parked', class: p.class, key: p.key, reason: p.message });
    if (changes || r.parked.length || r.held) this.options.onEvent({ kind: 'mirror.batch', changes, parked: r.parked.length, held: r.held });
    return changes + r.parked.length;
  }

  async retry(): Promise<void> {
    const at = await this.ctx.clock.now();
    const outcome = await this.rt.inDrainedSnapshot('cutover mirror --retry-rejected', (s) => retryParked(s, this.schema, this.ctx.plan.name, at));
    this.applied += outcome.applied;
    this.options.onEvent({ kind: 'mirror.retried', ...outcome });
  }

  /** Due when no compare was recorded within the last `compare_every` of the migration clock. */
  async compareDue(): Promise<boolean> {
    const every = parseDuration(this.ctx.plan.dual_run?.compare_every ?? '1h') ?? 3600;
    const [last] = await compareHistory(this.ctx.destination.client, this.schema, this.ctx.plan.name, 1);
    const now = await this.ctx.clock.now();
    return !last || new Date(last.at).getTime() + every * 1000 <= now.getTime();
  }

  async compare(observed: Parameters<typeof exactCompare>[1]): Promise<void> {
    const findings = await exactCompare(this.rt, observed, 'cutover mirror (compare)');
    this.compares++;
    this.lastCompareClean = compareClean(findings);
    this.options.onEvent({ kind: 'mirror.compared', at: findings.at.toISOString(), clean: this.lastCompareClean, verdicts: classVerdicts(findings) });
  }

  /** Lag and what waits, by the source's clock, as of now. */
  async beat(first = false): Promise<MirrorBeat> {
    const { plan, destination } = this.ctx;
    const position = await readCapturePosition(destination.client, this.schema, plan.name);
    const baselines = (await readProgress(destination.client, this.schema, plan.name))
      .filter((p) => p.done && p.snapshot && plan.classes[p.class])
      .map((p) => ({ cls: p.class, copySnapshot: p.snapshot!, position: position?.snapshot }));
    const lagSeconds = await oldestPendingAge(this.writer.client, this.schema, plan.name, baselines);
    const pending = [...(await pendingByClass(this.writer.client, this.schema, plan.name, baselines)).values()].reduce((a, b) => a + b, 0);
    const seconds = Math.max((Date.now() - this.reportedAt) / 1000, 0.001);
    const beat = { pid: process.pid, host: os.hostname(), applied: this.applied, rate: first ? 0 : this.sinceReport / seconds, lagSeconds, pending };
    if (first) await startMirrorStatus(destination.client, this.schema, plan.name, beat);
    else await beatMirrorStatus(destination.client, this.schema, plan.name, beat);
    this.sinceReport = 0;
    this.reportedAt = Date.now();
    return beat;
  }

  async report(): Promise<void> {
    const beat = await this.beat();
    const parkedOpen = await countOpenParked(this.ctx.destination.client, this.schema, this.ctx.plan.name);
    this.options.onEvent({ kind: 'mirror.status', applied: beat.applied, rate: beat.rate, lagSeconds: beat.lagSeconds, pending: beat.pending, parkedOpen });
  }

  reportDue(): boolean {
    return Date.now() - this.reportedAt >= (this.options.reportMs ?? 5000);
  }
}

export async function runMirror(ctx: MigrationContext, options: MirrorOptions): Promise<MirrorOutcome> {
  const { plan } = ctx;
  const schema = stateSchema(plan);
  const db = ctx.destination.client;
  const lock = { schema, migration: plan.name, kind: 'mirror' as const, command: 'cutover mirror', timeoutMs: options.lockTimeoutMs };
  return withStateLock(db, lock, ctx.destination.pid, async () => {
    const { observed } = await computePlan(ctx, { refresh: false });
    requirePhase(observed.state.migration?.phase ?? 'none', plan.name);
    const writer = await openSourceWriter(ctx, options.resolveEmbedded, schema, 'mirror');
    const rt = openRoundTrip(ctx, writer, observed, { resolveEmbedded: options.resolveEmbedded, signal: options.signal, command: 'cutover mirror' });
    const follower = new Follower(ctx, rt, writer, options);
    const compareDeps = {
      plan, schema, sourceCatalog: observed.source, destinationCatalog: observed.destination, planDir: ctx.valid.loaded.dir, now: () => ctx.clock.now(),
    };
    try {
      const before = await readCapturePosition(db, schema, plan.name);
      options.onEvent({ kind: 'mirror.started', phase: observed.state.migration!.phase, appliedBefore: before?.applied ?? 0 });
      await follower.beat(true);
      if (options.retryRejected) await follower.retry();
      while (!options.signal.aborted) {
        const worked = await follower.drain();
        if (await follower.compareDue()) await follower.compare(compareDeps);
        if (follower.reportDue() || options.once) await follower.report();
        if (options.once) break;
        if (!worked) await sleep(options.idleMs ?? 200, options.signal);
      }
    } catch (e) {
      // a stop request while waiting for the drain lock: nothing was half done
      if (!isInterrupted(e)) throw e;
    } finally {
      await stopMirrorStatus(db, schema, plan.name, process.pid).catch(() => undefined);
      await rt.close().catch(() => undefined);
      await unregisterBackend(writer.client, schema).catch(() => undefined);
      await writer.close();
    }
    options.onEvent({ kind: 'mirror.stopped', applied: follower.applied });
    return { applied: follower.applied, parked: follower.parked, compares: follower.compares, lastCompareClean: follower.lastCompareClean };
  });
}
