// An error cutover reports to the user (as opposed to a bug): a stable code, a message that says
// what happened, and a hint that says what to do. Raised at the edges, rendered in one place.
import type { Diagnostic } from './diagnostics.js';

export class Failure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hint?: string,
    readonly diagnostics: readonly Diagnostic[] = [],
  ) {
    super(message);
    this.name = 'Failure';
  }
}

export function isFailure(e: unknown): e is Failure {
  return e instanceof Failure;
}
