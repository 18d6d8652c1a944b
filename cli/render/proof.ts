// A phase's proof that did not pass, as apply reports it: each failing check by name, with its
// class, count and samples, in words (the JSON of the results stays in plan --json and status).
import type { ChalkInstance } from 'chalk';
import type { Proof, ProofFailure } from '../../engine/diff/proof.js';
import { formatKey, plural, thousands } from './words.js';

const SAMPLES_SHOWN = 5;

/** A sample as a person reads it: a key as `4` or `(1, "a")`, a record as `day 2026-01-07, bank 12.01`. */
function sampleText(sample: unknown): string {
  if (Array.isArray(sample)) return formatKey(sample);
  if (sample && typeof sample === 'object') {
    return Object.entries(sample as Record<string, unknown>)
      .filter(([, v]) => !(Array.isArray(v) && v.length === 0))
      .map(([k, v]) => `${k} ${Array.isArray(v) ? formatKey(v) : v && typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(', ');
  }
  return String(sample);
}

function failureLine(f: ProofFailure, c: ChalkInstance): string[] {
  const lines = [`  ${c.red('✗')} ${f.check} of class ${f.class}: ${f.count ? `${plural(f.count, f.unit)}, ` : ''}${f.detail ?? 'failed'}`];
  if (f.samples.length) {
    const shown = f.samples.slice(0, SAMPLES_SHOWN).map(sampleText);
    // only some of the problems are stored as samples: what is left is counted from the check's count
    const left = Math.max(f.count, f.samples.length) - shown.length;
    const more = left > 0 ? ` (and ${thousands(left)} more)` : '';
    // keys are arrays of key values; other checks sample records (a day, a file)
    lines.push(`      ${f.samples.every(Array.isArray) ? 'sample keys' : 'samples'}: ${shown.join('; ')}${more}`);
  }
  return lines;
}

/** `3 failing checks, 1 not run`: the count apply's summary line gives. */
export function proofCount(proof: Proof): string {
  const parts = [];
  if (proof.failures.length) parts.push(`${plural(proof.failures.length, 'failing check')}`);
  if (proof.unproven.length) parts.push(`${plural(proof.unproven.length, 'check')} without a result`);
  return parts.join(', ');
}

/** `phase` is where the migration stands: the proof's own phase when it was reached before. */
export function renderProof(proof: Proof, phase: string, c: ChalkInstance): string {
  const why = phase === proof.phase
    ? `phase ${proof.phase} was reached before, but a check run again failed; apply goes no further until every check passes.`
    : `phase ${proof.phase} is reached only when every check passes, so it was not recorded.`;
  const lines = [
    `${c.yellow(`Stopped at the ${proof.phase} proof`)}: ${why}`,
    ...proof.failures.flatMap((f) => failureLine(f, c)),
    ...proof.unproven.map((u) => `  ${c.red('✗')} ${u}`),
    'Fix the data or the plan, then run `cutover apply` again: it copies again the classes whose mapping changed, then runs every check again.',
  ];
  return `${lines.join('\n')}\n`;
}
