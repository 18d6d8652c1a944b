// Whether the plan says a mapping may change what it reads. A mapping that reads exactly one source
// column affects the reverse column of that name (the one `reverse` must restore), so `lossy`
// naming that column declares the change: it is then reported as declared, not as a problem.
import type { CatalogColumn, CatalogTable } from '../../introspect/catalog.js';
import type { RecordClass } from '../../plan/types.js';
import { readColumns } from '../../plan/sql-identifiers.js';

/** The one source column a mapping expression reads, or null when it reads none or several. */
export function soleSourceColumn(sql: string, source: CatalogTable): CatalogColumn | null {
  const read = readColumns(sql).flatMap((name) => source.columns.filter((c) => c.name === name));
  return read.length === 1 ? read[0]! : null;
}

/** `lossy`'s reason for the source column a mapping reads, when it declares one. */
export function declaredLoss(cls: RecordClass, sql: string, source: CatalogTable): string | null {
  const column = soleSourceColumn(sql, source);
  return column ? cls.lossy?.[column.name] ?? null : null;
}

/** What a finding says once `lossy` declares the change */
export const declaredText = (column: string, reason: string): string => `; declared in \`lossy\` for \`${column}\`: ${reason}`;
