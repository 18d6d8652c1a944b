// What the engine pieces need before they can copy or compare the benchmark's class, prepared the
// way `apply` prepares it (engine/apply/round-trip.ts): the plan read and validated from the same
// file the CLI reads, sessions opened with connect() (pinned to cutover's settings), both catalogs
// introspected, the mapping's types described, the mapped columns built. None of it is timed.
import { describeMappings } from '../../engine/checks/expressions.js';
import type { ExpressionType } from '../../engine/checks/expressions.js';
import { connect, type Session } from '../../engine/db/connect.js';
import { mappedColumns, mappedSelectList, sourceFrom, type MappedColumn } from '../../engine/copy/mapped-select.js';
import { destinationSchemas } from '../../engine/destination-schemas.js';
import { findTable, type Catalog, type CatalogTable } from '../../engine/introspect/catalog.js';
import { introspect } from '../../engine/introspect/introspect.js';
import { readValidPlan } from '../../engine/load/valid-plan.js';
import type { Plan, RecordClass } from '../../engine/plan/types.js';
import { CLASS } from './dataset.js';

export interface EngineContext {
  plan: Plan;
  cls: RecordClass;
  source: Session;
  destination: Session;
  sourceCatalog: Catalog;
  destinationCatalog: Catalog;
  sourceTable: CatalogTable;
  destinationTable: CatalogTable;
  types: Map<string, ExpressionType> | undefined;
  mapped: MappedColumn[];
  close(): Promise<void>;
}

export async function openEngine(planFile: string, sourceUrl: string, destinationUrl: string): Promise<EngineContext> {
  const valid = readValidPlan(planFile, { SRC_URL: sourceUrl, DST_URL: destinationUrl });
  const plan = valid.plan;
  const cls = plan.classes[CLASS]!;
  const source = await connect({ side: 'source', url: sourceUrl }, { purpose: 'bench', readOnly: true });
  const destination = await connect({ side: 'destination', url: destinationUrl }, { purpose: 'bench' });
  const [sourceCatalog, destinationCatalog] = await Promise.all([
    introspect(source.client, plan.source.schemas),
    introspect(destination.client, destinationSchemas(plan)),
  ]);
  const described = await describeMappings(source.client, plan, sourceCatalog, destinationCatalog, valid.locate);
  const errors = described.findings.filter((f) => f.severity === 'error');
  if (errors.length) throw new Error(`the benchmark's mapping is refused: ${errors.map((f) => f.message).join('; ')}`);
  const sourceTable = findTable(sourceCatalog, cls.source.table)!;
  const destinationTable = findTable(destinationCatalog, cls.destination.table)!;
  const types = described.types.get(CLASS);
  return {
    plan, cls, source, destination, sourceCatalog, destinationCatalog, sourceTable, destinationTable, types,
    mapped: mappedColumns(cls, types, destinationTable),
    close: async () => {
      await source.close();
      await destination.close();
    },
  };
}

/** The class's whole mapped SELECT, as one statement (what a single COPY of the mapping reads). */
export function mappedSelect(ctx: EngineContext, ordered: boolean): string {
  const order = ordered ? ` ORDER BY ${ctx.cls.source.key.map((k) => `src.${JSON.stringify(k)}`).join(', ')}` : '';
  return `SELECT ${mappedSelectList(ctx.mapped)} ${sourceFrom(ctx.cls, ctx.sourceTable)}${order}`;
}
