// The column names a mapping expression reads, found without a database: words that are not
// keywords, function names, type names or literals. `plan` later confirms them against the catalog;
// `validate` uses them for the rules that need no database (reverse coverage, dropped columns).
import { lex, type Token } from './sql-lexer.js';

const KEYWORDS = new Set([
  'and', 'or', 'not', 'null', 'true', 'false', 'case', 'when', 'then', 'else', 'end', 'is', 'in', 'like', 'ilike',
  'similar', 'to', 'between', 'as', 'cast', 'distinct', 'from', 'select', 'where', 'interval',
  'with', 'any', 'all', 'some', 'exists', 'array', 'row', 'collate', 'isnull', 'notnull',
  'current_date', 'current_time', 'current_timestamp', 'localtime', 'localtimestamp', 'current_user', 'session_user',
  'user', 'current_role', 'current_schema', 'current_catalog', 'order', 'asc',
  'desc', 'group', 'limit', 'offset', 'join', 'on', 'using', 'leading',
  'trailing', 'both', 'for', 'overlaps', 'double', 'character',
]);

type Neighbours = { previous?: string; next?: string };
/** Words PostgreSQL lets a column be named bare (`at`, `time`, `zone`, `first`, …): a keyword only
 * where the phrase it belongs to is there (`x AT TIME ZONE 'UTC'`, `NULLS FIRST`), a column read
 * everywhere else — a plan mapping `at: at` reads `at`. */
const PHRASE_WORDS: Record<string, (n: Neighbours) => boolean> = {
  at: ({ next }) => next === 'time',
  time: ({ previous, next }) => previous === 'at' || previous === 'with' || previous === 'without' || next === 'zone',
  zone: ({ previous }) => previous === 'time',
  without: ({ next }) => next === 'time',
  nulls: ({ next }) => next === 'first' || next === 'last',
  first: ({ previous }) => previous === 'nulls',
  last: ({ previous }) => previous === 'nulls',
  partition: ({ next }) => next === 'by',
  by: ({ previous }) => previous === 'partition' || previous === 'order' || previous === 'group',
  within: ({ next }) => next === 'group',
  precision: ({ previous }) => previous === 'double',
  varying: ({ previous }) => previous === 'character' || previous === 'bit',
  national: ({ next }) => next === 'character',
  symmetric: ({ previous }) => previous === 'between',
  unknown: ({ previous }) => previous === 'is' || previous === 'not',
  escape: () => false, // `LIKE p ESCAPE '\'`: the string that follows already marks it
  over: () => false, // `OVER (…)`: the parenthesis that follows already marks it
  filter: () => false, // `FILTER (WHERE …)`: likewise
};
// Type names and date parts (`day`, `date`, `text`, …) are not here: they are common column names,
// and where they are types (after `::` or `AS`, before a literal, in EXTRACT) the tokenizer skips
// them anyway.

/** What PostgreSQL makes of an unquoted identifier in a UTF-8 database: ASCII letters folded to lower
 * case, every other character kept (`Größe` → `größe`, so `"Größe"` must be quoted in SQL). */
export function foldUnquoted(word: string): string {
  return word.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

function neighbours(previous: Token | undefined, next: Token | undefined): Neighbours {
  const word = (t: Token | undefined) => (t?.kind === 'word' ? foldUnquoted(t.text) : undefined);
  return { previous: word(previous), next: word(next) };
}

export function readColumns(expression: string): string[] {
  const tokens = lex(expression).tokens;
  const found = new Set<string>();
  let skipType = false;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    const next = tokens[k + 1];
    const previous = tokens[k - 1];
    if (t.kind === 'punct') { skipType = t.text === '::'; continue; }
    if (t.kind !== 'word' && t.kind !== 'quoted') { skipType = false; continue; }
    if (skipType) { skipType = false; continue; } // a type name after `::`
    if (previous?.kind === 'word' && previous.text.toLowerCase() === 'as') continue; // CAST(x AS type)
    if (next?.kind === 'punct' && next.text === '(') continue; // a function call
    if (next?.kind === 'punct' && next.text === '.') continue; // a qualifier: the column follows the dot
    if (next?.kind === 'string') continue; // a typed literal: date '2020-01-01'
    if (next?.kind === 'word' && next.text.toLowerCase() === 'from' && previous?.text === '(') continue; // EXTRACT(day FROM …)
    const name = t.kind === 'quoted' ? t.text : foldUnquoted(t.text);
    if (t.kind === 'word' && KEYWORDS.has(name)) continue;
    if (t.kind === 'word' && PHRASE_WORDS[name]?.(neighbours(previous, next))) continue;
    found.add(name);
  }
  return [...found];
}
