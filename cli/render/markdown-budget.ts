// Sharing a character budget between collapsible sections (GitHub rejects comments over 65,536
// characters). Each section gets a fair share; what a small section leaves unused goes to the
// larger ones, so one huge list cannot crowd the others out.

export interface Collapsible {
  /** in priority order: the rows kept are always a prefix */
  rows: readonly string[];
  /** the section with `rows` shown and `hidden` more left out */
  render(rows: readonly string[], hidden: number): string;
}

/** Each section rendered so that together they stay within `budget` characters. */
export function fitSections(sections: readonly Collapsible[], budget: number): string[] {
  const out: string[] = sections.map((s) => s.render(s.rows, 0));
  const smallestFirst = sections.map((_, i) => i).sort((a, b) => out[a].length - out[b].length);
  let remaining = budget;
  let left = sections.length;
  for (const i of smallestFirst) {
    const allowance = remaining / left--;
    if (out[i].length > allowance) out[i] = shrink(sections[i], allowance);
    remaining -= out[i].length;
  }
  return out;
}

function shrink(section: Collapsible, allowance: number): string {
  const { rows } = section;
  const shown = (k: number) => section.render(rows.slice(0, k), rows.length - k);
  // the longest prefix that fits; rendering is monotone in k, so bisect
  let lo = 0;
  let hi = rows.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (shown(mid).length <= allowance) lo = mid;
    else hi = mid - 1;
  }
  return shown(lo);
}
