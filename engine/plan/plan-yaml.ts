// Plan text that cutover prints in hints ("add `…` under ignore") must parse as YAML and mean what
// it says, whatever the names hold: a value is left plain only when YAML reads it back as the same
// text in a block and inside `{ … }`; otherwise it is single-quoted.
import { writeName, writeTableName } from './plan-names.js';

// letters, digits and a few marks, single spaces between words: nothing YAML gives a meaning to
const PLAIN = /^[\p{L}_][\p{L}\p{N}_.$/()-]*(?: [\p{L}\p{N}_.$/()-]+)*$/u;
// words YAML (1.1 or 1.2) may read as something other than text
const SPECIAL = /^(?:null|~|true|false|yes|no|on|off|y|n)$/i;

/** A YAML scalar that reads back as `text`. */
export function yamlScalar(text: string): string {
  return PLAIN.test(text) && !SPECIAL.test(text) ? text : `'${text.replace(/'/g, "''")}'`;
}

/** A column as a YAML key (or value) naming it by the plan's rule. */
export function yamlKey(column: string): string {
  return yamlScalar(writeName(column));
}

/** A table as a YAML value naming it by the plan's rule. */
export function yamlTable(schema: string, table: string): string {
  return yamlScalar(writeTableName(schema, table));
}
