// Key-ordered batches over the source table's own key: the next boundary is found with an index
// scan (`ORDER BY key OFFSET n LIMIT 1`), then the batch is every row in (previous, boundary].
import { quoteIdent, quoteLiteral } from '../db/sql-identifiers.js';
import type { CatalogTable } from '../introspect/catalog.js';

/** `("a", "b")` over the source alias */
export function keyTuple(key: readonly string[]): string {
  return `(${key.map((k) => `src.${quoteIdent(k)}`).join(', ')})`;
}

/** `src."a", src."b"` (each `DESC` when asked): an ORDER BY list over the key columns themselves.
 * Never the row constructor keyTuple gives: PostgreSQL cannot order a row value by the key's
 * index, so every boundary would sort all the rows left to copy. */
export function keyOrder(key: readonly string[], descending = false): string {
  return key.map((k) => `src.${quoteIdent(k)}${descending ? ' DESC' : ''}`).join(', ');
}

/** key values as typed literals, for statements (COPY) that cannot take parameters */
export function keyLiteral(key: readonly string[], values: readonly unknown[], table: CatalogTable): string {
  const parts = key.map((k, i) => {
    const column = table.columns.find((c) => c.name === k);
    const v = values[i];
    const literal = v === null || v === undefined ? 'NULL' : quoteLiteral(typeof v === 'string' ? v : JSON.stringify(v));
    return `${literal}::${column?.type ?? 'text'}`;
  });
  return `(${parts.join(', ')})`;
}

export function rangePredicate(key: readonly string[], table: CatalogTable, after: readonly unknown[] | null, upTo: readonly unknown[] | null): string {
  const parts: string[] = [];
  if (after) parts.push(`${keyTuple(key)} > ${keyLiteral(key, after, table)}`);
  if (upTo) parts.push(`${keyTuple(key)} <= ${keyLiteral(key, upTo, table)}`);
  return parts.length ? parts.join(' AND ') : 'true';
}

/** key columns cast to text-safe JSON values, so a boundary round-trips through jsonb exactly */
export function keyJson(key: readonly string[]): string {
  return `json_build_array(${key.map((k) => `src.${quoteIdent(k)}::text`).join(', ')})`;
}
