// Findings about a class as a whole rather than its rows: a destination table that already holds
// rows, a `reverse` that would leave a NOT NULL source column unset, and the source's time zones (a
// declared `source_timezone` PostgreSQL does not know, or one that differs from the TimeZone the
// source's applications see).
import type { QueryRunner } from '../../db/query-runner.js';
import { quoteIdent, quoteLiteral } from '../../db/sql-identifiers.js';
import type { Finding } from '../../diff/plan-result.js';
import type { Catalog } from '../../introspect/catalog.js';
import type { Plan } from '../../plan/types.js';
import { destinationTableOf, runBatch, savepoint, sourceTableOf, SqlText, type Locate } from './source-sql.js';

const at = (locate: Locate, path: (string | number)[]) => {
  const p = locate(path);
  return { line: p.line, col: p.col };
};

/** The rows of a destination table cutover did not write: how many, and up to 5 of their keys. */
export interface DestinationForeignRows {
  count: number;
  sampleKeys: unknown[][];
}

/**
 * `destination-not-empty`: cutover refuses to write into a table holding rows it did not write.
 * destinationCounts holds, per destination table (`schema.table`), the rows cutover did not write.
 */
export function destinationNotEmpty(
  plan: Plan,
  destinationCatalog: Catalog,
  destinationCounts: ReadonlyMap<string, DestinationForeignRows>,
  locate: Locate,
): Finding[] {
  const findings: Finding[] = [];
  for (const [name, cls] of Object.entries(plan.classes)) {
    const table = destinationTableOf(destinationCatalog, cls);
    const qualified = table?.qualified ?? cls.destination.table;
    const found = destinationCounts.get(qualified) ?? destinationCounts.get(cls.destination.table);
    const count = found?.count ?? 0;
    if (count <= 0) continue;
    findings.push({
      class: name, kind: 'destination-not-empty', severity: 'error',
      message: `${qualified} already holds ${count} ${count === 1 ? 'row' : 'rows'} that cutover did not write; cutover refuses to copy into it (empty it, or point the class at another table)`,
      count, sampleKeys: found?.sampleKeys ?? [],
      ...at(locate, ['classes', name, 'destination', 'table']),
    });
  }
  return findings;
}

/** `reverse-not-null`: a rollback through `reverse` would insert NULL into a NOT NULL source column. */
export function reverseNotNull(plan: Plan, sourceCatalog: Catalog, locate: Locate): Finding[] {
  const findings: Finding[] = [];
  for (const [name, cls] of Object.entries(plan.classes)) {
    if (!cls.reverse) continue;
    const table = sourceTableOf(sourceCatalog, cls);
    if (!table) continue;
    for (const column of table.columns) {
      if (!column.notNull || column.hasDefault || column.generated || column.identity) continue;
      if (column.name in cls.reverse) continue;
      findings.push({
        class: name, column: column.name, kind: 'reverse-not-null', severity: 'error',
        message: `\`reverse\` does not set \`${column.name}\`, which is NOT NULL without a default in ${table.qualified}: a rollback could not restore these rows`,
        ...at(locate, ['classes', name, 'reverse']),
      });
    }
  }
  return findings;
}

/**
 * Which of the zones PostgreSQL knows, with the error for those it does not. Inside the caller's
 * transaction: one round trip for all zones, and one per zone only when that fails.
 */
export async function knownZones(runner: QueryRunner, zones: readonly string[]): Promise<{ valid: Set<string>; invalid: Map<string, string> }> {
  const valid = new Set<string>();
  const invalid = new Map<string, string>();
  if (zones.length === 0) return { valid, invalid };
  const statement = (list: readonly string[]) =>
    new SqlText().add(`SELECT ${list.map((z, i) => `TIMESTAMPTZ '2000-01-01 00:00:00+00' AT TIME ZONE ${quoteLiteral(z)} AS ${quoteIdent(`z${i}`)}`).join(', ')}`);
  const all = await runBatch(runner, [statement(zones)], savepoint('cutover_preflight_zones'));
  if (all.ok) {
    zones.forEach((z) => valid.add(z));
    return { valid, invalid };
  }
  for (const zone of zones) {
    const one = zones.length === 1 ? all : await runBatch(runner, [statement([zone])], savepoint('cutover_preflight_zones'));
    if (one.ok) valid.add(zone);
    else invalid.set(zone, one.error.message);
  }
  return { valid, invalid };
}

/** `timezone-invalid` for unknown zones; `timezone-differs` where the source's TimeZone is another zone. */
export function zoneFindings(plan: Plan, sourceCatalog: Catalog, zones: { valid: Set<string>; invalid: Map<string, string> }, locate: Locate): Finding[] {
  const findings: Finding[] = [];
  const serverZone = sourceCatalog.server.defaultTimezone;
  for (const [name, cls] of Object.entries(plan.classes)) {
    const zone = cls.timestamps?.source_timezone;
    if (!zone) continue;
    const path = ['classes', name, 'timestamps', 'source_timezone'];
    const error = zones.invalid.get(zone);
    if (error !== undefined) {
      findings.push({
        class: name, kind: 'timezone-invalid', severity: 'error',
        message: `\`timestamps.source_timezone\` ${zone} is not a time zone the source database knows: ${error}`,
        ...at(locate, path),
      });
      continue;
    }
    if (serverZone && !sameZone(serverZone, zone)) {
      findings.push({
        class: name, kind: 'timezone-differs', severity: 'warning',
        message: `the source's TimeZone is ${serverZone} but the class reads its local times as ${zone}: check which zone the applications wrote them in`,
        ...at(locate, path),
      });
    }
  }
  return findings;
}

/** Zone names that denote the same zone (`US/Eastern` and `America/New_York`, `UTC` and `Etc/UTC`). */
export function sameZone(a: string, b: string): boolean {
  if (a.toLowerCase() === b.toLowerCase()) return true;
  const canonical = (z: string) => {
    try {
      return new Intl.DateTimeFormat('en-US', { timeZone: z }).resolvedOptions().timeZone;
    } catch {
      return null;
    }
  };
  const ca = canonical(a);
  return ca !== null && ca === canonical(b);
}
