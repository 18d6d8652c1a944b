// The one SQL lexer: plan fragments (`columns`, `where`, checks) are read for the columns they name
// and checked for balanced parentheses, and both must agree on where a literal, a quoted name, a
// dollar quote or a comment begins and ends.

export type Token = { kind: 'word' | 'quoted' | 'string' | 'punct' | 'number'; text: string };

export interface Lexed {
  tokens: Token[];
  /** a literal, quoted name, dollar quote or block comment runs to the end of the text */
  unterminated: boolean;
}

/** An unquoted SQL word: PostgreSQL takes any letter, ASCII or not, in an identifier. */
const WORD = /^[\p{L}_][\p{L}\p{M}\p{N}_$]*/u;
const DOLLAR_TAG = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/;
const identifierChar = (c: string | undefined) => c !== undefined && /[\p{L}\p{M}\p{N}_$]/u.test(c);

/** End (exclusive) of a quoted run opened at `i` by `quote`, where a doubled quote stands for one
 * (and, in an E'…' string, a backslash escapes the next character); -1 when it never closes. */
function quotedEnd(sql: string, i: number, quote: string, backslashes: boolean): number {
  let j = i + 1;
  while (j < sql.length) {
    if (backslashes && sql[j] === '\\') { j += 2; continue; }
    if (sql[j] !== quote) { j++; continue; }
    if (sql[j + 1] === quote) { j += 2; continue; }
    return j + 1;
  }
  return -1;
}

/** End (exclusive) of a block comment opened at `i`; they nest, as in PostgreSQL. -1 when unclosed. */
function commentEnd(sql: string, i: number): number {
  let depth = 0;
  let j = i;
  while (j < sql.length) {
    if (sql.startsWith('/*', j)) { depth++; j += 2; continue; }
    if (sql.startsWith('*/', j)) { j += 2; if (--depth === 0) return j; continue; }
    j++;
  }
  return -1;
}

export function lex(sql: string): Lexed {
  const tokens: Token[] = [];
  let i = 0;
  const stop = () => ({ tokens, unterminated: true });
  while (i < sql.length) {
    const c = sql[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if (c === '-' && sql[i + 1] === '-') { while (i < sql.length && sql[i] !== '\n') i++; continue; }
    if (c === '/' && sql[i + 1] === '*') {
      const end = commentEnd(sql, i);
      if (end < 0) return stop();
      i = end;
      continue;
    }
    const escaped = (c === 'e' || c === 'E') && sql[i + 1] === "'" && !identifierChar(sql[i - 1]);
    if (c === "'" || escaped) {
      const start = escaped ? i + 1 : i;
      const end = quotedEnd(sql, start, "'", escaped);
      if (end < 0) { tokens.push({ kind: 'string', text: sql.slice(i) }); return stop(); }
      tokens.push({ kind: 'string', text: sql.slice(i, end) });
      i = end;
      continue;
    }
    if (c === '"') {
      const end = quotedEnd(sql, i, '"', false);
      if (end < 0) { tokens.push({ kind: 'quoted', text: sql.slice(i + 1).replace(/""/g, '"') }); return stop(); }
      tokens.push({ kind: 'quoted', text: sql.slice(i + 1, end - 1).replace(/""/g, '"') });
      i = end;
      continue;
    }
    const tag = c === '$' && !identifierChar(sql[i - 1]) ? DOLLAR_TAG.exec(sql.slice(i)) : null;
    if (tag) {
      const close = sql.indexOf(tag[0], i + tag[0].length);
      if (close < 0) { tokens.push({ kind: 'string', text: sql.slice(i) }); return stop(); }
      tokens.push({ kind: 'string', text: sql.slice(i, close + tag[0].length) });
      i = close + tag[0].length;
      continue;
    }
    const word = WORD.exec(sql.slice(i));
    if (word) { tokens.push({ kind: 'word', text: word[0] }); i += word[0].length; continue; }
    const num = /^[0-9][0-9.eE]*/.exec(sql.slice(i));
    if (num) { tokens.push({ kind: 'number', text: num[0] }); i += num[0].length; continue; }
    const text = c === ':' && sql[i + 1] === ':' ? '::' : c;
    tokens.push({ kind: 'punct', text });
    i += text.length;
  }
  return { tokens, unterminated: false };
}

/**
 * Whether the parentheses of a SQL fragment balance, outside string literals, quoted identifiers,
 * dollar quotes and comments. A fragment that closes more than it opens could otherwise change the
 * shape of the statement it is put in.
 */
export function balanced(sql: string): boolean {
  const { tokens, unterminated } = lex(sql);
  if (unterminated) return false;
  let depth = 0;
  for (const t of tokens) {
    if (t.kind !== 'punct') continue;
    if (t.text === '(') depth++;
    if (t.text === ')' && --depth < 0) return false;
  }
  return depth === 0;
}
