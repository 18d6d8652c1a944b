// The shapes preflight works with: a class ready to scan (its source table, destination table,
// keys and the mapped columns whose expressions are valid), and the row checks evaluated over its
// mapped rows.
//
// A class's mapped rows are one relation, "#w", with a column per mapped destination column (named
// as in the destination, so CHECK constraints read as written), the source key as "#k0", "#k1", …,
// and whatever extra columns the checks ask for (window counts, join flags).
import { quoteIdent } from '../../db/sql-identifiers.js';
import type { CatalogColumn, CatalogTable } from '../../introspect/catalog.js';
import type { RecordClass } from '../../plan/types.js';
import type { ExpressionType } from '../expressions.js';

export interface MappedColumn {
  /** destination column name */
  name: string;
  /** the mapping expression, SQL over the source row */
  sql: string;
  type: ExpressionType;
  target: CatalogColumn;
}

export interface ClassScan {
  name: string;
  cls: RecordClass;
  source: CatalogTable;
  destination: CatalogTable;
  /** the FROM item of the source rows */
  from: string;
  where: string | null;
  keys: { name: string; column: CatalogColumn }[];
  /** mapped destination columns, in plan order, whose expressions are valid */
  mapped: MappedColumn[];
}

export interface RowCheck {
  kind: string;
  severity: 'error' | 'warning';
  column?: string;
  /** boolean SQL over "#w"; a row counts when it is true */
  predicate: string;
  /** boolean SQL over "#w": one row where it is true withdraws the check (the rows it counts are
   * then not what the check is about) */
  unlessAny?: string;
  /** columns computed next to the mapped row, over "#r" (the mapped row) and the joins */
  extras?: { alias: string; sql: string }[];
  /** LEFT JOIN clauses onto "#r" */
  joins?: string[];
  /** source columns selected into the mapped row under an alias, for checks comparing a mapped
   * value with what it was computed from */
  sources?: { alias: string; column: string }[];
  /** destination columns whose mapping the check reads */
  reads: string[];
  /** best-effort checks (translated CHECKs, orphan joins) are dropped when the scan cannot evaluate
   * them, with a warning of this kind */
  fallbackKind?: string;
  /** what the check is, for that warning: `CHECK constraint adult of storefront.customers` */
  label?: string;
  /** YAML path of what the finding concerns */
  path: (string | number)[];
  message(count: number, rows: number): string;
}

/**
 * An aggregate over the mapped rows reported when no error on its column says more: how much room a
 * narrower destination column leaves (`the longest is 7 characters`).
 */
export interface Measure {
  kind: string;
  severity: 'warning';
  column: string;
  /** aggregate SQL over "#w" */
  aggregates: string[];
  path: (string | number)[];
  /** `values`: the aggregates' results as text */
  message(values: (string | null)[], rows: number): string;
}

/** `12 rows (3.4 % of 350) map`-style wording for messages: count, share and the verb agreeing */
export function rowsText(count: number, rows: number, verb: string): string {
  const share = rows > 0 ? (100 * count) / rows : 0;
  const pct = share >= 10 || share === 0 ? share.toFixed(0) : String(Number(share >= 1 ? share.toFixed(1) : share.toPrecision(2)));
  const agreed = count === 1 ? singular(verb) : verb;
  return `${count} ${count === 1 ? 'row' : 'rows'} (${pct} % of ${rows}) ${agreed}`;
}

function singular(verb: string): string {
  const [first, ...rest] = verb.split(' ');
  const word = first === 'would' ? first : first!.endsWith('s') ? `${first}es` : `${first}s`;
  return [word, ...rest].join(' ');
}

/** Allocates the aliases of extras and joins within one class scan. */
export class Aliases {
  private n = 0;
  next(prefix: string): string {
    return `#${prefix}${this.n++}`;
  }
}

/**
 * The class's mapped rows: source key columns as "#k0", "#k1", … and each valid mapping under its
 * destination column name, over the rows the class's `where` keeps.
 */
export function mappedRowsSql(
  scan: ClassScan,
  mapped: readonly MappedColumn[] = scan.mapped,
  sources: readonly { alias: string; column: string }[] = [],
): string {
  const keys = scan.keys.map((k, i) => `${quoteIdent(k.name)} AS ${quoteIdent(`#k${i}`)}`);
  const columns = mapped.map((m) => `(\n${m.sql}\n) AS ${quoteIdent(m.name)}`);
  columns.push(...sources.map((s) => `${quoteIdent(s.column)} AS ${quoteIdent(s.alias)}`));
  const where = scan.where ? `\nWHERE (\n${scan.where}\n)` : '';
  return `SELECT ${[...keys, ...columns].join(', ')}\nFROM ${scan.from}${where}`;
}
