// Phase 4, reads_switched: the plan's switch_reads hook. Its gate: the dual-run window has passed,
// compared at its cadence with every failed compare resolved, nothing parked, the mirror caught up
// to under max_lag, retention agreed, and rollback rehearsed.
import { parseDuration } from '../plan/duration.js';
import { compareEvery, maxLag } from '../plan/defaults.js';
import { formatKey, plural } from '../words.js';
import { compareReasons } from './compare-review.js';
import { mirrorRunning, type DualRunRecord } from './dual-run-record.js';
import { elapsed, type GateInput } from './gate-input.js';
import type { GateVerdict, PhaseModule, ResourceContext } from './phase-module.js';
import { hook } from './resource-parts.js';

/** parked changes named one by one in the reason */
const PARKED_NAMED = 3;

function parkedReason(record: DualRunRecord): string[] {
  const { count, first } = record.parked;
  if (count === 0) return [];
  const named = first.slice(0, PARKED_NAMED).map((p) => `${p.class} ${formatKey(p.key)} (${p.op}): ${p.message}`);
  const more = count > named.length ? `; and ${count - named.length} more` : '';
  const verb = count === 1 ? 'is' : 'are';
  return [`${plural(count, 'change')} the destination refused ${verb} parked: ${named.join('; ')}${more}; fix what it refuses and let the mirror retry them`];
}

/** `0.4s`, `42s` */
function seconds(n: number): string {
  return n < 10 ? `${n.toFixed(1)}s` : `${Math.round(n)}s`;
}

function lagReason(input: GateInput, record: DualRunRecord): string[] {
  const allowed = maxLag(input.plan);
  const limit = parseDuration(allowed);
  if (limit === undefined || record.lagSeconds < limit) return [];
  const waiting = `${plural(record.pending, 'change')} waiting`;
  const then = mirrorRunning(record.mirror) ? 'let it catch up' : 'the mirror is not running: start `cutover mirror`';
  return [`the mirror is ${seconds(record.lagSeconds)} behind the source (${waiting}), not under go_live.max_lag (${allowed}): ${then}`];
}

function dualRunReasons(input: GateInput, record: DualRunRecord): string[] {
  const start = input.state.migration?.phaseTimes.dual_run;
  const compares = start
    ? compareReasons({ start, now: input.now, every: compareEvery(input.plan), classes: Object.keys(input.plan.classes), record })
    : [];
  return [...compares, ...parkedReason(record), ...lagReason(input, record)];
}

/** A passed rollback rehearsal of this very plan (its fingerprint leaves `target` out). */
function rehearsalReason(rehearsal: DualRunRecord['rehearsal']): string[] {
  if (rehearsal?.passed) return [];
  if (rehearsal) return [`the last rollback rehearsal of this plan failed (${rehearsal.finishedAt}): fix what it named and run \`cutover rehearse\` again`];
  return ['rollback has not been rehearsed for this plan (`cutover rehearse`)'];
}

function gate(input: GateInput): GateVerdict {
  const reasons: string[] = input.dualRun ? dualRunReasons(input, input.dualRun) : [];
  if (!input.plan.retention?.agreed_by) reasons.push('retention is not agreed (retention.agreed_by, agreed_on)');
  reasons.push(...rehearsalReason(input.dualRun?.rehearsal ?? null));
  return { reasons, timed: [elapsed(input, 'dual_run', input.plan.dual_run?.window, 'the dual-run window')] };
}

export const readsSwitched: PhaseModule = {
  phase: 'reads_switched',
  adds: ({ plan }: ResourceContext) => [hook('switch_reads', plan, 'reads_switched')],
  gate,
  deferred: 'checked once dual-run has run for its window',
};
