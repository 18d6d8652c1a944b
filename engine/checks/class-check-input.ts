// What every check of one class against both databases is given: parity, money, audit.
import type { QueryRunner } from '../db/query-runner.js';
import type { Catalog } from '../introspect/catalog.js';
import type { Plan } from '../plan/types.js';

export interface ClassCheckInput {
  plan: Plan;
  className: string;
  source: QueryRunner;
  destination: QueryRunner;
  sourceCatalog: Catalog;
  destinationCatalog: Catalog;
  checkedAt: Date;
  /** the caller holds the source in the snapshot to check (REPEATABLE READ), and ends it */
  sourceInSnapshot?: boolean;
  /** the caller holds the destination in a transaction, and ends it */
  destinationInSnapshot?: boolean;
}
