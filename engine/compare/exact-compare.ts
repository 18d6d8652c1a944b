// One compare, exact: a source snapshot, the destination drained to it (under the drain lock, so the
// mirror waits), then every class hashed on both sides in that one state, the destination's rows
// cutover did not write counted, money's days reconciled and attachment files copied and verified
// in the same pass. Live writes can neither cause a false mismatch nor hide a real one. The result
// is recorded in state by its time.
import type { RoundTrip } from '../apply/round-trip.js';
import type { QueryRunner } from '../db/query-runner.js';
import { checkParity } from '../checks/parity/check-parity.js';
import { reconcileMoneyDays } from '../checks/money/reconcile-money.js';
import { copyAndVerifyAttachments } from '../attachments/check-attachments.js';
import { writeReconciliationDays } from '../checks/money/reconciliation-store.js';
import type { CheckResult, ParityResult } from '../diff/plan-result.js';
import { requireTable, type Catalog } from '../introspect/catalog.js';
import type { Plan } from '../plan/types.js';
import { compareHistory, recordCompare } from '../state/compare-history.js';
import { listParked } from '../state/parked-changes.js';
import { observeClassTablesWithSamples } from '../state/written-rows.js';
import { compareRecord, type CompareFindings } from './compare-findings.js';

export interface CompareDeps {
  plan: Plan;
  schema: string;
  sourceCatalog: Catalog;
  destinationCatalog: Catalog;
  planDir: string;
  /** the migration clock: the compare is named by this time */
  now(): Promise<Date>;
}

/** The migration clock's now, but later than the latest recorded compare: a compare is named by its
 * time, and a simulated clock that stands still (the mirror's compare and apply's final one at one
 * `--now`) must not make two compares one. */
async function compareTime(db: QueryRunner, deps: CompareDeps): Promise<Date> {
  const now = await deps.now();
  const [latest] = await compareHistory(db, deps.schema, deps.plan.name, 1);
  const after = latest ? new Date(latest.at).getTime() + 1 : -Infinity;
  return now.getTime() > after ? now : new Date(after);
}

export async function exactCompare(rt: RoundTrip, deps: CompareDeps, command: string): Promise<CompareFindings> {
  const { plan, schema } = deps;
  const started = Date.now();
  return rt.inDrainedSnapshot(command, async (s) => {
    // read under the drain lock: two compares never take one time
    const at = await compareTime(s.destination, deps);
    const common = { plan, source: s.source, destination: s.destination, sourceCatalog: deps.sourceCatalog, destinationCatalog: deps.destinationCatalog, checkedAt: at, sourceInSnapshot: true };
    const parity: ParityResult[] = [];
    const money: CheckResult[] = [];
    const attachments: CheckResult[] = [];
    for (const [className, cls] of Object.entries(plan.classes)) {
      parity.push(await checkParity({ ...common, className, types: s.types.get(className) }));
      // the files of rows mirrored since the last compare are copied here, and every file verified
      if (cls.kind === 'attachments') attachments.push(await copyAndVerifyAttachments({ ...common, className, planDir: deps.planDir }));
      if (cls.kind !== 'money') continue;
      const { result, days } = await reconcileMoneyDays({ ...common, className, planDir: deps.planDir });
      await writeReconciliationDays(s.destination, schema, plan.name, className, days, at);
      money.push(result);
    }
    const tables = Object.entries(plan.classes).map(([name, c]) => ({
      cls: name, table: requireTable(deps.destinationCatalog, c.destination.table, 'destination', 'compare'), key: c.destination.key,
    }));
    const foreign = await observeClassTablesWithSamples(s.destination, schema, plan.name, tables);
    const parked = new Map<string, number>();
    for (const p of await listParked(s.destination, schema, plan.name)) parked.set(p.class, (parked.get(p.class) ?? 0) + 1);
    const drained = [...s.drained.keys.values()].reduce((a, b) => a + b, 0);
    const findings: CompareFindings = { at, snapshot: s.snapshot, parity, foreign, money, attachments, parked, drained, durationMs: Date.now() - started };
    const { run, samples } = compareRecord(findings);
    await recordCompare(s.destination, schema, plan.name, run, samples);
    return findings;
  });
}
