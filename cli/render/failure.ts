// The one place a Failure (or an unexpected bug) becomes text on stderr.
import { isFailure } from '../../engine/failure.js';
import { scrubText } from '../../engine/secrets.js';
import type { Terminal } from '../terminal.js';
import { renderDiagnostics } from './diagnostics.js';

/** The text of `e` for stderr, scrubbed: a message or hint may quote a library's error. */
export function renderFailure(e: unknown, term: Pick<Terminal, 'color' | 'cwd' | 'env'>): string {
  return scrubText(failureText(e, term));
}

function failureText(e: unknown, term: Pick<Terminal, 'color' | 'cwd' | 'env'>): string {
  const c = term.color;
  if (isFailure(e)) {
    const diagnostics = renderDiagnostics(e.diagnostics, term);
    const hint = e.hint ? `  ${c.dim('hint:')} ${e.hint}\n` : '';
    return `${diagnostics}${c.red('Error:')} ${e.message}\n${hint}`;
  }
  // a bug in cutover: one line for the user, the stack only when asked for
  const err = e instanceof Error ? e : new Error(String(e));
  const stack = term.env.CUTOVER_DEBUG ? `${err.stack ?? ''}\n` : '';
  return `${c.red('Error:')} internal error: ${err.message}\n  ${c.dim('hint:')} this is a bug in cutover; rerun with CUTOVER_DEBUG=1 and report the output\n${stack}`;
}
