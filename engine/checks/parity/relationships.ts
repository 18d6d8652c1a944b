// Every relationship of a class must resolve in the destination: each foreign key of the class's
// destination table (read from the destination catalog, and checked even though the copy may have
// run with session_replication_role = replica, which does not enforce them) and each of the
// class's `relationships` (destination columns of this class referencing another class's
// destination key). A row whose referencing columns are all non-NULL (MATCH SIMPLE, as foreign
// keys do) and find no referenced row is an orphan.
import type { QueryRunner } from '../../db/query-runner.js';
import { quoteIdent, quoteQualified } from '../../db/sql-identifiers.js';
import { findTable, type Catalog, type CatalogTable } from '../../introspect/catalog.js';
import type { Plan, RecordClass } from '../../plan/types.js';
import { guarded } from './guard.js';
import type { Difference } from './narrow.js';
import { sampleKey, type ParityShape } from './normalise.js';
import { countAndSamplesSql, countOf } from './sample-rows.js';

export interface Relationship {
  /** how the result names it */
  name: string;
  columns: string[];
  /** `schema.table` referenced */
  table: string;
  referencedColumns: string[];
}

/** The destination's foreign keys, then the plan's relationships that are not already one of them. */
export function relationshipsOf(plan: Plan, cls: RecordClass, table: CatalogTable, destinationCatalog: Catalog): Relationship[] {
  const out: Relationship[] = table.foreignKeys.map((fk) => ({
    name: `foreign key ${fk.name}`, columns: fk.columns, table: fk.references, referencedColumns: fk.referencedColumns,
  }));
  const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  for (const r of cls.relationships ?? []) {
    const target = plan.classes[r.references];
    const referencedTable = target ? findTable(destinationCatalog, target.destination.table)?.qualified ?? target.destination.table : r.references;
    const rel: Relationship = {
      name: `relationship to ${r.references}`, columns: r.columns, table: referencedTable, referencedColumns: target?.destination.key ?? [],
    };
    if (!out.some((x) => same(x.columns, rel.columns) && x.table === rel.table && same(x.referencedColumns, rel.referencedColumns))) out.push(rel);
  }
  return out;
}

export function orphanSql(shape: ParityShape, rel: Relationship): string {
  const notNull = rel.columns.map((c) => `dst.${quoteIdent(c)} IS NOT NULL`).join(' AND ');
  const match = rel.columns.map((c, i) => `ref.${quoteIdent(rel.referencedColumns[i] ?? c)} = dst.${quoteIdent(c)}`).join(' AND ');
  return countAndSamplesSql(shape.destination, `${notNull} AND NOT EXISTS (SELECT 1 FROM ${quoteQualified(rel.table)} AS ref WHERE ${match})`);
}

function describe(rel: Relationship): string {
  return `${rel.name}: (${rel.columns.join(', ')}) → ${rel.table} (${rel.referencedColumns.join(', ')})`;
}

export async function orphans(db: QueryRunner, shape: ParityShape, relationships: readonly Relationship[]): Promise<Difference[]> {
  const out: Difference[] = [];
  for (const rel of relationships) {
    if (rel.referencedColumns.length !== rel.columns.length) {
      out.push({ kind: 'orphan', count: 0, sampleKeys: [], detail: `${describe(rel)}: cannot be checked: the referenced key has ${rel.referencedColumns.length} columns` });
      continue;
    }
    const r = await guarded(db, () => db.query<{ kt: string; n: string }>(orphanSql(shape, rel)));
    if (!r.ok) {
      out.push({ kind: 'orphan', count: 0, sampleKeys: [], detail: `${describe(rel)}: cannot be checked: ${r.message}` });
      continue;
    }
    const count = countOf(r.value.rows);
    if (count > 0) out.push({ kind: 'orphan', count, sampleKeys: r.value.rows.map((x) => sampleKey(x.kt, shape.keyKinds)), detail: describe(rel) });
  }
  return out;
}
