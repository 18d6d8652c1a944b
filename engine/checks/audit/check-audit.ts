// The audit check (spec: "Money, audit, attachments, custom code"): an audit log must arrive with
// its order and its instants intact, and must never have been rewritten.
//
//   1. sequence: the rows in `order_by` order hash the same on both sides (sequence.ts: chunked
//      running hash, divergence located per position) → `order-differs`, `row-differs`;
//   2. anchors: instants known from outside, for rows named by source key (anchors.ts) →
//      `anchor-mismatch`, `anchor-missing` (`anchors-unchecked` when `order_by` has no
//      timestamptz column to check them against);
//   3. rewrites: captured UPDATE, DELETE or TRUNCATE on the source's audit table (the class's
//      capture table `{state schema}.cutover_capture_<migration>_<class>` on the source, when
//      capture is installed) → `audit-rewritten`.
//
// Statements: source — BEGIN, chunk hashes, capture-table probe (+1 read when it exists), anchor
// keys (with anchors), ROLLBACK; destination — BEGIN, chunk hashes, anchor instants (with anchors),
// ROLLBACK; a differing sequence adds one positions read per side (the first 5 differing chunks). The two sides run concurrently,
// each in a REPEATABLE READ READ ONLY transaction (or the caller's, with *InSnapshot).
import type { QueryRunner } from '../../db/query-runner.js';
import type { CheckResult } from '../../diff/plan-result.js';
import { loggedRewrites } from '../../capture/capture-log.js';
import { Failure } from '../../failure.js';
import { requireTable, type Catalog, type CatalogTable } from '../../introspect/catalog.js';
import { plural, thousands } from '../../words.js';
import type { ExpressionType } from '../expressions.js';
import { parityShape } from '../parity/normalise.js';
import { anchorColumn, checkAnchors, type AnchorOutcome } from './anchors.js';
import {
  CHUNK_ROWS, differingChunks, locateDivergence, readChunks, sequenceHash, sequenceSides, type Chunk, type Divergence,
} from './sequence.js';
import { inTransaction, settleAll } from '../../db/snapshot.js';
import type { ClassCheckInput } from '../class-check-input.js';
import { stateSchema } from '../../plan/defaults.js';

export interface CheckAuditInput extends ClassCheckInput {
  /** the class's mapping expression types (describeMappings(...).types.get(className)) */
  types: Map<string, ExpressionType> | undefined;
  /** positions per chunk of the running hash (default 10,000) */
  chunkRows?: number;
}

const SAMPLES = 20;



function table(catalog: Catalog, name: string, side: 'source' | 'destination', className: string): CatalogTable {
  return requireTable(catalog, name, side, `audit check of class ${className}`);
}

function readFailure(className: string, side: string, e: unknown): Failure {
  if (e instanceof Failure) return e;
  return new Failure('audit.read', `audit check of class ${className}: the ${side} rows cannot be read${side === 'source' ? ' through the mapping' : ''}: ${(e as Error).message}`,
    side === 'source' ? 'run `cutover plan`: preflight names the rows and columns the mapping cannot convert' : undefined);
}

export interface CapturedRewrites {
  /** whether the class has a capture table on the source */
  captured: boolean;
  count: number;
  byOp: { update: number; delete: number; truncate: number };
  samples: { op: 'update' | 'delete' | 'truncate'; key: unknown[]; oldKey?: unknown[]; at: string }[];
}

const OPS = { U: 'update', D: 'delete', T: 'truncate' } as const;

/** Captured UPDATE/DELETE/TRUNCATE on the class's source table, from the migration's capture log if any. */
export async function capturedRewrites(source: QueryRunner, schema: string, migration: string, className: string): Promise<CapturedRewrites> {
  const rows = await loggedRewrites(source, schema, migration, className, SAMPLES);
  if (!rows) return { captured: false, count: 0, byOp: { update: 0, delete: 0, truncate: 0 }, samples: [] };
  const first = rows[0];
  const byOp = { update: first?.updates ?? 0, delete: first?.deletes ?? 0, truncate: first?.truncates ?? 0 };
  return {
    captured: true,
    count: byOp.update + byOp.delete + byOp.truncate,
    byOp,
    samples: rows.map((r) => ({
      op: OPS[r.op],
      key: Array.isArray(r.key) ? r.key : [],
      ...(Array.isArray(r.oldKey) ? { oldKey: r.oldKey } : {}),
      at: r.at,
    })),
  };
}

export async function checkAudit(input: CheckAuditInput): Promise<CheckResult> {
  const { plan, className } = input;
  const cls = plan.classes[className];
  if (!cls) throw new Failure('audit.class-missing', `the plan has no class ${className}`);
  const audit = cls.audit;
  if (!audit) throw new Failure('audit.section-missing', `class ${className} has no \`audit\` section`);
  const sourceTable = table(input.sourceCatalog, cls.source.table, 'source', className);
  const destinationTable = table(input.destinationCatalog, cls.destination.table, 'destination', className);
  const shape = parityShape(cls, sourceTable, destinationTable, input.types);
  const sequence = sequenceSides(cls, className, sourceTable, destinationTable, input.types);
  const order = { columns: sequence.columns };
  const chunkRows = Math.max(1, Math.trunc(input.chunkRows ?? CHUNK_ROWS));
  const schema = stateSchema(plan);
  const instant = anchorColumn(audit, destinationTable);
  const anchors = audit.anchors ?? [];

  let sourceChunks: Chunk[] = [];
  let destinationChunks: Chunk[] = [];
  let rewrites: CapturedRewrites | undefined;
  let anchorOutcomes: AnchorOutcome[] = [];
  let divergence: Divergence | null = null;

  await inTransaction(input.source, !input.sourceInSnapshot, async () => {
    await inTransaction(input.destination, !input.destinationInSnapshot, async () => {
      [[sourceChunks, rewrites], destinationChunks] = await settleAll([
        (async () => {
          try {
            const chunks = await readChunks(input.source, sequence.source, chunkRows);
            return [chunks, await capturedRewrites(input.source, schema, plan.name, className)] as const;
          } catch (e) {
            throw readFailure(className, 'source', e);
          }
        })(),
        readChunks(input.destination, sequence.destination, chunkRows)
          .catch((e: unknown) => { throw readFailure(className, 'destination', e); }),
      ] as const);
      if (instant && anchors.length > 0) {
        try {
          anchorOutcomes = await checkAnchors(input.source, input.destination, cls, shape, sourceTable, destinationTable, instant);
        } catch (e) {
          throw new Failure('audit.anchors', `audit check of class ${className}: the anchors cannot be checked: ${(e as Error).message}`,
            'anchor keys are the SOURCE key values, in the order of source.key');
        }
      }
      const differing = differingChunks(sourceChunks, destinationChunks);
      if (differing.length > 0) {
        divergence = await locateDivergence(input.source, input.destination, sequence, differing, chunkRows)
          .catch((e: unknown) => { throw readFailure(className, 'source and destination', e); });
      }
    });
  });

  const count = (chunks: Chunk[]) => chunks.reduce((n, c) => n + c.rows, 0);
  const sourceRows = count(sourceChunks);
  const destinationRows = count(destinationChunks);
  const orderText = order.columns.join(', ');
  const problems: CheckResult['problems'] = [];

  const d = divergence as Divergence | null;
  if (d) {
    const chunksDiffer = differingChunks(sourceChunks, destinationChunks).length;
    const totalChunks = Math.max(sourceChunks.length, destinationChunks.length);
    const read = chunksDiffer > d.chunks.length ? `, counted in the first ${d.chunks.length}` : '';
    const where = `${chunksDiffer} of ${totalChunks} chunk${totalChunks === 1 ? '' : 's'} of ${thousands(chunkRows)} positions differ${read}`
      + (sourceRows !== destinationRows ? `; the source has ${thousands(sourceRows)} rows, the destination ${thousands(destinationRows)}` : '');
    if (d.order.count > 0) {
      const f = d.order.samples[0]!;
      problems.push({
        kind: 'order-differs',
        count: d.order.count,
        samples: d.order.samples,
        detail: `the audit sequence ordered by ${orderText} diverges at position ${thousands(f.position)}: `
          + `the source has key ${JSON.stringify(f.source)} there, the destination ${JSON.stringify(f.destination)} `
          + `(${plural(d.order.count, 'position')} with another key; ${where})`,
      });
    }
    if (d.rows.count > 0) {
      const f = d.rows.samples[0]!;
      problems.push({
        kind: 'row-differs',
        count: d.rows.count,
        samples: d.rows.samples,
        detail: `at position ${thousands(f.position)} of the sequence ordered by ${orderText} both sides have key ${JSON.stringify(f.key)} but the rows differ `
          + `(${plural(d.rows.count, 'such position')}; ${where}); parity names the columns`,
      });
    }
  }

  if (anchors.length > 0 && !instant) {
    problems.push({
      kind: 'anchors-unchecked', count: anchors.length, samples: anchors.slice(0, SAMPLES).map((a) => a.key),
      detail: `no column of audit.order_by (${orderText}) is a timestamptz column of ${destinationTable.qualified}, so the anchors' instants cannot be checked`,
    });
  }
  const missing = anchorOutcomes.filter((o) => o.status === 'missing');
  const wrong = anchorOutcomes.filter((o) => o.status === 'mismatch');
  if (wrong.length > 0) {
    problems.push({
      kind: 'anchor-mismatch', count: wrong.length,
      samples: wrong.slice(0, SAMPLES).map((o) => ({ key: o.key, destinationKey: o.destinationKey, expected: o.expected ?? o.utc, found: o.found ?? null, offBy: o.offBy })),
      detail: `${wrong.length === 1 ? 'an anchor does' : `${wrong.length} anchors do`} not hold: ${wrong.slice(0, 3).map((o) => `source key ${JSON.stringify(o.key)}: ${o.reason}`).join('; ')}`
        + (wrong.some((o) => o.offBy) ? ' — a whole-hour offset usually means timestamps.source_timezone is declared wrong' : ''),
    });
  }
  if (missing.length > 0) {
    problems.push({
      kind: 'anchor-missing', count: missing.length,
      samples: missing.slice(0, SAMPLES).map((o) => ({ key: o.key, destinationKey: o.destinationKey })),
      detail: missing.slice(0, 3).map((o) => `source key ${JSON.stringify(o.key)}: ${o.reason}`).join('; '),
    });
  }
  const r = rewrites as CapturedRewrites | undefined;
  if (r && r.count > 0) {
    const parts = [r.byOp.update ? `${r.byOp.update} update${r.byOp.update === 1 ? '' : 's'}` : '', r.byOp.delete ? `${r.byOp.delete} delete${r.byOp.delete === 1 ? '' : 's'}` : '',
      r.byOp.truncate ? `${r.byOp.truncate} truncate${r.byOp.truncate === 1 ? '' : 's'}` : ''].filter(Boolean).join(', ');
    problems.push({
      kind: 'audit-rewritten', count: r.count, samples: r.samples,
      detail: `the audit source table ${sourceTable.qualified} was rewritten after capture began (${parts}): an audit log may only grow`,
    });
  }

  const hash = { source: sequenceHash(sourceChunks), destination: sequenceHash(destinationChunks) };
  const summary = problems.length === 0
    ? `${thousands(sourceRows)} audit rows in the same order by ${orderText} on both sides`
      + (anchorOutcomes.length ? `; ${anchorOutcomes.length} ${anchorOutcomes.length === 1 ? 'anchor holds' : 'anchors hold'}` : '')
      + (r?.captured ? '; no captured rewrite' : '')
    : problems.map((p) => p.kind === 'order-differs' || p.kind === 'row-differs' ? p.detail!.split(' (')[0]! : `${p.kind} (${p.count})`).join('; ');

  return {
    class: className,
    kind: 'audit',
    passed: problems.length === 0,
    checkedAt: input.checkedAt.toISOString(),
    summary,
    problems,
    details: {
      orderBy: order.columns,
      tieBreaker: cls.destination.key,
      sourceRows,
      destinationRows,
      chunkRows,
      chunks: { source: sourceChunks.length, destination: destinationChunks.length },
      sequenceHash: hash,
      firstDivergence: d ? d.first : null,
      anchors: anchorOutcomes,
      anchorColumn: instant?.name ?? null,
      capture: r ? { installed: r.captured, updates: r.byOp.update, deletes: r.byOp.delete, truncates: r.byOp.truncate } : null,
    },
  };
}
