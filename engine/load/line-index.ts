// Offsets into the plan text → 1-based line:col, computed from the text itself. (yaml's own
// LineCounter is fed by its lexer and loses newlines after the first syntax error, so positions
// drifted onto earlier lines; a line-start index over the text cannot drift.)
import type { Position } from '../diagnostics.js';

export class LineIndex {
  /** offset at which each line starts; line n (1-based) starts at starts[n - 1] */
  private readonly starts: number[] = [0];
  private readonly bom: boolean;

  constructor(readonly text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
    this.bom = text.charCodeAt(0) === 0xfeff;
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** Where `offset` is, as the user's editor shows it (a leading byte-order mark is not a column). */
  position(offset: number): Position {
    const at = Math.min(Math.max(0, Math.floor(offset)), this.text.length);
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    const col = at - this.starts[lo]! + 1;
    return { line: lo + 1, col: lo === 0 && this.bom && col > 1 ? col - 1 : col };
  }

  /** Offset at which the line holding `offset` starts. */
  lineStart(offset: number): number {
    const { line } = this.position(offset);
    return this.starts[line - 1]!;
  }

  /** The text of the line holding `offset`, without its line break. */
  lineAt(offset: number): string {
    const start = this.lineStart(offset);
    const nl = this.text.indexOf('\n', start);
    return this.text.slice(start, nl === -1 ? this.text.length : nl).replace(/\r$/, '');
  }

  /** Offset of the start of 1-based `line` (clamped to the text). */
  offsetOfLine(line: number): number {
    return this.starts[Math.min(Math.max(1, line), this.starts.length) - 1]!;
  }
}
