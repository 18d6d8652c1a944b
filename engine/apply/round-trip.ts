// Phase two's sessions and steps: one exported source snapshot shared by every class's copy,
// a destination session that (where permitted) runs with session_replication_role = replica so
// destination triggers and foreign keys do not fire twice, and the parity check that follows.
import { drainCapture, type DrainClass } from '../capture/drain.js';
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
  private types?: MappingTypes;

  constructor(private readonly deps: RoundTripDeps) {}

  private table(catalog: Catalog, name: string, side: 'source' | 'destination'): CatalogTable {
    return requireTable(catalog, name, side, 'round trip');
  }

  private async openSnapshot(purpose: string): Promise<Snapshot> {
    const session = await this.deps.openSource(purpose, true);
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
    const { plan, schema } = this.deps;
    const cls = plan.classes[className]!;
    const snap = await this.openSnapshot('parity');
    try {
      const destination = await this.destinationSession();
      const types = await this.mappingTypes(snap.session);
      if (dataLockMode(plan) === 'freeze') await this.drain(snap, destination, types);
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

  /** Every copied class's captured changes, up to the parity's snapshot, in one destination
   * transaction; a class not copied yet keeps its changes in the log. */
  private async drain(snap: Snapshot, destination: Session, types: MappingTypes): Promise<void> {
    const { plan, schema } = this.deps;
    const copies = (await readProgress(destination.client, schema, plan.name)).filter((p) => p.done && p.snapshot && plan.classes[p.class]);
    const classes: DrainClass[] = copies.map((p) => {
      const cls = plan.classes[p.class]!;
      return {
        name: p.class, cls, copySnapshot: p.snapshot!,
        sourceTable: this.table(this.deps.sourceCatalog, cls.source.table, 'source'),
        destinationTable: this.table(this.deps.destinationCatalog, cls.destination.table, 'destination'),
        mapped: this.mapped(p.class, types),
      };
    });
    await drainCapture({
      migration: plan.name, schema, source: snap.session.client, snapshot: snap.snapshot,
      sourceWriter: this.deps.sourceWriter.client, destination: destination.client, classes,
    });
  }

  async close(): Promise<void> {
    if (this.copySnapshot) {
      await this.copySnapshot.session.client.query('ROLLBACK').catch(() => undefined);
      await this.copySnapshot.session.close();
    }
    await this.destination?.close();
  }
}
