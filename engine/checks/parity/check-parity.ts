// Record class parity (spec: "Record class parity"): one class's source, read through its mapping
// in one snapshot, against its destination table.
//
//   1. counts: each side's buckets give its row count; rows excluded by `where` are counted apart;
//   2. rows: both sides hash their normalised rows into buckets at once (buckets.ts); only the
//      buckets that differ are narrowed to keys (narrow.ts), and only up to 20 changed rows are
//      ever read whole, to name the columns that differ;
//   3. relationships resolve in the destination (relationships.ts);
//   4. `computed` columns hold their values and `checks` return no rows (computed.ts,
//      class-checks.ts).
//
// Sessions: the source is read in a REPEATABLE READ READ ONLY transaction this opens and rolls
// back (or the caller's, with sourceInSnapshot); the destination likewise (destinationInSnapshot),
// so every statement on a side sees one snapshot and the plan's check SQL cannot write. At most one
// statement runs on a session at a time; the two sessions work concurrently.
//
// Statements per class, nothing differing: source 6 (BEGIN, hash probe, planner setting, buckets,
// setting restored, ROLLBACK), one scan of the table (two with a `where`: the excluded count);
// destination 6 the same way, plus 3 per relationship, computed column and check (SAVEPOINT,
// statement, RELEASE), each one scan. Differences add per side: one statement for the rows of the
// differing buckets (key, hash, and their values when under 5,000 rows) — or, beyond 100,000 rows,
// DECLARE, one FETCH per 20,000 rows and CLOSE of a cursor — then one for the values of the
// sampled changed rows (unless read already) and one for sample keys of one-sided buckets.
import type { QueryRunner } from '../../db/query-runner.js';
import type { ExpressionType } from '../expressions.js';
import type { ParityResult } from '../../diff/plan-result.js';
import { Failure } from '../../failure.js';
import { requireTable, type Catalog, type CatalogTable } from '../../introspect/catalog.js';
import { bucketCount, compareBuckets, probe, readBuckets, totalRows, type Bucket, type Hashing, type HashKind } from './buckets.js';
import { checkDifferences } from './class-checks.js';
import { computedDifferences } from './computed.js';
import { excludedRows } from './excluded.js';
import { narrow, type Difference } from './narrow.js';
import { parityShape } from './normalise.js';
import { orphans, relationshipsOf } from './relationships.js';
import { inTransaction, settleAll } from '../../db/snapshot.js';
import type { ClassCheckInput } from '../class-check-input.js';

export interface CheckParityInput extends ClassCheckInput {
  /** the class's mapping expression types (describeMappings(...).types.get(className)) */
  types: Map<string, ExpressionType> | undefined;
  /** how rows are hashed (buckets.ts); default: native when both servers agree on the probe */
  hash?: HashKind;
}


function table(catalog: Catalog, name: string, side: 'source' | 'destination', className: string): CatalogTable {
  return requireTable(catalog, name, side, `parity of class ${className}`);
}

/** The fast in-server hash only when both servers compute it alike. */
async function hashKind(source: QueryRunner, destination: QueryRunner): Promise<HashKind> {
  const [s, d] = await settleAll([probe(source), probe(destination)]);
  return s !== null && s === d ? 'native' : 'portable';
}


function readFailure(className: string, side: string, e: unknown): Failure {
  return new Failure('parity.read', `parity of class ${className}: the ${side} rows cannot be read${side === 'source' ? ' through the mapping' : ''}: ${(e as Error).message}`,
    side === 'source' ? 'run `cutover plan`: preflight names the rows and columns the mapping cannot convert' : undefined);
}

export async function checkParity(input: CheckParityInput): Promise<ParityResult> {
  const { plan, className } = input;
  const cls = plan.classes[className];
  if (!cls) throw new Failure('parity.class-missing', `the plan has no class ${className}`);
  const sourceTable = table(input.sourceCatalog, cls.source.table, 'source', className);
  const destinationTable = table(input.destinationCatalog, cls.destination.table, 'destination', className);
  const shape = parityShape(cls, sourceTable, destinationTable, input.types);
  const buckets = bucketCount(Math.max(sourceTable.estimatedRows, destinationTable.estimatedRows));
  const relationships = relationshipsOf(plan, cls, destinationTable, input.destinationCatalog);

  let result: ParityResult | undefined;
  await inTransaction(input.source, !input.sourceInSnapshot, async () => {
    await inTransaction(input.destination, !input.destinationInSnapshot, async () => {
      const hashing: Hashing = { buckets, kind: input.hash ?? await hashKind(input.source, input.destination) };
      // both sides hash at once; the destination's own checks follow its hashing while the
      // source may still be hashing
      const [source, destination] = await settleAll([
        (async () => {
          try {
            const excluded = await excludedRows(input.source, cls, sourceTable);
            return { excluded, buckets: await readBuckets(input.source, shape.source, hashing) };
          } catch (e) {
            throw readFailure(className, 'source', e);
          }
        })(),
        (async () => {
          let own: Map<number, Bucket>;
          try {
            own = await readBuckets(input.destination, shape.destination, hashing);
          } catch (e) {
            throw readFailure(className, 'destination', e);
          }
          const differences: Difference[] = [
            ...await orphans(input.destination, shape, relationships),
            ...await computedDifferences(input.destination, shape, cls),
            ...await checkDifferences(input.destination, cls, shape.keyKinds),
          ];
          return { buckets: own, differences };
        })(),
      ]);
      const comparison = compareBuckets(source.buckets, destination.buckets);
      const rows = await narrow({
        source: input.source, destination: input.destination, shape, hashing,
        sourceBuckets: source.buckets, destinationBuckets: destination.buckets, comparison,
      });
      const differences = [...rows, ...destination.differences];
      const sourceRows = totalRows(source.buckets);
      const destinationRows = totalRows(destination.buckets);
      result = {
        class: className,
        passed: sourceRows === destinationRows && differences.length === 0,
        checkedAt: input.checkedAt.toISOString(),
        sourceRows,
        destinationRows,
        excludedRows: source.excluded,
        differences,
      };
    });
  });
  return result!;
}
