// What a rollback says when it ends: the source is as it was, and what it left on the destination
// (which is not live), with how to remove that.
import type { ApplyOutcome, CopiedTable } from '../../engine/apply/apply-types.js';
import type { Terminal } from '../terminal.js';
import { formatKeys, plural } from './words.js';
import { gateLines } from './gate.js';

/** What a table holding cutover's copy holds, and so how to remove the copy from it. */
function copiedTableLine(t: CopiedTable): string {
  if (!t.foreign) return `  - ${t.table}: not checked for rows cutover did not write; look before you truncate it\n`;
  if (t.foreign.count === 0) return `  - ${t.table}: only rows cutover wrote; truncating it removes the copy and nothing else\n`;
  return `  - ${t.table}: also holds ${plural(t.foreign.count, 'row')} cutover did not write or changed after writing (keys ${formatKeys(t.foreign.sampleKeys)}${t.foreign.count > t.foreign.sampleKeys.length ? ', …' : ''}); do not truncate it: delete only the rows cutover copied, keeping those\n`;
}

function destinationNote(copied: readonly CopiedTable[], stateSchema: string): string {
  const kept = copied.length
    ? `What cutover copied into the destination stays there: ${copied.map((t) => t.table).join(', ')}. The destination is not live and cutover writes nothing more to it; to remove the copy:\n${copied.map(copiedTableLine).join('')}`
    : 'Nothing had been copied into the destination.\n';
  return `${kept}The migration's state and event log stay in schema ${stateSchema} on the destination (\`cutover status\` shows them).\n`;
}

export function reportRollback(outcome: ApplyOutcome, name: string, stateSchema: string, term: Terminal): number {
  switch (outcome.kind) {
    case 'nothing': {
      const phase = outcome.result.phase;
      term.out(phase === 'rolled_back'
        ? `\nNothing to roll back: migration ${name} is rolled back already; nothing is left to do.\n`
        : `\nNothing to roll back: migration ${name} was never applied, so nothing of it is on the source; nothing was changed.\n`);
      return 0;
    }
    case 'cancelled':
      term.err('\nRollback cancelled: nothing was changed.\n');
      return 1;
    case 'reached':
      term.out(`\n${term.color.green(`Rollback complete! Migration ${name} is rolled_back.`)} ${plural(outcome.applied, 'change')} applied; cutover's locks and capture are gone from the source.\n`);
      term.out(destinationNote(outcome.copied ?? [], stateSchema));
      return 0;
    case 'gate':
      term.out(`${gateLines(outcome.gate, { as: 'stopped', by: 'rollback', c: term.color }).join('\n')}\n`);
      return 3;
    case 'unproven':
      // a rollback has no proof of its own to fail; kept so every outcome is answered
      term.out(`\nRollback stopped at phase ${outcome.phase}: the proof of ${outcome.proof.phase} did not pass.\n`);
      return 3;
    case 'interrupted':
      term.err(`\nRollback interrupted after ${plural(outcome.applied, 'change')}: run \`cutover rollback\` again to finish it.\n`);
      return 130;
  }
}
