// Names of what cutover installs on the source, per migration (two migrations may share a source).
// Every one starts with `cutover_`, which introspection leaves out of the fingerprint.
import { quoteIdent } from '../db/sql-identifiers.js';

const safe = (name: string) => name.replace(/-/g, '_');

export const names = {
  schemaLockTrigger: (m: string) => `cutover_schema_lock_${safe(m)}`,
  schemaDropTrigger: (m: string) => `cutover_schema_drop_${safe(m)}`,
  integrationLockTrigger: (m: string) => `cutover_integration_lock_${safe(m)}`,
  dataLockTrigger: (m: string) => `cutover_data_lock_${safe(m)}`,
  captureTrigger: (m: string) => `cutover_capture_${safe(m)}`,
  captureTable: (m: string, cls: string) => `cutover_capture_${safe(m)}_${cls}`,
};

/** schema-qualified, quoted function name in cutover's support schema */
export function fn(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}
