// Refresh: read both databases and the state, and run the checks that need them. This is the
// imperative shell around buildPlan: everything it returns is data for the pure core.
import { newConnections, sourceConnections } from './checks/connections.js';
import { coverage } from './checks/coverage.js';
import { replicationRoleFindings } from './checks/privileges.js';
import { describeMappings, type MappingDescription } from './checks/expressions.js';
import type { Locate } from './checks/locate.js';
import { preflight } from './checks/preflight.js';
import type { QueryRunner } from './db/query-runner.js';
import { settleAll } from './db/snapshot.js';
import { quoteIdent, tableFromItem } from './db/sql-identifiers.js';
import { destinationSchemas } from './destination-schemas.js';
import type { CheckResult, Finding, ParityResult } from './diff/plan-result.js';
import { readChecks } from './state/check-store.js';
import { readParity } from './state/parity-store.js';
import { readProgress, type CopyProgress } from './copy/copy-progress.js';
import { fingerprintOf } from './hash.js';
import { findTable, type Catalog } from './introspect/catalog.js';
import { fingerprintDrift, sourceFingerprint, type FingerprintParts } from './introspect/fingerprint.js';
import { introspect } from './introspect/introspect.js';
import { installedOnSource, observable } from './lock/installed.js';
import { lockGaps, pendingCaptures } from './lock/gaps.js';
import type { LockGap } from './diff/results.js';
import { sourceRoleFindings } from './lock/source-role.js';
import type { Plan } from './plan/types.js';
import { readCachedFindings, writeCachedFindings } from './state/findings-cache.js';
import { readState, type StateSnapshot } from './state/state-store.js';
import { stateSchema } from './plan/defaults.js';
import { keyTextJson, observeClassTablesWithSamples, sampleKeysFrom, writtenByCutover, type ForeignRows } from './state/written-rows.js';
import type { DestinationForeignRows } from './checks/preflight/class-facts.js';
import { refreshParity } from './checks/parity/refresh.js';
import { observeDualRun } from './observe-dual-run.js';
import type { DualRunRecord } from './phases/dual-run-record.js';

export interface Observed {
  source: Catalog;
  destination: Catalog;
  sourceFingerprint: { hash: string; parts: FingerprintParts };
  state: StateSnapshot;
  findings: Finding[];
  drift: string[];
  /** the data findings alone (mapping checks and preflight) */
  dataFindings: Finding[];
  /** findings came from the cache rather than the databases */
  findingsCached: boolean;
  /** where each class's copy stands (rows, bytes, timing), from state */
  copies: CopyProgress[];
  /** the latest money, audit, attachment and custom-code results, from state */
  checks: CheckResult[];
  /** the latest parity result of each class, from state (with --refresh: parity run again now) */
  parity: ParityResult[];
  /** each copied class's destination table now: its rows, and those cutover did not write */
  tables: Map<string, ForeignRows>;
  /** client sessions on the source now, as `role / application / client` */
  connections: string[];
  /** resources state records whose objects are gone from the source */
  missingLive: Set<string>;
  /** resource addresses whose objects are on the source now */
  live: Set<string>;
  /** the data lock or a class's capture missing or disabled: now, or when apply put it back */
  gaps: LockGap[];
  /** class → captured source changes not yet replayed */
  pending: Map<string, number>;
  /** the mirror, parked changes and compares, once the migration has reached dual_run */
  dualRun?: DualRunRecord;
}

/** `schema.table` for a table as the plan writes it (bare names resolve within source.schemas). */
export function qualifier(catalog: Catalog): (table: string) => string {
  return (table) => findTable(catalog, table)?.qualified ?? table;
}

export interface ObserveOptions {
  plan: Plan;
  planFingerprint: string;
  source: QueryRunner;
  destination: QueryRunner;
  locate: Locate;
  /** recompute findings even when cached */
  refresh: boolean;
  /** data findings this same command already computed: reused instead of scanning the source again */
  reuseDataFindings?: Finding[];
  /** the migration clock's now, for results computed here */
  now: Date;
}


/** Rows in each class's destination table that cutover did not write (capped at a million), with
 * up to 5 of their keys, in one query; only for classes cutover has not finished copying. A row
 * counts as cutover's when one of its transactions for the class wrote its current version (xmin):
 * the batches a killed copy committed are cutover's own, and a row of theirs someone changed since
 * is not. One statement is one snapshot: an apply copying beside this plan records its transaction
 * in the batch it commits, so its rows are never taken for foreign ones. */
async function destinationCounts(db: QueryRunner, plan: Plan, catalog: Catalog, state: StateSnapshot): Promise<Map<string, DestinationForeignRows>> {
  const started = new Set(state.resources.filter((r) => r.address.endsWith('.copy')).map((r) => r.address));
  const tables = Object.entries(plan.classes)
    .filter(([name]) => !started.has(`class.${name}.copy`))
    .flatMap(([name, c]) => {
      const table = findTable(catalog, c.destination.table);
      return table ? [{ name, table, key: c.destination.key }] : [];
    });
  if (tables.length === 0) return new Map();
  const sql = tables.map((t, i) => {
    const from = `FROM ${tableFromItem(t.table)} AS dst WHERE NOT (${state.exists ? writtenByCutover(stateSchema(plan), plan.name, t.name) : 'false'})`;
    const order = t.key.map((k) => `dst.${quoteIdent(k)}`).join(', ');
    return `SELECT ${i} AS i, (SELECT count(*) FROM (SELECT 1 ${from} LIMIT 1000000) x)::bigint AS n,
      (SELECT coalesce(json_agg(s.k), '[]') FROM (SELECT ${keyTextJson(t.key)} AS k ${from} ORDER BY ${order} LIMIT 5) s) AS k`;
  }).join(' UNION ALL ');
  const { rows } = await db.query<{ i: number; n: string; k: (string | null)[][] }>(sql);
  return new Map(rows.map((r) => {
    const t = tables[r.i]!;
    return [t.table.qualified, { count: Number(r.n), sampleKeys: sampleKeysFrom(r.k, t.table, t.key) }];
  }));
}

/** How much the source's data has moved: the cache key for data findings before capture exists. */
async function writeCounter(db: QueryRunner, schemas: string[]): Promise<string> {
  const { rows } = await db.query<{ n: string }>(
    `SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::text AS n FROM pg_stat_user_tables WHERE schemaname = ANY($1)`, [schemas]);
  return rows[0]?.n ?? '0';
}

/**
 * What preflight may scan: every class, each without the mappings whose type does not fit their
 * destination column (already reported as type-incompatible; checks written for the destination
 * type would not apply to their values). preflight itself leaves out missing tables and keys,
 * invalid expressions and `where`s; a class with one faulty mapping (a lossy cast, a timestamp
 * without a zone) still gets its data findings, as do its whole-class facts (destination not
 * empty, reverse leaving a column NULL).
 */
function scannable(described: MappingDescription): MappingDescription {
  const incompatible = new Set(described.findings.filter((f) => f.kind === 'type-incompatible').map((f) => `${f.class}.${f.column ?? ''}`));
  const types = new Map([...described.types].map(([cls, columns]) =>
    [cls, new Map([...columns].filter(([column]) => !incompatible.has(`${cls}.${column}`)))] as const));
  return { ...described, types };
}

async function dataFindings(
  o: ObserveOptions, source: Catalog, destination: Catalog, state: StateSnapshot, fingerprint: string,
): Promise<{ findings: Finding[]; cached: boolean }> {
  if (o.plan.target === 'rolled_back') return { findings: [], cached: false }; // a rollback copies nothing
  if (o.reuseDataFindings) return { findings: o.reuseDataFindings, cached: true };
  const counts = await destinationCounts(o.destination, o.plan, destination, state);
  const key = fingerprintOf({ plan: o.planFingerprint, source: fingerprint, writes: await writeCounter(o.source, o.plan.source.schemas), counts: [...counts] });
  if (!o.refresh && state.exists) {
    const cached = await readCachedFindings(o.destination, stateSchema(o.plan), o.plan.name, key);
    if (cached) return { findings: cached, cached: true };
  }
  const described = await describeMappings(o.source, o.plan, source, destination, o.locate);
  const findings = [...described.findings, ...(await preflight(o.source, o.plan, source, destination, counts, o.locate, scannable(described)))];
  if (state.exists) await writeCachedFindings(o.destination, stateSchema(o.plan), o.plan.name, key, findings);
  return { findings, cached: false };
}

/** Rows in the destination tables of the classes cutover finished copying: results that judged
 * other counts are stale. A rollback also reports on copies a kill stopped part-way, to say which
 * tables hold only cutover's rows. */
async function copiedTables(o: ObserveOptions, destination: Catalog, copies: readonly CopyProgress[]): Promise<Map<string, ForeignRows>> {
  const rollback = o.plan.target === 'rolled_back';
  const classes = copies.filter((c) => c.done || (rollback && c.rows > 0)).flatMap((c) => {
    const cls = o.plan.classes[c.class];
    const table = findTable(destination, cls?.destination.table ?? '');
    return table && cls ? [{ cls: c.class, table, key: cls.destination.key }] : [];
  });
  return observeClassTablesWithSamples(o.destination, stateSchema(o.plan), o.plan.name, classes);
}

export async function observe(o: ObserveOptions): Promise<Observed> {
  const [source, destination] = await settleAll([
    introspect(o.source, o.plan.source.schemas),
    introspect(o.destination, destinationSchemas(o.plan)),
  ]);
  const state = await readState(o.destination, stateSchema(o.plan), o.plan.name);
  const fingerprint = sourceFingerprint(source);
  const recorded = state.migration?.sourceFingerprintParts as FingerprintParts | null | undefined;
  const drift = recorded && state.migration?.sourceFingerprint !== fingerprint.hash ? fingerprintDrift(recorded, fingerprint.parts) : [];
  const checks = state.exists ? await readChecks(o.destination, stateSchema(o.plan), o.plan.name) : [];
  const copies = state.exists ? await readProgress(o.destination, stateSchema(o.plan), o.plan.name) : [];
  const data = await dataFindings(o, source, destination, state, fingerprint.hash);
  const live = await installedOnSource(o.source, o.plan, qualifier(source));
  const connections = await sourceConnections(o.source);
  const sourceRole = await sourceRoleFindings(o.source, o.plan, qualifier(source), o.locate);
  const stored = state.exists ? await readParity(o.destination, stateSchema(o.plan), o.plan.name) : [];
  const tables = await copiedTables(o, destination, copies);
  const parity = o.refresh && stored.length
    ? await refreshParity({
      plan: o.plan, schema: stateSchema(o.plan), source: o.source, destination: o.destination, sourceCatalog: source, destinationCatalog: destination,
      parity: stored, copies, tables, locate: o.locate, checkedAt: o.now,
    })
    : stored;
  const missingLive = new Set(state.resources.map((r) => r.address).filter((a) => observable(a) && !live.has(a)));
  const gaps = await lockGaps(o.destination, o.plan, state, missingLive);
  const pending = await pendingCaptures(o.source, o.plan, state, copies);
  const dualRun = await observeDualRun(o.source, o.destination, o.plan, o.planFingerprint, state, copies);
  return {
    ...(dualRun ? { dualRun } : {}),
    source, destination, sourceFingerprint: fingerprint, state, drift, missingLive, live, gaps, pending,
    connections, parity, copies, checks, tables,
    findings: [...coverage(o.plan, source, destination, o.locate), ...replicationRoleFindings(o.plan, destination, o.locate), ...data.findings, ...newConnections(state.migration?.sourceConnections, connections), ...sourceRole],
    findingsCached: data.cached,
    dataFindings: data.findings,
  };
}
