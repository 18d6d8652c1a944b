// The one place diagnostics become text: `file:line:col: severity: message` and an indented hint.
import path from 'node:path';
import type { Diagnostic } from '../../engine/diagnostics.js';
import type { Terminal } from '../terminal.js';
import { plural } from './words.js';

export function displayFile(file: string, cwd: string): string {
  const relative = path.relative(cwd, path.resolve(cwd, file));
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

export function renderDiagnostic(d: Diagnostic, term: Pick<Terminal, 'color' | 'cwd'>): string {
  const c = term.color;
  const where = c.bold(`${displayFile(d.file, term.cwd)}:${d.line}:${d.col}:`);
  const severity = d.severity === 'error' ? c.red('error:') : c.yellow('warning:');
  const hint = d.hint ? `\n  ${c.dim('hint:')} ${d.hint}` : '';
  return `${where} ${severity} ${d.message}${hint}\n`;
}

export function renderDiagnostics(diagnostics: readonly Diagnostic[], term: Pick<Terminal, 'color' | 'cwd'>): string {
  return diagnostics.map((d) => renderDiagnostic(d, term)).join('');
}

export function diagnosticsJson(diagnostics: readonly Diagnostic[], cwd: string): object[] {
  return diagnostics.map((d) => ({
    code: d.code, severity: d.severity, message: d.message, file: displayFile(d.file, cwd), line: d.line, col: d.col, hint: d.hint ?? null,
  }));
}

export function countLine(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  return warnings ? `${plural(errors, 'error')}, ${plural(warnings, 'warning')}` : plural(errors, 'error');
}
