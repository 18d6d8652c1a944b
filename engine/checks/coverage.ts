// Phase one's gate, against the live source: every table is a class or ignored, every column is
// read or deliberately dropped, every piece of custom code is listed — and the plan names nothing
// that is not there. An unmapped column is exactly how "0.3 % of orders with a missing field"
// happens.
import { findTable, type Catalog, type CatalogTable } from '../introspect/catalog.js';
import type { Finding } from '../diff/plan-result.js';
import { readColumns } from '../plan/sql-identifiers.js';
import { yamlKey, yamlScalar, yamlTable } from '../plan/plan-yaml.js';
import type { Plan, RecordClass } from '../plan/types.js';
import { sqlColumn } from '../db/sql-identifiers.js';
import type { Locate } from './locate.js';

function at(locate: Locate, path: (string | number)[]): { line: number; col: number } {
  return locate(path);
}

/** Source tables the plan accounts for, by qualified name. */
function accountedTables(plan: Plan, source: Catalog): Set<string> {
  const names = [...Object.values(plan.classes).map((c) => c.source.table), ...(plan.ignore ?? []).map((i) => i.table)];
  return new Set(names.map((n) => findTable(source, n)?.qualified).filter((n): n is string => !!n));
}

function unclassifiedTables(plan: Plan, source: Catalog, locate: Locate): Finding[] {
  const accounted = accountedTables(plan, source);
  return source.tables
    .filter((t) => !t.partitionOf && !accounted.has(t.qualified))
    .map((t) => ({
      class: '',
      kind: 'unclassified-table',
      severity: 'error' as const,
      message: `source table ${t.qualified} is neither a class nor ignored: add a class for it (\`source: { table: ${yamlTable(t.schema, t.name)}, key: […] }\`), or \`- { table: ${yamlTable(t.schema, t.name)}, reason: "…" }\` under ignore`,
      ...at(locate, ['classes']),
    }));
}

export function columnsRead(cls: RecordClass, table: CatalogTable): Set<string> {
  const known = new Set(table.columns.map((c) => c.name));
  const read = new Set<string>();
  for (const expr of Object.values(cls.columns)) for (const c of readColumns(expr)) if (known.has(c)) read.add(c);
  return read;
}

function classCoverage(name: string, cls: RecordClass, source: Catalog, locate: Locate): Finding[] {
  const table = findTable(source, cls.source.table);
  if (!table) return []; // expressions.ts reports a missing source table
  const findings: Finding[] = [];
  const read = columnsRead(cls, table);
  const dropped = cls.dropped ?? {};
  for (const col of table.columns) {
    if (read.has(col.name) || col.name in dropped) continue;
    findings.push({
      class: name, column: col.name, kind: 'unmapped-column', severity: 'error',
      message: `source column ${col.name} of ${table.qualified} is neither read by \`columns\` nor listed in \`dropped\`: add \`${yamlKey(col.name)}: ${yamlScalar(sqlColumn(col.name))}\` under classes.${name}.columns (the destination column on the left), or \`${yamlKey(col.name)}: "…"\` under classes.${name}.dropped`,
      ...at(locate, ['classes', name, 'columns']),
    });
  }
  for (const col of Object.keys(dropped)) {
    if (!table.columns.some((c) => c.name === col)) findings.push({
      class: name, column: col, kind: 'dropped-column-missing', severity: 'error',
      message: `\`dropped\` names ${col}, which ${table.qualified} does not have`,
      ...at(locate, ['classes', name, 'dropped', col]),
    });
  }
  return findings;
}

function ignoredMissing(plan: Plan, source: Catalog, locate: Locate): Finding[] {
  return (plan.ignore ?? []).flatMap((entry, i) =>
    findTable(source, entry.table) ? [] : [{
      class: '', kind: 'ignored-table-missing', severity: 'warning' as const,
      message: `ignored table ${entry.table} does not exist in the source`,
      ...at(locate, ['ignore', i, 'table']),
    }]);
}

function customCode(plan: Plan, source: Catalog, destination: Catalog, locate: Locate): Finding[] {
  const listed = new Map((plan.custom_code ?? []).map((e, i) => [e.source, i]));
  const findings: Finding[] = [];
  for (const object of source.customCode) {
    if (!listed.has(object.address)) findings.push({
      class: '', kind: 'custom-code-unlisted', severity: 'error',
      message: `custom code not listed in the plan: add \`- { source: ${yamlScalar(object.address)}, pending: "…" }\` under custom_code, and once decided replace \`pending\` with \`reimplemented\` or \`retired\``,
      ...at(locate, plan.custom_code ? ['custom_code'] : ['classes']),
    });
  }
  const present = new Set(source.customCode.map((o) => o.address));
  const inDestination = new Set(destination.customCode.map((o) => o.address));
  (plan.custom_code ?? []).forEach((entry, i) => {
    if (!entry.source.startsWith('external ') && !present.has(entry.source)) findings.push({
      class: '', kind: 'custom-code-missing', severity: 'error',
      message: `custom_code lists ${entry.source}, which the source does not have`,
      ...at(locate, ['custom_code', i, 'source']),
    });
    if (entry.reimplemented && !entry.reimplemented.startsWith('external ') && !inDestination.has(entry.reimplemented)) findings.push({
      class: '', kind: 'reimplemented-missing', severity: 'error',
      message: `${entry.reimplemented} (re-implementing ${entry.source}) does not exist in the destination`,
      ...at(locate, ['custom_code', i, 'reimplemented']),
    });
  });
  return findings;
}

export function coverage(plan: Plan, source: Catalog, destination: Catalog, locate: Locate): Finding[] {
  return [
    ...unclassifiedTables(plan, source, locate),
    ...Object.entries(plan.classes).flatMap(([name, cls]) => classCoverage(name, cls, source, locate)),
    ...ignoredMissing(plan, source, locate),
    ...customCode(plan, source, destination, locate),
  ];
}
