// Counts and row keys as people read them in prose, shared by the engine's messages and the renderers
// (cli/render/words.ts), so "1 row" and "1,204 rows" read the same wherever they are written.

/** `1 row`, `1,204 rows`; `pluralWord` for a word that does not take a plain `s`. */
export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${thousands(n)} ${n === 1 ? word : pluralWord}`;
}

export function thousands(n: number): string {
  return n.toLocaleString('en-US');
}

/** One row key: the bare value for a single-column key, a tuple for a composite one. */
export function formatKey(key: readonly unknown[]): string {
  const parts = key.map(formatKeyValue);
  return parts.length === 1 ? parts[0] : `(${parts.join(', ')})`;
}

export function formatKeys(keys: readonly (readonly unknown[])[]): string {
  return keys.map(formatKey).join(', ');
}

function formatKeyValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return value.toString();
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
