// Names of what cutover installs on the source, per migration (two migrations may share a source).
// Every one starts with `cutover_`, which introspection leaves out of the fingerprint.
//
// PostgreSQL cuts identifiers at 63 bytes without a word, so a name made only of the migration's
// name would make two long names sharing a prefix one object (and each migration would replace or
// drop the other's). Each name is a readable prefix, cut to fit, and a hash of everything it
// stands for (the kind, the full migration name, the class), which no cut can reach.
import { quoteIdent } from '../db/sql-identifiers.js';
import { canonicalJson, sha256 } from '../hash.js';

/** PostgreSQL's NAMEDATALEN - 1 */
const MAX_BYTES = 63;
const HASH_LENGTH = 12;

/** The longest prefix of `text` that fits in `bytes` bytes of UTF-8, never splitting a character. */
function fitBytes(text: string, bytes: number): string {
  let out = '';
  for (const ch of text) {
    if (Buffer.byteLength(out + ch) > bytes) break;
    out += ch;
  }
  return out;
}

/** `cutover_<kind>_<readable…>_<hash>`, at most 63 bytes. */
export function derivedName(kind: string, ...parts: string[]): string {
  const hash = sha256(canonicalJson([kind, ...parts])).slice(0, HASH_LENGTH);
  const head = `cutover_${kind}_`;
  const readable = fitBytes(parts.join('_').replace(/-/g, '_'), MAX_BYTES - head.length - HASH_LENGTH - 1);
  return `${head}${readable}_${hash}`;
}

export const names = {
  schemaLockTrigger: (m: string) => derivedName('schema_lock', m),
  schemaDropTrigger: (m: string) => derivedName('schema_drop', m),
  integrationLockTrigger: (m: string) => derivedName('integration_lock', m),
  dataLockTrigger: (m: string) => derivedName('data_lock', m),
  /** the source's read-only guard from the write switch on */
  readOnlyTrigger: (m: string) => derivedName('read_only', m),
  captureTrigger: (m: string) => derivedName('capture', m),
  captureTruncateTrigger: (m: string, cls: string) => derivedName('capture_truncate', m, cls),
  /** the one capture log of a migration, in cutover's schema on the side it captures */
  captureLog: (m: string) => derivedName('capture_log', m),
  captureLogOpenIndex: (m: string) => derivedName('capture_open', m),
  /** the per-class capture table of earlier versions, dropped when capture is installed again */
  legacyCaptureTable: (m: string, cls: string) => derivedName('capture', m, cls),
};

/** schema-qualified, quoted function name in cutover's support schema */
export function fn(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}
