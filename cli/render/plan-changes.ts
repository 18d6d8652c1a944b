// How a change reads: terraform's symbols and verbs, and the order changes are listed in. Shared
// by the human and Markdown renderers so a pull-request comment reads like the terminal.
import type { Action, Change } from '../../engine/diff/plan-result.js';
import { PHASES, rank } from '../../engine/phases/phase-order.js';

export type ChangeKind = 'create' | 'update' | 'delete' | 'replace' | 'replace-create-first';

// legend order is terraform's, so the legend reads the same whichever symbols appear
const KINDS: readonly ChangeKind[] = ['create', 'update', 'delete', 'replace', 'replace-create-first'];

export type ChangeSymbol = '+' | '~' | '-' | '-/+' | '+/-';

const SYMBOL: Record<ChangeKind, ChangeSymbol> = {
  create: '+',
  update: '~',
  delete: '-',
  replace: '-/+',
  'replace-create-first': '+/-',
};

const MEANING: Record<ChangeKind, string> = {
  create: 'create',
  update: 'update in-place',
  delete: 'destroy',
  replace: 'destroy and then create replacement',
  'replace-create-first': 'create replacement and then destroy',
};

const VERB: Record<ChangeKind, string> = {
  create: 'will be created',
  update: 'will be updated in-place',
  delete: 'will be destroyed',
  replace: 'will be replaced',
  'replace-create-first': 'will be replaced',
};

export function changeKind(actions: readonly Action[]): ChangeKind {
  const creates = actions.includes('create');
  const deletes = actions.includes('delete');
  if (creates && deletes) return actions.indexOf('create') < actions.indexOf('delete') ? 'replace-create-first' : 'replace';
  if (deletes) return 'delete';
  if (creates) return 'create';
  return 'update';
}

export function symbolOf(kind: ChangeKind): ChangeSymbol {
  return SYMBOL[kind];
}

export function verbOf(kind: ChangeKind): string {
  return VERB[kind];
}

/** The legend entries for the kinds that occur, in terraform's order. */
export function legendEntries(changes: readonly Change[]): { kind: ChangeKind; symbol: ChangeSymbol; meaning: string }[] {
  const used = new Set(changes.map((c) => changeKind(c.actions)));
  return KINDS.filter((k) => used.has(k)).map((kind) => ({ kind, symbol: SYMBOL[kind], meaning: MEANING[kind] }));
}

type PhaseLike = Change['phase'];

function phaseRank(phase: PhaseLike): number {
  const i = rank(phase);
  return i === -1 ? PHASES.length : i;
}

/** Changes grouped by phase, phases in the order apply reaches them; within one, as given. */
export function groupByPhase(changes: readonly Change[]): { phase: PhaseLike; changes: Change[] }[] {
  const groups = new Map<PhaseLike, Change[]>();
  for (const c of changes) {
    const list = groups.get(c.phase);
    if (list) list.push(c);
    else groups.set(c.phase, [c]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => phaseRank(a) - phaseRank(b))
    .map(([phase, list]) => ({ phase, changes: list }));
}

/** `Phase 2: round_tripped`; rollback is not a step forward, so it has no number. */
export function phaseTitle(phase: PhaseLike): string {
  const i = rank(phase);
  return i === -1 ? `Rollback: ${phase}` : `Phase ${i + 1}: ${phase}`;
}
