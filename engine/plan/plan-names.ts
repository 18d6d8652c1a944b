// How a plan writes a name: the one rule for every schema, table, column and custom-code name in a
// plan, used by `validate`, by the engine to find what a plan names, and by every hint that prints
// plan text (README, "Names").
//
// A name is written exactly as the catalog has it: case-sensitive, no SQL quoting needed
// (`Order Lines`, `Größe`, `user`, `OrderId`). Names are joined by dots (`Sales Ops.Order Lines`).
// A name that contains a dot or a parenthesis, or starts with a double quote, or starts or ends
// with white space, is written in double quotes with `""` for each quote inside
// (`"a.b".items`, `"""quoted"""`). Double quotes may be used around any name, so SQL's quoting
// (`"Order Lines"`) reads the same; unlike SQL, a name without them is never folded to lower case.

/** One name as a plan writes it. */
export function writeName(name: string): string {
  return needsQuotes(name) ? `"${name.replace(/"/g, '""')}"` : name;
}

function needsQuotes(name: string): boolean {
  return name === '' || /[.()]/.test(name) || name.startsWith('"') || /^\s|\s$/.test(name);
}

/** Names joined by dots: `schema.table`, `schema.table.trigger`. */
export function writeNames(names: readonly string[]): string {
  return names.map(writeName).join('.');
}

/** The names in dotted plan text, or a message saying what is wrong with it. `stopAt` ends the
 * text at the first of these characters outside quotes (the `(` of a function's arguments). */
export function readNames(text: string, stopAt = ''): { names: string[]; rest: string } | { error: string } {
  const names: string[] = [];
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      let name = '';
      let j = i + 1;
      for (;;) {
        if (j >= text.length) return { error: `the double quote opened at character ${i + 1} is not closed` };
        if (text[j] === '"') {
          if (text[j + 1] !== '"') break;
          name += '"';
          j += 2;
        } else name += text[j++];
      }
      if (name === '') return { error: 'a name cannot be empty ("")' };
      names.push(name);
      i = j + 1;
      if (i < text.length && text[i] !== '.' && !stopAt.includes(text[i]!)) {
        return { error: `a quoted name must be followed by a dot or end the name, not \`${text[i]}\`` };
      }
    } else {
      let j = i;
      while (j < text.length && text[j] !== '.' && !stopAt.includes(text[j]!)) j++;
      if (j === i) return { error: text.length === 0 ? 'the name is empty' : 'a name between dots is empty' };
      names.push(text.slice(i, j));
      i = j;
    }
    if (text[i] !== '.') return { names, rest: text.slice(i) };
    i++;
  }
}

/** One name (a column, a schema): its catalog text, or undefined when the text is malformed. */
export function readName(text: string): string | undefined {
  if (!text.startsWith('"')) return text === '' ? undefined : text;
  const read = readNames(text);
  return 'names' in read && read.names.length === 1 && read.rest === '' ? read.names[0] : undefined;
}

/** Like readName, for text validate has already accepted: malformed text stays as written. */
export function nameOf(text: string): string {
  return readName(text) ?? text;
}

export interface TableName {
  /** undefined for a bare name, resolved against `source.schemas` (or `public` on the destination) */
  schema?: string;
  name: string;
}

/** `schema.table` or `table`, or a message saying what is wrong. */
export function readTableName(text: string): TableName | { error: string } {
  const read = readNames(text);
  if ('error' in read) return read;
  if (read.names.length > 2) {
    return { error: `it has ${read.names.length} dot-separated parts; write \`schema.table\`, with a name that contains a dot in double quotes (\`"a.b"\`)` };
  }
  const [first, second] = read.names as [string, string | undefined];
  return second === undefined ? { name: first } : { schema: first, name: second };
}

/** A table as a plan writes it. */
export function writeTableName(schema: string | undefined, name: string): string {
  return schema === undefined ? writeName(name) : writeNames([schema, name]);
}

/** The canonical text of a table name (`"Sales Ops"."Order Lines"` → `Sales Ops.Order Lines`), so
 * two spellings of one table compare equal; malformed text stays as written. */
export function canonicalTableName(text: string): string {
  const t = readTableName(text);
  return 'error' in t ? text : writeTableName(t.schema, t.name);
}
