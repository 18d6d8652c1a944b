// apply: take the state lock, show the plan, get it confirmed, then move phase by phase toward the
// target — executing each change, recording it in state and the event log — re-planning between
// phases so every gate is judged on what is true by then. Stops at the first closed gate.
import { checkpoint, isInterrupted } from '../interrupted.js';
import os from 'node:os';
import { computePlan, type ComputedPlan } from '../compute-plan.js';
import { findingsClosing } from '../diff/gates.js';
import type { Change, Gate, PlanResult } from '../diff/plan-result.js';
import { Failure } from '../failure.js';
import { scrubError } from '../secrets.js';
import { unregisterBackend } from '../lock/source-support.js';
import type { MigrationContext } from '../migration-context.js';
import { qualifier } from '../observe.js';
import type { Phase } from '../plan/types.js';
import { next as nextPhase, rank } from '../phases/phase-order.js';
import { staleReasons, type SavedPlan } from '../saved-plan.js';
import { recordHolder, withStateLock, type LockRequest } from '../state/state-lock.js';
import {
  appendEvent, ensureMigration, ensureStateSchema, recordResource, removeResource, setPhase, type EventRecord,
} from '../state/state-store.js';
import { execute, LAST_SUPPORTED_PHASE, supports } from './executors.js';
import type { ApplyTarget, ClassSteps, Verdict } from './steps/step.js';
import { proven, type Proof } from '../diff/proof.js';
import { MISSING_LIVE, RECOPY_REFUSED } from '../diff/build-plan.js';
import { isGapAddress, LOCK_GAP_EVENT } from '../lock/gaps.js';
import { sampleKeysText } from '../state/written-rows.js';
import { openClassSteps, openSourceWriter } from './class-steps.js';
import { stateSchema } from '../plan/defaults.js';
import { runPlanHook } from '../hooks/plan-hook.js';
import { shellHookRunner } from '../hooks/run-hook.js';
import { endedGate } from '../rollback/rollback-step.js';
import type { StatePhase } from '../state/state-store.js';
import type { ApplyOptions, ApplyOutcome, CopiedTable } from './apply-types.js';
import type { OnApplyEvent } from '../events.js';
import { plural } from '../words.js';

const actor = () => `${os.userInfo().username}@${os.hostname()}`;

class Applier {
  applied = 0;
  constructor(
    private readonly ctx: MigrationContext,
    private readonly target: ApplyTarget,
    private readonly emit: OnApplyEvent,
    private readonly signal?: AbortSignal,
  ) {}

  private get schema(): string {
    return this.target.schema;
  }

  async event(e: EventRecord): Promise<void> {
    await appendEvent(this.ctx.destination.client, this.schema, this.ctx.plan.name, e,
      { at: await this.ctx.clock.now(), actor: actor(), planFingerprint: this.ctx.planFingerprint });
  }

  async change(c: Change): Promise<void> {
    checkpoint(this.signal);
    this.emit({ kind: 'step.started', address: c.address, actions: c.actions });
    const started = Date.now();
    let verdict: Verdict | undefined;
    // a lock put back leaves a gap nobody knows the writes of: recorded first, so the results it
    // makes stale stay stale even if apply is stopped right after the lock is back
    if (c.actions.includes('create') && c.reason === MISSING_LIVE && isGapAddress(c.address)) {
      await this.event({ kind: LOCK_GAP_EVENT, address: c.address, outcome: 'ok' });
    }
    try {
      verdict = await execute(c, this.target);
    } catch (e) {
      if (isInterrupted(e)) throw e;
      await this.event({ kind: 'change', address: c.address, outcome: 'failed', detail: { actions: c.actions, error: (e as Error).message } }).catch(() => undefined);
      if (e instanceof Failure) throw e;
      throw new Failure('apply.change-failed', `${c.address}: ${scrubError(e)}`, (e as { hint?: string }).hint);
    }
    const at = await this.ctx.clock.now();
    // a failed check is recorded with the phase it belongs to, but never counts as applied: the next
    // plan runs it again (and every other check of its phase), see checksToRerun
    if (verdict && !verdict.passed) await this.event({ kind: 'check', address: c.address, outcome: 'failed', detail: { actions: c.actions } });
    if (c.actions.includes('create') || c.actions.includes('update')) {
      await recordResource(this.ctx.destination.client, this.schema, this.ctx.plan.name, { address: c.address, phase: c.phase, attributes: c.after ?? {} }, at);
    } else {
      await removeResource(this.ctx.destination.client, this.schema, this.ctx.plan.name, c.address);
    }
    if (!verdict || verdict.passed) await this.event({ kind: 'change', address: c.address, outcome: 'ok', detail: { actions: c.actions, reason: c.reason } });
    this.applied++;
    this.emit({ kind: 'step.finished', address: c.address, actions: c.actions, elapsedMs: Date.now() - started, checkFailed: verdict?.passed === false });
  }

  /** The proof of `phase` did not pass: say so in the event log; the phase is not recorded. */
  async unproven(proof: Proof, phase: string): Promise<ApplyOutcome> {
    await this.event({ kind: 'proof', address: `proof.${proof.phase}`, outcome: 'failed', detail: { failures: proof.failures, unproven: proof.unproven } });
    this.emit({ kind: 'apply.stopped', why: 'unproven', proof, phase, applied: this.applied });
    return { kind: 'unproven', proof, applied: this.applied, phase };
  }

  /** A closed gate stops apply: in the event log, and for whoever watches. */
  async stopAt(gate: Gate, phase: string): Promise<void> {
    await this.event({ kind: 'gate', address: gate.address, outcome: 'stopped', detail: { reasons: gate.reasons } });
    this.emit({ kind: 'gate.stopped', gate, phase, applied: this.applied });
  }

  /** the phase the migration is at, as this apply moves it */
  current = 'none';

  async phase(phase: StatePhase): Promise<void> {
    await setPhase(this.ctx.destination.client, this.schema, this.ctx.plan.name, phase, await this.ctx.clock.now());
    this.current = phase;
    await this.event({ kind: 'phase', outcome: 'ok', detail: { phase } });
    this.emit({ kind: 'phase.reached', phase });
  }
}

/** A phase this version cannot finish is not started: nothing of it is changed. */
function refuseUnsupported(changes: Change[], phase: Phase): void {
  const missing = changes.filter((c) => !supports(c.address)).map((c) => c.address);
  if (missing.length) {
    throw new Failure('apply.unsupported', `this version of cutover cannot apply ${missing.join(', ')} yet, so phase ${phase} was not started`,
      `keep target at the last phase this version supports (${LAST_SUPPORTED_PHASE})`);
  }
}

/** A re-copy that would delete rows cutover did not write is refused before anything changes. */
function refuseForeignRecopies(result: PlanResult): void {
  const refused = result.findings.filter((f) => f.kind === RECOPY_REFUSED);
  if (refused.length === 0) return;
  const lines = refused.map((f) => `${f.message} (sample keys: ${sampleKeysText(f.sampleKeys ?? [])})`);
  throw new Failure('apply.recopy-foreign-rows', `nothing was changed: ${lines.join('; ')}`,
    'move or delete those rows yourself (or point the class at another table), then run `cutover apply` again');
}

function closedByFindings(gate: Gate, result: PlanResult): boolean {
  return gate.phase !== 'rolled_back' && findingsClosing(result.findings, gate.phase).length > 0;
}

/** A gate closed by error findings is an error, not a wait: what plan can see must be fixed first. */
function refuseOnFindings(gate: Gate, result: PlanResult, applied: number): void {
  if (!closedByFindings(gate, result)) return;
  const done = applied === 0 ? 'nothing was changed' : `apply stopped at phase ${result.phase} after ${plural(applied, 'change')}`;
  throw new Failure('apply.findings', `${gate.address} is closed by what plan can already see (${gate.reasons.join('; ')}), so ${done}`,
    'fix the plan or the databases as the findings above say, then run `cutover plan` again');
}

function checkStale(saved: SavedPlan, computed: ComputedPlan, ctx: MigrationContext, planFileSha256: string): void {
  const reasons = staleReasons(saved, {
    planFileSha256, stateSerial: computed.observed.state.migration?.serial ?? 0,
    sourceFingerprint: computed.observed.sourceFingerprint.hash, planFingerprint: ctx.planFingerprint,
  });
  if (reasons.length) throw new Failure('apply.stale-plan', `the saved plan is stale: ${reasons.join('; ')}`, 'run `cutover plan -out FILE` again and review it');
}

/** A plan this migration can no longer apply: it ended, or its rollback needs what this version lacks. */
function refuseFinal(first: PlanResult, ctx: MigrationContext, observed: ComputedPlan['observed']): void {
  const { plan } = ctx;
  if (first.phase === 'rolled_back' && plan.target !== 'rolled_back') {
    throw new Failure('apply.ended', endedGate({ plan, state: observed.state }).reasons[0]!, `set target back to rolled_back, or name a new migration; nothing was changed`);
  }
  const blocked = plan.target === 'rolled_back' ? first.gates.find((g) => g.address === 'gate.rolled_back' && g.status === 'blocked') : undefined;
  if (blocked) throw new Failure('rollback.unsupported', blocked.reasons.join('; '), 'nothing was changed; follow your own rollback runbook for this phase');
}

/** Destination tables holding rows cutover copied: whole copies state records, and copies a kill
 * stopped part-way (their checkpoints count rows). */
function copiedTables(ctx: MigrationContext, observed: ComputedPlan['observed']): CopiedTable[] {
  const classes = new Set([
    ...observed.state.resources.filter((r) => /^class\.[^.]+\.copy$/.test(r.address)).map((r) => r.address.split('.')[1]!),
    ...observed.copies.filter((c) => c.rows > 0).map((c) => c.class),
  ]);
  const qualify = qualifier(observed.destination);
  return Object.entries(ctx.plan.classes).filter(([name]) => classes.has(name))
    .map(([name, c]) => {
      const found = observed.tables.get(name);
      return { table: qualify(c.destination.table), foreign: found && { count: found.foreign, sampleKeys: found.sampleKeys } };
    });
}

/** A rollback whose removals all ran (an earlier one was stopped before recording the phase) still
 * has its phase to record. */
function rollbackPending(first: PlanResult, target: string): boolean {
  return target === 'rolled_back' && first.phase !== 'none' && first.phase !== 'rolled_back';
}

export async function runApply(ctx: MigrationContext, options: ApplyOptions): Promise<ApplyOutcome> {
  const { plan } = ctx;
  const schema = stateSchema(plan);
  const db = ctx.destination.client;
  const lock = { schema, migration: plan.name, kind: 'state' as const, command: options.command ?? 'cutover apply', timeoutMs: options.lockTimeoutMs };
  return withStateLock(db, lock, ctx.destination.pid, () => applyLocked(ctx, options, lock));
}

async function applyLocked(ctx: MigrationContext, options: ApplyOptions, lock: LockRequest): Promise<ApplyOutcome> {
  const { plan } = ctx;
  const { schema } = lock;
  const db = ctx.destination.client;
  const emit: OnApplyEvent = options.onEvent ?? (() => undefined);
  const writer = await openSourceWriter(ctx, options.resolveEmbedded, schema);
  let closeSteps = async () => {};
  try {
    let computed = await computePlan(ctx, { refresh: false });
    // the source's data was scanned for findings once; re-plans between phases reuse that scan
    const reuseDataFindings = computed.observed.dataFindings;
    if (options.saved) checkStale(options.saved, computed, ctx, options.planFileSha256);
    const first = options.saved?.result ?? computed.result;
    refuseFinal(first, ctx, computed.observed);
    options.hooks.showPlan(first);
    const blockedFirst = first.gates.find((g) => g.status === 'blocked');
    if (first.changes.length === 0 && !rollbackPending(first, plan.target)) {
      if (!blockedFirst) return { kind: 'nothing', result: first };
      emit({ kind: 'gate.stopped', gate: blockedFirst, phase: first.phase, applied: 0 });
      refuseOnFindings(blockedFirst, first, 0);
      emit({ kind: 'apply.stopped', why: 'gate', gate: blockedFirst, phase: first.phase, applied: 0 });
      return { kind: 'gate', gate: blockedFirst, applied: 0, phase: first.phase };
    }
    refuseForeignRecopies(first);
    if (!(await options.hooks.confirm(first))) return { kind: 'cancelled' };
    // state is created only once the person has said yes: a refused apply changes nothing anywhere
    await ensureStateSchema(db, schema);
    await ensureMigration(db, schema, plan.name, ctx.clock.kind);
    await recordHolder(db, lock, ctx.destination.pid);

    let steps: (ClassSteps & { close(): Promise<void> }) | undefined;
    const observed = computed.observed;
    const target: ApplyTarget = {
      plan, schema, source: writer.client, destination: db, qualify: qualifier(observed.source), qualifyDestination: qualifier(observed.destination),
      sourceFingerprint: observed.sourceFingerprint,
      classSteps: () => (steps ??= openClassSteps(ctx, writer, observed, options)),
      emit,
      record: (e) => applier.event(e),
      runHook: async (name, phase) => {
        const hook = plan.go_live?.[name];
        if (!hook) return;
        await runPlanHook(name, hook, {
          plan, planFile: ctx.valid.file, from: applier.current, phase, rehearsal: false,
          runner: options.runHook ?? shellHookRunner(), onEvent: emit, record: (e) => applier.event(e),
        });
      },
    };
    closeSteps = async () => { await steps?.close(); };
    const applier = new Applier(ctx, target, emit, options.signal);
    applier.current = first.phase;
    await applier.event({ kind: 'apply', outcome: 'started', detail: { target: plan.target, from: first.phase } });
    emit({ kind: 'apply.started', target: plan.target, from: first.phase });
    try {
      if (plan.target === 'rolled_back') {
        // one step, in the order the plan showed: the hook, then every removal; state and the event log stay
        for (const c of first.changes) await applier.change(c);
        await applier.phase('rolled_back');
        await applier.event({ kind: 'apply', outcome: 'ok', detail: { reached: 'rolled_back', changes: applier.applied } });
        emit({ kind: 'apply.finished', phase: 'rolled_back', applied: applier.applied });
        return { kind: 'reached', phase: 'rolled_back', applied: applier.applied, copied: copiedTables(ctx, observed) };
      }
      for (;;) {
        let result = computed.result;
        const repairs = result.changes.filter((x) => x.phase === result.phase);
        for (const c of repairs) await applier.change(c);
        const closed = result.gates.find((g) => g.status === 'blocked' && closedByFindings(g, result));
        if (closed) {
          await applier.stopAt(closed, result.phase);
          refuseOnFindings(closed, result, applier.applied);
        }
        // what those changes did (a check run again, a class copied again) is what the phase's proof
        // and the gate into the next phase must be judged on, not what was true before them
        if (repairs.length) {
          computed = await computePlan(ctx, { refresh: false, reuseDataFindings });
          result = computed.result;
        }
        // a phase reached earlier still stands on its proof: a check run again that fails stops here
        const reached = result.phase === 'none' || result.phase === 'rolled_back' ? undefined : computed.proof(result.phase);
        if (reached && !proven(reached)) return applier.unproven(reached, result.phase);
        if (result.phase === plan.target) {
          await applier.event({ kind: 'apply', outcome: 'ok', detail: { reached: result.phase, changes: applier.applied } });
          emit({ kind: 'apply.finished', phase: result.phase, applied: applier.applied });
          return { kind: 'reached', phase: result.phase, applied: applier.applied };
        }
        // only the gate into the next phase stops this step: a later closed gate stops a later step
        const next = nextPhase(result.phase);
        const behind = next && rank(next) > rank(plan.target)
          ? result.gates.find((g) => g.status === 'blocked') : undefined;
        const gate = result.gates.find((g) => g.phase === next);
        if (behind || !next || !gate || gate.status !== 'open') {
          const stop = behind ?? gate ?? { address: `gate.${next}`, phase: next ?? 'locked', status: 'blocked' as const, reasons: ['no further phase'] };
          await applier.stopAt(stop, result.phase);
          refuseOnFindings(stop, result, applier.applied);
          emit({ kind: 'apply.stopped', why: 'gate', gate: stop, phase: result.phase, applied: applier.applied });
          return { kind: 'gate', gate: stop, applied: applier.applied, phase: result.phase };
        }
        const phaseChanges = result.changes.filter((x) => x.phase === next);
        refuseUnsupported(phaseChanges, next);
        emit({ kind: 'gate.passed', gate });
        for (const c of phaseChanges) await applier.change(c);
        computed = await computePlan(ctx, { refresh: false, reuseDataFindings });
        // the phase is reached only once what its changes made is proven (round_tripped: every check passed)
        const proof = computed.proof(next);
        if (!proven(proof)) return applier.unproven(proof, result.phase);
        await applier.phase(next);
        computed = await computePlan(ctx, { refresh: false, reuseDataFindings });
      }
    } catch (e) {
      if (!isInterrupted(e)) throw e;
      const phase = computed.result.phase;
      await applier.event({ kind: 'apply', outcome: 'interrupted', detail: { phase, changes: applier.applied } });
      emit({ kind: 'apply.stopped', why: 'interrupted', phase, applied: applier.applied });
      return { kind: 'interrupted', applied: applier.applied, phase };
    }
  } finally {
    await closeSteps().catch(() => undefined);
    await unregisterBackend(writer.client, schema).catch(() => undefined);
    await writer.close();
  }
}
