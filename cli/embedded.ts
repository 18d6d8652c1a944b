// The embedded default's progress lines go to stderr, so stdout stays the command's own output.
import { resolveEmbedded } from '../engine/db/embedded.js';
import type { Terminal } from './terminal.js';

export function embeddedResolver(term: Terminal): (url: string) => Promise<string> {
  return (url) => resolveEmbedded(url, { log: (line) => term.err(`${line}\n`) });
}
