// Phase two's sessions and steps: one exported source snapshot shared by every class's copy,
// a destination session that (where permitted) runs with session_replication_role = replica so
// destination triggers and foreign keys do not fire twice, and the parity check that follows.
import { drainCapture, type DrainClass, type DrainResult } from '../capture/drain.js';
import { withDrainLock } from '../capture/drain-lock.js';
import type { KeyedClass } from '../capture/apply-keys.js';
import { drainReverse, type ReverseDrainResult } from '../rollback/reverse-drain.js';
import { reversedClass, reversedPlan } from '../rollback/reverse-class.js';
import type pg from 'pg';
import { describeMappings, type MappingTypes } from '../checks/expressions.js';
import { checkParity } from '../checks/parity/check-parity.js';
import type { Session } from '../db/connect.js';
import { copyClass } from '../copy/copy-class.js';
import { copyProgressed, type OnApplyEvent } from '../events.js';
import { readProgress, resetProgress } from '../copy/copy-progress.js';
import { mappedColumns } from '../copy/mapped-select.js';
import type { CheckResult, ParityResult } from '../diff/plan-result.js';
import { copyAndVerifyAttachments } from '../attachments/check-attachments.js';
import { checkAudit } from '../checks/audit/check-audit.js';
import { runVerifyQueries } from '../checks/custom-code-verify.js';
import { reconcileMoneyDays, type ReconcileMoneyInput } from '../checks/money/reconcile-money.js';
import { writeReconciliationDays } from '../checks/money/reconciliation-store.js';
import { forgetChecks, writeCheck } from '../state/check-store.js';
import { forgetWrites, foreignRows, observeClassTables, writtenByCutover, type ForeignRows, sampleKeysText } from '../state/written-rows.js';
import { CUSTOM_CODE_CLASS } from '../diff/results.js';
import { Failure } from '../failure.js';
import type { CheckKind } from './steps/step.js';
import { requireTable, type Catalog, type CatalogTable } from '../introspect/catalog.js';
import type { Plan } from '../plan/types.js';
import { forgetParity, writeParity } from '../state/parity-store.js';
import { tableFromItem } from '../db/sql-identifiers.js';
import { dataLockMode } from '../plan/defaults.js';

export interface RoundTripDeps {
  /** a stop request, checked between copy batches */
  signal?: AbortSignal;
  plan: Plan;
  schema: string;
  sourceCatalog: Catalog;
  destinationCatalog: Catalog;
  canSetReplicationRole: boolean;
  openSource(purpose: string, readOnly: boolean): Promise<Session>;
  openDestination(purpose: string): Promise<Session>;
  /** the registered source session that may write cutover's own objects */
  sourceWriter: Session;
  now(): Promise<Date>;
  /** told of each committed copy batch */
  onEvent?: OnApplyEvent;
  batchRows?: number;
  /** the plan file's folder: attachment roots and bank statements are relative to it */
  planDir: string;
  /** the command these steps serve, as a waiting drain is told */
  command?: string;
}

/** A source snapshot the destination was drained to, and the drain. */
export interface DrainedSnapshot {
  /** inside the snapshot's REPEATABLE READ transaction */
  source: pg.Client;
  snapshot: string;
  destination: pg.Client;
  types: MappingTypes;
  /** the classes drained, with what applying their keys needs */
  classes: DrainClass[];
  drained: DrainResult;
}

function foreignRowsFailure(className: string, table: string, found: ForeignRows): Failure {
  return new Failure('copy.foreign-rows',
    `class ${className} cannot be copied again: destination table ${table} holds ${found.foreign} row${found.foreign === 1 ? '' : 's'} cutover did not write (sample keys: ${sampleKeysText(found.sampleKeys)}); cutover deletes only the rows it wrote, so nothing was deleted`,
    'move or delete those rows yourself (or point the class at another table), then run `cutover apply` again');
}

interface Snapshot {
  session: Session;
  snapshot: string;
}

export class RoundTrip {
  private copySnapshot?: Snapshot;
  private destination?: Session;
  private drainSource?: Session;
  private types?: MappingTypes;

  constructor(private readonly deps: RoundTripDeps) {}

  private table(catalog: Catalog, name: string, side: 'source' | 'destination'): CatalogTable {
    return requireTable(catalog, name, side, 'round trip');
  }

  private async openSnapshot(purpose: string, reuse?: Session): Promise<Snapshot> {
    const session = reuse ?? await this.deps.openSource(purpose, true);
    // the mapping's types first: describing them runs (and ends) a transaction of its own, which
    // inside the snapshot's transaction would end it and leave later reads on fresh snapshots
    await this.mappingTypes(session);
    await session.client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { rows } = await session.client.query<{ s: string }>('SELECT pg_current_snapshot()::text AS s');
    return { session, snapshot: rows[0]!.s };
  }

  private async destinationSession(): Promise<Session> {
    if (!this.destination) {
      this.destination = await this.deps.openDestination('copy');
      if (this.deps.canSetReplicationRole) await this.destination.client.query('SET session_replication_role = replica');
    }
    return this.destination;
  }

  private async mappingTypes(source: Session): Promise<MappingTypes> {
    if (!this.types) {
      const described = await describeMappings(source.client, this.deps.plan, this.deps.sourceCatalog, this.deps.destinationCatalog, () => ({ line: 1, col: 1 }));
      this.types = described.types;
    }
    return this.types;
  }

  private mapped(className: string, types: MappingTypes) {
    const cls = this.deps.plan.classes[className]!;
    return mappedColumns(cls, types.get(className), this.table(this.deps.destinationCatalog, cls.destination.table, 'destination'));
  }

  async copy(className: string): Promise<void> {
    const { plan, schema } = this.deps;
    const cls = plan.classes[className]!;
    this.copySnapshot ??= await this.openSnapshot('copy');
    const destination = await this.destinationSession();
    const types = await this.mappingTypes(this.copySnapshot.session);
    const progress = (await readProgress(destination.client, schema, plan.name)).find((p) => p.class === className);
    await copyClass({
      migration: plan.name, schema, className, cls,
      source: this.copySnapshot.session.client, snapshot: this.copySnapshot.snapshot, destination: destination.client,
      sourceTable: this.table(this.deps.sourceCatalog, cls.source.table, 'source'),
      destinationTable: this.table(this.deps.destinationCatalog, cls.destination.table, 'destination'),
      mapped: this.mapped(className, types), progress, batchRows: this.deps.batchRows ?? 50_000,
      now: () => this.deps.now(), onProgress: (p) => this.deps.onEvent?.(copyProgressed(p)), signal: this.deps.signal,
    });
  }

  /**
   * Forget a class's copy before copying it again: delete the rows cutover wrote, and the parity
   * and check results that judged them. A table holding rows anyone else wrote (or changed) is
   * refused, and nothing is deleted. The table is locked against writes from the check to the
   * delete, so no row can slip in between.
   */
  async uncopy(className: string, was: { table: string; key: string[] }): Promise<void> {
    const { plan, schema } = this.deps;
    const destination = await this.destinationSession();
    const progress = (await readProgress(destination.client, schema, plan.name)).find((p) => p.class === className);
    if (!progress) return;
    const table = this.table(this.deps.destinationCatalog, was.table, 'destination');
    const db = destination.client;
    await db.query('BEGIN');
    try {
      await db.query(`LOCK TABLE ${tableFromItem(table)} IN SHARE ROW EXCLUSIVE MODE`);
      const found = await foreignRows(db, { schema, migration: plan.name, cls: className, table, key: was.key });
      if (found.foreign > 0) throw foreignRowsFailure(className, table.qualified, found);
      await db.query(`DELETE FROM ${tableFromItem(table)} AS dst WHERE ${writtenByCutover(schema, plan.name, className)}`);
      await resetProgress(db, schema, plan.name, className);
      await forgetWrites(db, schema, plan.name, className);
      await forgetParity(db, schema, plan.name, className);
      await forgetChecks(db, schema, plan.name, [className, CUSTOM_CODE_CLASS]);
      await db.query('COMMIT');
    } catch (e) {
      await db.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }

  /** Exact parity: take a fresh source snapshot, replay captured changes up to it, hash both sides. */
  async parity(className: string): Promise<ParityResult> {
    const destination = await this.destinationSession();
    // in a freeze the capture is drained first, so no other drain may move the destination while it is hashed
    return dataLockMode(this.deps.plan) === 'freeze'
      ? this.drainLocked(destination, 'parity', () => this.judgeParity(className, destination, true))
      : this.judgeParity(className, destination, false);
  }

  private async judgeParity(className: string, destination: Session, drain: boolean): Promise<ParityResult> {
    const { plan, schema } = this.deps;
    const cls = plan.classes[className]!;
    const snap = await this.openSnapshot('parity');
    try {
      const types = await this.mappingTypes(snap.session);
      if (drain) await this.drain(snap, destination, await this.drainClasses(destination, types), false);
      const result = await checkParity({
        plan, className, source: snap.session.client, destination: destination.client, sourceCatalog: this.deps.sourceCatalog,
        destinationCatalog: this.deps.destinationCatalog, types: types.get(className), checkedAt: await this.deps.now(), sourceInSnapshot: true,
      });
      // what the table held when judged: a later plan that counts otherwise knows the result is stale
      const table = this.table(this.deps.destinationCatalog, cls.destination.table, 'destination');
      const found = (await observeClassTables(destination.client, schema, plan.name, [{ cls: className, table }])).get(className);
      if (found) result.table = found;
      await writeParity(destination.client, schema, plan.name, result);
      return result;
    } finally {
      await snap.session.client.query('ROLLBACK').catch(() => undefined);
      await snap.session.close();
    }
  }

  /** `fn` under the drain lock, taken on the destination session before any snapshot is opened. */
  private drainLocked<T>(destination: Session, what: string, fn: () => Promise<T>): Promise<T> {
    return withDrainLock(destination.client,
      { schema: this.deps.schema, migration: this.deps.plan.name, command: `${this.deps.command ?? 'cutover apply'} (${what})`, backendPid: destination.pid, signal: this.deps.signal }, fn);
  }

  /**
   * `fn` in a source snapshot the destination was just drained to (every class's captured changes
   * and the position, in one destination transaction), under the drain lock: while `fn` runs, no
   * other drain moves the destination, so both sides can be judged in the same state.
   */
  async inDrainedSnapshot<T>(command: string, fn: (s: DrainedSnapshot) => Promise<T>): Promise<T> {
    // every copy is done by now: its snapshot's transaction would hold the tables' locks against
    // the data lock's removal
    await this.endCopySnapshot();
    const destination = await this.destinationSession();
    return this.drainLocked(destination, command, async () => {
      // one source session for every drain: a follower drains several times a second
      this.drainSource ??= await this.deps.openSource('drain', true);
      const snap = await this.openSnapshot(command, this.drainSource);
      try {
        const types = await this.mappingTypes(snap.session);
        const classes = await this.drainClasses(destination, types);
        const drained = await this.drain(snap, destination, classes, true);
        return await fn({ source: snap.session.client, snapshot: snap.snapshot, destination: destination.client, types, classes, drained });
      } finally {
        await snap.session.client.query('ROLLBACK').catch(() => undefined);
      }
    });
  }

  /** Every class's captured changes up to a fresh source snapshot, with the position: what entering
   * dual-run starts the mirror from, and each of the mirror's batches. */
  drainAll(command = 'drain'): Promise<DrainResult & { snapshot: string }> {
    return this.inDrainedSnapshot(command, async (s) => ({ ...s.drained, snapshot: s.snapshot }));
  }

  /** A check parity cannot make, in a fresh source snapshot; the result is stored in state. */
  async check(className: string, kind: CheckKind): Promise<CheckResult> {
    const { plan, schema } = this.deps;
    const snap = await this.openSnapshot(kind);
    try {
      const destination = await this.destinationSession();
      const common = {
        plan, className, source: snap.session.client, destination: destination.client, sourceCatalog: this.deps.sourceCatalog,
        destinationCatalog: this.deps.destinationCatalog, checkedAt: await this.deps.now(), sourceInSnapshot: true,
      };
      const result = kind === 'money'
        ? await this.reconcile(common, destination)
        : kind === 'audit'
          ? await checkAudit({ ...common, types: (await this.mappingTypes(snap.session)).get(className) })
          : await copyAndVerifyAttachments({ ...common, planDir: this.deps.planDir });
      await writeCheck(destination.client, schema, plan.name, result);
      return result;
    } finally {
      await snap.session.client.query('ROLLBACK').catch(() => undefined);
      await snap.session.close();
    }
  }

  /** Money: every business day's result is stored, so `clean_days` can gate closing. */
  private async reconcile(common: Omit<ReconcileMoneyInput, 'planDir'>, destination: Session): Promise<CheckResult> {
    const { result, days } = await reconcileMoneyDays({ ...common, planDir: this.deps.planDir });
    await writeReconciliationDays(destination.client, this.deps.schema, this.deps.plan.name, common.className, days, common.checkedAt);
    return result;
  }

  async verifyCustomCode(): Promise<CheckResult> {
    const destination = await this.destinationSession();
    const result = await runVerifyQueries({ plan: this.deps.plan, destination: destination.client, checkedAt: await this.deps.now() });
    await writeCheck(destination.client, this.deps.schema, this.deps.plan.name, result);
    return result;
  }

  /** The classes whose copy is done: their changes can be drained; the others' wait in the log. */
  private async drainClasses(destination: Session, types: MappingTypes): Promise<DrainClass[]> {
    const { plan, schema } = this.deps;
    const copies = (await readProgress(destination.client, schema, plan.name)).filter((p) => p.done && p.snapshot && plan.classes[p.class]);
    return copies.map((p) => {
      const cls = plan.classes[p.class]!;
      return {
        name: p.class, cls, copySnapshot: p.snapshot!,
        sourceTable: this.table(this.deps.sourceCatalog, cls.source.table, 'source'),
        destinationTable: this.table(this.deps.destinationCatalog, cls.destination.table, 'destination'),
        mapped: this.mapped(p.class, types),
      };
    });
  }

  /** `classes`' captured changes, up to the snapshot, in one destination transaction. */
  private async drain(snap: Snapshot, destination: Session, classes: DrainClass[], settled: boolean): Promise<DrainResult> {
    const { plan, schema } = this.deps;
    return drainCapture({
      migration: plan.name, schema, source: snap.session.client, snapshot: snap.snapshot, at: await this.deps.now(), settled,
      sourceWriter: this.deps.sourceWriter.client, destination: destination.client, classes,
    });
  }

  private async endCopySnapshot(): Promise<void> {
    const snap = this.copySnapshot;
    this.copySnapshot = undefined;
    if (!snap) return;
    await snap.session.client.query('ROLLBACK').catch(() => undefined);
    await snap.session.close();
  }

  /** Rolling back after the write switch: the destination's reverse-captured writes into the
   * source, in one destination snapshot (the destination is read-only by now). */
  async reverseDrain(): Promise<ReverseDrainResult> {
    return this.inDestinationSnapshot('rollback', async (snap, snapshot) => drainReverse({
      migration: this.deps.plan.name, schema: this.deps.schema, destination: snap.client, snapshot,
      destinationWriter: (await this.destinationSession()).client, source: this.deps.sourceWriter.client,
      classes: this.reversedClasses(), at: await this.deps.now(),
    }));
  }

  /** Parity in the reverse direction: the source against the destination read through `reverse`. */
  async reverseParity(): Promise<ParityResult[]> {
    const reversed = reversedPlan(this.deps.plan);
    return this.inDestinationSnapshot('rollback parity', async (snap) => {
      const out: ParityResult[] = [];
      for (const className of Object.keys(reversed.classes)) {
        out.push(await checkParity({
          plan: reversed, className, source: snap.client, destination: this.deps.sourceWriter.client,
          sourceCatalog: this.deps.destinationCatalog, destinationCatalog: this.deps.sourceCatalog, types: undefined,
          checkedAt: await this.deps.now(), sourceInSnapshot: true,
        }));
      }
      return out;
    });
  }

  private reversedClasses(): KeyedClass[] {
    return Object.entries(this.deps.plan.classes).map(([name, forward]) => {
      const cls = reversedClass(forward);
      const sourceTable = this.table(this.deps.destinationCatalog, cls.source.table, 'destination');
      const destinationTable = this.table(this.deps.sourceCatalog, cls.destination.table, 'source');
      return { name, cls, sourceTable, destinationTable, mapped: mappedColumns(cls, undefined, destinationTable) };
    });
  }

  private async inDestinationSnapshot<T>(purpose: string, fn: (snap: Session, snapshot: string) => Promise<T>): Promise<T> {
    const snap = await this.deps.openDestination(purpose);
    try {
      await snap.client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const { rows } = await snap.client.query<{ s: string }>('SELECT pg_current_snapshot()::text AS s');
      return await fn(snap, rows[0]!.s);
    } finally {
      await snap.client.query('ROLLBACK').catch(() => undefined);
      await snap.close();
    }
  }

  async close(): Promise<void> {
    await this.drainSource?.close();
    await this.endCopySnapshot();
    await this.destination?.close();
  }
}
