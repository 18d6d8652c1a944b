// `plan --refresh` after the copy: the parity of every class with a stored result is run again, in
// full and read-only, so a pass the data no longer bears out (rows changed in a way no count shows)
// is replaced by what parity finds now. Nothing is written: the next apply runs the check for real.
// In freeze mode a class with captured changes not yet replayed is left to that apply's parity
// (which replays them first): compared now, they would show as differences that are not losses.
import type { QueryRunner } from '../../db/query-runner.js';
import type { ParityResult } from '../../diff/plan-result.js';
import { findTable, type Catalog } from '../../introspect/catalog.js';
import { pendingByClass } from '../../capture/capture-log.js';
import { dataLockMode } from '../../plan/defaults.js';
import type { Plan } from '../../plan/types.js';
import type { CopyProgress } from '../../copy/copy-progress.js';
import { describeMappings } from '../expressions.js';
import type { Locate } from '../locate.js';
import { checkParity } from './check-parity.js';

export interface RefreshParityInput {
  plan: Plan;
  schema: string;
  source: QueryRunner;
  destination: QueryRunner;
  sourceCatalog: Catalog;
  destinationCatalog: Catalog;
  parity: readonly ParityResult[];
  copies: readonly CopyProgress[];
  tables: ReadonlyMap<string, { rows: number; foreign: number }>;
  locate: Locate;
  checkedAt: Date;
}

async function unreplayed(input: RefreshParityInput, className: string): Promise<boolean> {
  const copySnapshot = input.copies.find((c) => c.class === className)?.snapshot;
  if (!copySnapshot) return false;
  const pending = await pendingByClass(input.source, input.schema, input.plan.name, [{ cls: className, copySnapshot }]);
  return (pending.get(className) ?? 0) > 0;
}

export async function refreshParity(input: RefreshParityInput): Promise<ParityResult[]> {
  const classes = input.parity.filter((p) => input.plan.classes[p.class]
    && findTable(input.sourceCatalog, input.plan.classes[p.class]!.source.table)
    && findTable(input.destinationCatalog, input.plan.classes[p.class]!.destination.table));
  if (classes.length === 0) return [...input.parity];
  const { types } = await describeMappings(input.source, input.plan, input.sourceCatalog, input.destinationCatalog, input.locate);
  const freeze = dataLockMode(input.plan) === 'freeze';
  const out: ParityResult[] = [];
  for (const stored of input.parity) {
    if (!classes.includes(stored) || (freeze && await unreplayed(input, stored.class))) {
      out.push(stored);
      continue;
    }
    const fresh = await checkParity({
      plan: input.plan, className: stored.class, source: input.source, destination: input.destination,
      sourceCatalog: input.sourceCatalog, destinationCatalog: input.destinationCatalog, types: types.get(stored.class), checkedAt: input.checkedAt,
    });
    const table = input.tables.get(stored.class);
    out.push({ ...fresh, ...(table ? { table } : {}) });
  }
  return out;
}
