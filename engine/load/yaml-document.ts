// Parses plan text into a YAML document that remembers where every node came from, and turns
// YAML's own syntax errors into positioned diagnostics (see yaml-errors.ts for how they are
// pointed at their cause and how cascades are cut).
import { parseDocument, type Document, type Node } from 'yaml';
import type { Diagnostic, Position } from '../diagnostics.js';
import { LineIndex } from './line-index.js';
import { complexKeys, isStackOverflow, tooDeep, yamlDiagnostics } from './yaml-errors.js';

export interface SourceDocument {
  file: string;
  text: string;
  doc: Document.Parsed;
  lines: LineIndex;
  /** Values whose `${…}` could not be resolved (filled in by interpolate): they get the variable's
   * diagnostic and nothing else, since any other finding about them would be an echo. */
  unresolved: Set<Node>;
}

export function positionAt(lines: LineIndex, offset: number): Position {
  return lines.position(offset);
}

export function parseYaml(file: string, text: string): { source: SourceDocument; diagnostics: Diagnostic[] } {
  const lines = new LineIndex(text);
  let doc: Document.Parsed;
  try {
    // logLevel error: yaml would otherwise print "Keys with collection values will be stringified"
    // through process.emitWarning when a complex key reaches toJS; complexKeys() reports it instead.
    doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, strict: true, logLevel: 'error' });
  } catch (e) {
    if (!isStackOverflow(e)) throw e;
    // the lexer and parser iterate, but stay defensive: an empty document and one diagnostic
    doc = parseDocument('', { logLevel: 'error' });
    return { source: { file, text, doc, lines, unresolved: new Set() }, diagnostics: [tooDeep({ file, lines }, 0)] };
  }
  const source: SourceDocument = { file, text, doc, lines, unresolved: new Set() };
  const ctx = { file, text, lines, doc };
  const diagnostics = yamlDiagnostics(ctx);
  if (!diagnostics.some((d) => d.severity === 'error')) for (const d of complexKeys(ctx)) diagnostics.push(d);
  return { source, diagnostics };
}
