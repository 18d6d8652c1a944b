// Diagnostics are values: every problem cutover finds in a plan (or later, in a database) is one
// of these, and the CLI renders them in one place.

export type Severity = 'error' | 'warning';

export interface Position {
  line: number; // 1-based
  col: number; // 1-based
}

export interface Diagnostic {
  /** Stable identifier, e.g. `schema.unknown-key`, `plan.unknown-class`. Tools may match on it. */
  code: string;
  severity: Severity;
  message: string;
  file: string;
  line: number;
  col: number;
  hint?: string;
}

export function diagnostic(
  code: string,
  message: string,
  file: string,
  pos: Position,
  hint?: string,
  severity: Severity = 'error',
): Diagnostic {
  return { code, severity, message, file, line: pos.line, col: pos.col, ...(hint ? { hint } : {}) };
}

export function byPosition(a: Diagnostic, b: Diagnostic): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col || a.message.localeCompare(b.message);
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
