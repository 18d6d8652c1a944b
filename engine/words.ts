// Counts as people read them in prose, shared by the engine's messages and the renderers
// (cli/render/words.ts), so "1 row" and "1,204 rows" read the same wherever they are written.

/** `1 row`, `1,204 rows`; `pluralWord` for a word that does not take a plain `s`. */
export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${thousands(n)} ${n === 1 ? word : pluralWord}`;
}

export function thousands(n: number): string {
  return n.toLocaleString('en-US');
}
