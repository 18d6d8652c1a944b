// Row checks that look beyond one row: duplicates against every destination unique index (window
// counts over the mapped rows) and orphan references (a LEFT JOIN from the mapped foreign-key values
// to the referenced class's mapped keys, computed on the source through that class's mapping).
import { quoteIdent } from '../../db/sql-identifiers.js';
import type { Finding } from '../../diff/plan-result.js';
import { foldUnquoted } from '../../plan/sql-identifiers.js';
import type { ExpressionType } from '../expressions.js';
import type { Locate } from './source-sql.js';
import { rowsText, type Aliases, type ClassScan, type RowCheck } from './model.js';

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

/** Duplicate checks, and warnings for unique indexes preflight cannot evaluate. */
export function duplicateChecks(scan: ClassScan, aliases: Aliases, locate: Locate): { checks: RowCheck[]; findings: Finding[] } {
  const checks: RowCheck[] = [];
  const findings: Finding[] = [];
  const table = scan.destination;
  const planned = scan.cls.columns ?? {};
  const indexes = [...table.uniqueIndexes];
  if (table.primaryKey && !indexes.some((i) => !i.partial && sameSet(i.columns, table.primaryKey!))) {
    indexes.unshift({ name: `${table.name}_pkey`, columns: table.primaryKey, partial: false });
  }
  const seen: string[][] = [];
  for (const index of indexes) {
    const columns = index.columns;
    const keyPath = sameSet(columns, scan.cls.destination.key ?? [])
      ? ['classes', scan.name, 'destination', 'key']
      : columns[0] && columns[0] in planned ? ['classes', scan.name, 'columns', columns[0]] : ['classes', scan.name, 'destination', 'table'];
    const warn = (why: string) => findings.push({
      class: scan.name, column: columns.join(', '), kind: 'duplicate-not-evaluated', severity: 'warning',
      message: `unique index ${index.name} on ${table.qualified} (${columns.join(', ')}) is not checked for duplicates: ${why}`,
      ...position(locate, keyPath),
    });
    if (index.partial) {
      warn('it is partial, and its predicate is not evaluated on the source');
      continue;
    }
    if (seen.some((s) => sameSet(s, columns))) continue;
    seen.push(columns);
    const unmapped = columns.filter((c) => !scan.mapped.some((m) => m.name === c));
    if (unmapped.length > 0) {
      // an invalid mapping is reported by describeMappings; an unmapped column is NULL (never a
      // conflict), generated or an identity (unique by construction) — unless a plain default fills it
      if (unmapped.some((c) => c in planned)) continue;
      const defaulted = unmapped.filter((c) => {
        const col = table.columns.find((x) => x.name === c);
        return col && col.hasDefault && !col.identity && !col.generated;
      });
      if (defaulted.length > 0) warn(`\`columns\` does not map ${defaulted.join(', ')}, which the destination fills from a default`);
      continue;
    }
    if (uniqueInSource(scan, columns)) continue;
    const alias = aliases.next('d');
    const partition = columns.map((c) => `"#r".${quoteIdent(c)}`).join(', ');
    checks.push({
      kind: 'duplicate', severity: 'error', column: columns.join(', '),
      extras: [{ alias, sql: `pg_catalog.count(*) OVER (PARTITION BY ${partition})` }],
      predicate: [`${quoteIdent(alias)} > 1`, ...columns.map((c) => `${quoteIdent(c)} IS NOT NULL`)].join(' AND '),
      reads: columns,
      path: keyPath,
      message: (n, rows) => `${rowsText(n, rows, 'share')} mapped (${columns.join(', ')}) values with other rows: unique index ${index.name} on ${table.qualified} would reject them`,
    });
  }
  return { checks, findings };
}

const BARE_COLUMN = /^\s*(?:"((?:[^"]|"")+)"|([\p{L}_][\p{L}\p{M}\p{N}_$]*))\s*$/u;

/** the source column a mapping copies as it is (`email`, `"Email"`), or null for any other expression */
function bareColumn(sql: string): string | null {
  const m = BARE_COLUMN.exec(sql);
  if (!m) return null;
  return m[1] !== undefined ? m[1].replace(/""/g, '"') : foldUnquoted(m[2]!);
}

/**
 * True when the index's columns copy source columns as they are and the source enforces their
 * uniqueness itself (its primary key or a unique index on exactly those columns): no duplicate is
 * possible, and the window sort is skipped. The common case of a key mapped to a key.
 */
function uniqueInSource(scan: ClassScan, columns: readonly string[]): boolean {
  const sourceColumns = columns.map((c) => {
    const m = scan.mapped.find((x) => x.name === c);
    return m ? bareColumn(m.sql) : null;
  });
  if (sourceColumns.some((c) => c === null)) return false;
  const wanted = sourceColumns as string[];
  const table = scan.source;
  if (table.primaryKey && sameSet(table.primaryKey, wanted)) return true;
  return table.uniqueIndexes.some((i) => !i.partial && sameSet(i.columns, wanted));
}

interface Relationship {
  columns: string[];
  /** classes whose destination rows the columns reference */
  targets: string[];
  referencedColumns: string[];
  path: (string | number)[];
  what: string;
}

/**
 * Orphan checks for the destination's foreign keys and the plan's `relationships` whose referenced
 * table is another class's destination (a reference to a table no class fills cannot be checked on
 * the source, and is left to parity).
 */
export function orphanChecks(
  scan: ClassScan,
  scans: ReadonlyMap<string, ClassScan>,
  allClasses: Record<string, { destination: { table: string; key: string[] } }>,
  destinationOf: (cls: string) => string | undefined,
  aliases: Aliases,
  locate: Locate,
): { checks: RowCheck[]; findings: Finding[] } {
  const checks: RowCheck[] = [];
  const findings: Finding[] = [];
  const planned = scan.cls.columns ?? {};
  const relationships: Relationship[] = [];

  for (const fk of scan.destination.foreignKeys) {
    const targets = Object.keys(allClasses).filter((c) => destinationOf(c) === fk.references);
    if (targets.length === 0) continue;
    relationships.push({
      columns: fk.columns,
      targets,
      referencedColumns: fk.referencedColumns,
      path: fk.columns[0] && fk.columns[0] in planned ? ['classes', scan.name, 'columns', fk.columns[0]] : ['classes', scan.name, 'destination', 'table'],
      what: `foreign key ${fk.name} to ${fk.references}`,
    });
  }
  (scan.cls.relationships ?? []).forEach((rel, i) => {
    const target = allClasses[rel.references];
    if (!target) return;
    const duplicate = relationships.some((r) => sameSet(r.columns, rel.columns) && r.targets.includes(rel.references) && sameSet(r.referencedColumns, target.destination.key));
    if (duplicate) return;
    relationships.push({
      columns: rel.columns,
      targets: [rel.references],
      referencedColumns: target.destination.key,
      path: ['classes', scan.name, 'relationships', i],
      what: `relationship to class ${rel.references}`,
    });
  });

  for (const rel of relationships) {
    const local = rel.columns.map((c) => scan.mapped.find((m) => m.name === c));
    // unmapped or invalid local columns: nothing to check here (NULL or reported elsewhere)
    if (local.some((m) => !m)) continue;
    const sources: string[] = [];
    let missing: string | null = null;
    for (const t of rel.targets) {
      const ref = scans.get(t);
      if (!ref) {
        missing = `class ${t} cannot be read on the source`;
        break;
      }
      const exprs = rel.referencedColumns.map((c) => ref.mapped.find((m) => m.name === c));
      if (exprs.some((e) => !e)) {
        missing = `class ${t} does not map ${rel.referencedColumns.filter((_, k) => !exprs[k]).join(', ')} (or its mapping is invalid)`;
        break;
      }
      const select = exprs.map((e, k) => `(\n${e!.sql}\n) AS ${quoteIdent(`#a${k}`)}`).join(', ');
      sources.push(`SELECT ${select} FROM ${ref.from}${ref.where ? ` WHERE (\n${ref.where}\n)` : ''}`);
    }
    if (missing) {
      findings.push({
        class: scan.name, column: rel.columns.join(', '), kind: 'orphan-not-evaluated', severity: 'warning',
        message: `${rel.what} is not checked for orphans: ${missing}`,
        ...position(locate, rel.path),
      });
      continue;
    }
    const join = aliases.next('j');
    const flag = aliases.next('o');
    const refType = (t: string, k: number): ExpressionType | undefined => scans.get(t)?.mapped.find((m) => m.name === rel.referencedColumns[k])?.type;
    const comparisons = local.map((m, k) => {
      const native = rel.targets.every((t) => comparable(m!.type, refType(t, k)));
      const left = `${quoteIdent(join)}.${quoteIdent(`#a${k}`)}`;
      const right = `"#r".${quoteIdent(m!.name)}`;
      return native ? `${left} = ${right}` : `(${left})::pg_catalog.text = (${right})::pg_catalog.text`;
    });
    const notNull = rel.referencedColumns.map((_, k) => `${quoteIdent(`#a${k}`)} IS NOT NULL`).join(' AND ');
    const keys = rel.referencedColumns.map((_, k) => quoteIdent(`#a${k}`)).join(', ');
    checks.push({
      kind: 'orphan', severity: 'error', column: rel.columns.join(', '),
      joins: [`LEFT JOIN (SELECT DISTINCT ${keys}, true AS "#hit" FROM (${sources.join('\nUNION ALL\n')}) AS "#u" WHERE ${notNull}) AS ${quoteIdent(join)} ON ${comparisons.join(' AND ')}`],
      extras: [{ alias: flag, sql: `${quoteIdent(join)}."#hit" IS NULL` }],
      predicate: [quoteIdent(flag), ...rel.columns.map((c) => `${quoteIdent(c)} IS NOT NULL`)].join(' AND '),
      reads: rel.columns,
      fallbackKind: 'orphan-not-evaluated',
      label: rel.what,
      path: rel.path,
      message: (n, rows) => `${rowsText(n, rows, 'reference')} (${rel.columns.join(', ')}) values that no mapped row of ${rel.targets.join(' or ')} has (${rel.what})`,
    });
  }
  return { checks, findings };
}

const NATIVE_CATEGORIES = new Set(['N', 'S', 'D', 'B']);

function comparable(a: ExpressionType, b: ExpressionType | undefined): boolean {
  if (!b) return false;
  if (a.baseType === b.baseType) return true;
  return a.category === b.category && NATIVE_CATEGORIES.has(a.category);
}

function position(locate: Locate, path: (string | number)[]): { line: number; col: number } {
  const p = locate(path);
  return { line: p.line, col: p.col };
}
