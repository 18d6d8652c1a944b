// Preflight data findings: what the copy would fail on, or silently change, found before any copy
// from the live source and the destination's schema. Everything runs on the SOURCE, in one READ
// ONLY, REPEATABLE READ transaction (one snapshot for every class), as set-based SQL over each
// class's mapped rows (`SELECT <keys>, <mapped expressions> FROM <source table> WHERE <where>`),
// compared with the destination columns' catalog facts.
//
// Queries, whatever the number of columns and checks:
// - once: BEGIN, the time-zone probe (only when a class declares `source_timezone`), one LIMIT 0
//   batch describing every destination CHECK constraint over the mapped rows, ROLLBACK;
// - per class with row checks: one aggregate scan counting the rows in scope and every check's
//   hits, plus one query for sample keys when any check has hits;
// - only when the aggregate fails: one probe per mapped column, one per-row pass (a DO block) per
//   failing mapping for its count and keys, and up to two retries.
// CHECKs are a destination table's and those of each mapped column's domain (and the domains under
// it), evaluated alike.
// (`describeMappings`, which preflight needs and which callers usually ran already, adds two.)
//
// Kinds and severities:
//   error   null-into-not-null, outside-enum, too-long, numeric-overflow, numeric-rounding,
//           seconds-rounding, precision-loss, time-dropped, value-changed, check-violation, orphan,
//           duplicate, dst-gap, dst-overlap, destination-not-empty, reverse-not-null,
//           timezone-invalid, mapping-failed, preflight-failed
//   warning narrowing (a narrower destination column that every value fits), check-not-evaluated,
//           orphan-not-evaluated, duplicate-not-evaluated, timezone-differs; and numeric-rounding,
//           seconds-rounding, precision-loss, time-dropped, value-changed when `lossy` declares
//           the change (preflight/lossy.ts)
// No finding suggests a cast: a cast to a bounded type truncates or rounds silently. They suggest
// widening the destination column, fixing the data, or declaring an intended change in `lossy`.
// `timestamp-without-zone` (timestamp into timestamptz without `source_timezone`) is reported by
// describeMappings, not repeated here; neither are its other findings (invalid expressions,
// missing tables or columns, incompatible types, conversions no data can make exact).
import type { QueryRunner } from '../db/query-runner.js';
import { tableFromItem } from '../db/sql-identifiers.js';
import type { Finding } from '../diff/plan-result.js';
import type { Catalog } from '../introspect/catalog.js';
import type { Plan } from '../plan/types.js';
import { describeMappings, type MappingDescription } from './expressions.js';
import { destinationNotEmpty, knownZones, reverseNotNull, zoneFindings, type DestinationForeignRows } from './preflight/class-facts.js';
import { changeChecks } from './preflight/changes.js';
import { columnChecks } from './preflight/columns.js';
import { constraintChecks } from './preflight/constraints.js';
import { Aliases, type ClassScan, type MappedColumn } from './preflight/model.js';
import { duplicateChecks, orphanChecks } from './preflight/relations.js';
import { scanClass } from './preflight/scan.js';
import { destinationTableOf, runSimple, sourceTableOf, whereOf, type Locate } from './preflight/source-sql.js';

export type { Locate };

/**
 * @param destinationCounts rows per destination table (`schema.table`) that cutover did not write, with sample keys
 * @param described the result of describeMappings for the same plan and catalogs, when the caller
 *   has it (it is computed here otherwise; its findings are the caller's to report either way)
 */
export async function preflight(
  source: QueryRunner,
  plan: Plan,
  sourceCatalog: Catalog,
  destinationCatalog: Catalog,
  destinationCounts: ReadonlyMap<string, DestinationForeignRows>,
  locate: Locate,
  described?: MappingDescription,
): Promise<Finding[]> {
  const mapping = described ?? (await describeMappings(source, plan, sourceCatalog, destinationCatalog, locate));
  const findings: Finding[] = [
    ...destinationNotEmpty(plan, destinationCatalog, destinationCounts, locate),
    ...reverseNotNull(plan, sourceCatalog, locate),
  ];

  const scans = classScans(plan, sourceCatalog, destinationCatalog, mapping);
  const zones = [...new Set(Object.values(plan.classes).flatMap((c) => (c.timestamps?.source_timezone ? [c.timestamps.source_timezone] : [])))];

  await runSimple(source, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const known = await knownZones(source, zones);
    findings.push(...zoneFindings(plan, sourceCatalog, known, locate));

    const constraints = await constraintChecks(source, [...scans.values()], locate);
    findings.push(...constraints.findings);

    const destinationOf = (name: string) => {
      const cls = plan.classes[name];
      return cls ? destinationTableOf(destinationCatalog, cls)?.qualified : undefined;
    };
    for (const scan of scans.values()) {
      const aliases = new Aliases();
      const duplicates = duplicateChecks(scan, aliases, locate);
      const orphans = orphanChecks(scan, scans, plan.classes, destinationOf, aliases, locate);
      findings.push(...duplicates.findings, ...orphans.findings);
      const columns = columnChecks(scan, known.valid);
      const checks = [
        ...columns.checks,
        ...changeChecks(scan, aliases),
        ...(constraints.checks.get(scan.name) ?? []),
        ...duplicates.checks,
        ...orphans.checks,
      ];
      findings.push(...(await scanClass(source, scan, checks, locate, columns.measures)));
    }
  } finally {
    await runSimple(source, 'ROLLBACK').catch(() => undefined);
  }

  const order = new Map(Object.keys(plan.classes).map((name, i) => [name, i]));
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => (order.get(a.f.class) ?? 0) - (order.get(b.f.class) ?? 0) || a.i - b.i)
    .map(({ f }) => f);
}

/**
 * The classes preflight can read: source and destination tables found, source keys present,
 * `where` valid; with the mapped columns whose expressions are valid and whose destination column
 * exists (and is not generated).
 */
function classScans(plan: Plan, sourceCatalog: Catalog, destinationCatalog: Catalog, mapping: MappingDescription): Map<string, ClassScan> {
  const scans = new Map<string, ClassScan>();
  for (const [name, cls] of Object.entries(plan.classes)) {
    const source = sourceTableOf(sourceCatalog, cls);
    const destination = destinationTableOf(destinationCatalog, cls);
    if (!source || !destination || mapping.invalidWhere.has(name)) continue;
    const keys = (cls.source.key ?? []).map((k) => ({ name: k, column: source.columns.find((c) => c.name === k) }));
    if (keys.length === 0 || keys.some((k) => !k.column)) continue;
    const types = mapping.types.get(name) ?? new Map();
    const mapped: MappedColumn[] = [];
    for (const [column, sql] of Object.entries(cls.columns ?? {})) {
      const type = types.get(column);
      const target = destination.columns.find((c) => c.name === column);
      if (!type || !target || target.generated) continue;
      mapped.push({ name: column, sql: String(sql), type, target });
    }
    scans.set(name, {
      name,
      cls,
      source,
      destination,
      from: tableFromItem(source),
      where: whereOf(cls),
      keys: keys.map((k) => ({ name: k.name, column: k.column! })),
      mapped,
    });
  }
  return scans;
}
