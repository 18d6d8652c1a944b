// Parses plan text into a YAML document that remembers where every node came from, and turns
// YAML's own syntax errors into positioned diagnostics.
import { LineCounter, parseDocument, type Document, type YAMLError } from 'yaml';
import { diagnostic, type Diagnostic, type Position } from '../diagnostics.js';

export interface SourceDocument {
  file: string;
  text: string;
  doc: Document.Parsed;
  lines: LineCounter;
}

const HINTS: Partial<Record<YAMLError['code'], string>> = {
  TAB_AS_INDENT: 'YAML indents with spaces only; replace the tab with spaces',
  BAD_INDENT: 'keys of one mapping must line up in the same column',
  DUPLICATE_KEY: 'each key may appear once in a mapping; merge the two entries',
  MISSING_CHAR: 'a quote, bracket or brace was opened and not closed',
  MULTIPLE_DOCS: 'a plan file holds one migration; remove the extra `---` document',
  BLOCK_AS_IMPLICIT_KEY: 'a key must be followed by `:` and a space',
  MULTILINE_IMPLICIT_KEY: 'a key must be followed by `:` and a space on the same line',
  BAD_DQ_ESCAPE: 'inside double quotes a backslash starts an escape; use single quotes for SQL',
  UNEXPECTED_TOKEN: 'check the line for a stray character or a missing `:`',
};

export function positionAt(lines: LineCounter, offset: number): Position {
  const { line, col } = lines.linePos(Math.max(0, offset));
  return { line, col };
}

export function parseYaml(file: string, text: string): { source: SourceDocument; diagnostics: Diagnostic[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, strict: true });
  const source = { file, text, doc, lines };
  const diagnostics = [
    ...doc.errors.map((e) => fromYamlError(source, e, 'error')),
    ...doc.warnings.map((e) => fromYamlError(source, e, 'warning')),
  ];
  return { source, diagnostics };
}

function fromYamlError(source: SourceDocument, e: YAMLError, severity: 'error' | 'warning'): Diagnostic {
  const pos = positionAt(source.lines, e.pos[0]);
  // yaml appends " at line N, column M" and a code frame to some messages; we show our own position.
  const message = 'YAML: ' + firstLine(e.message).replace(/ at line \d+, column \d+:?$/, '').replace(/\.$/, '');
  return diagnostic(`yaml.${e.code.toLowerCase().replace(/_/g, '-')}`, message, source.file, pos, HINTS[e.code], severity);
}

function firstLine(s: string): string {
  const line = s.split('\n', 1)[0] ?? s;
  return line.charAt(0).toLowerCase() + line.slice(1);
}
