// Markdown building blocks for text that ends up on GitHub: everything interpolated comes from
// databases and plan files, so it is escaped here rather than trusted to look harmless.

/** Longest text kept in one table cell or list item; one runaway message must not eat the budget. */
const CELL_LIMIT = 300;

/** Inline text with Markdown and HTML disarmed, on one line (a newline would end a table row). */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\s*\r?\n\s*/g, ' ')
    .replace(/[&<>]/g, (ch) => escapeHtml(ch))
    .replace(/[\\`*_[\]|]/g, (ch) => `\\${ch}`);
}

export function truncate(text: string, limit = CELL_LIMIT): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

/** A table cell: truncated first, so an escape sequence is never cut in half. */
export function cell(text: string): string {
  return escapeMarkdown(truncate(text));
}

export function tableRow(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

export function tableHeader(titles: readonly string[], align: readonly ('left' | 'right')[] = []): string[] {
  const rule = titles.map((_, i) => (align[i] === 'right' ? '---:' : '---'));
  return [tableRow(titles), tableRow(rule)];
}

/** A fence longer than any backtick run inside, so quoted SQL cannot close the block early. */
export function fenceFor(body: string): string {
  const longest = (body.match(/`+/g) ?? []).reduce((most, run) => Math.max(most, run.length), 0);
  return '`'.repeat(Math.max(3, longest + 1));
}

/** A code span, or escaped text where a backtick or newline would break one. */
export function code(text: string): string {
  return /[`\r\n]/.test(text) ? escapeMarkdown(text) : `\`${text}\``;
}

/** A collapsed block; GitHub renders no Markdown inside `<summary>`, so only HTML is escaped there. */
export function details(summary: string, body: string): string {
  return `<details><summary>${escapeHtml(summary)}</summary>\n\n${body}\n\n</details>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
