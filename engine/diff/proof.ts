// A phase's proof: what must hold once apply has made the phase's changes, before the phase is
// recorded as reached. `round_tripped` means copied *and proven*: every class's parity (with its
// relationships, computed columns and `checks`), and every money, audit, attachment and custom-code
// check, has a result that holds for the data now, and passed. A phase without a proof here is
// proven by its changes alone. Pure: the results are read (and judged fresh) by the caller.
import type { Phase, Plan } from '../plan/types.js';
import type { CheckResult, ParityResult } from './plan-result.js';
import { checkAddress, CUSTOM_CODE_CLASS } from './results.js';

export interface ProofFailure {
  /** the check's name: `parity`, `check "<checks[].name>"`, `computed column x`, `money`, `custom code verify` */
  check: string;
  class: string;
  count: number;
  /** what `count` counts: `row`, `day/currency total`, `file` */
  unit: string;
  /** sample keys (arrays of key values), or the check's own samples (days, paths) */
  samples: unknown[];
  /** what is wrong, in words: `missing rows`, `day-mismatch: …` */
  detail?: string;
}

export interface Proof {
  phase: Phase;
  failures: ProofFailure[];
  /** checks without a result that holds: never run, or stale (with why) */
  unproven: string[];
}

export interface ProofInput {
  plan: Plan;
  /** fresh results only (judgeResults) */
  parity: readonly ParityResult[];
  checks: readonly CheckResult[];
  stale: ReadonlyMap<string, string>;
}

export function proven(proof: Proof): boolean {
  return proof.failures.length === 0 && proof.unproven.length === 0;
}

const CHECK_RUN_FAILED = ': the check failed to run: ';

const ROW_DIFFERENCE: Record<string, string> = {
  missing: 'rows missing from the destination',
  extra: 'rows in the destination that the source does not have',
  changed: 'rows that differ',
  orphan: 'rows whose relationship does not resolve',
};

function parityFailures(p: ParityResult): ProofFailure[] {
  const out: ProofFailure[] = [];
  for (const d of p.differences) {
    const base = { class: p.class, count: d.count, unit: 'row', samples: d.sampleKeys };
    if (d.kind === 'check') {
      const detail = d.detail ?? '';
      const at = detail.indexOf(CHECK_RUN_FAILED);
      out.push(at >= 0
        ? { ...base, check: `check "${detail.slice(0, at)}"`, detail: `it failed to run: ${detail.slice(at + CHECK_RUN_FAILED.length)}` }
        : { ...base, check: `check "${detail}"`, detail: 'rows returned' });
    } else if (d.kind === 'computed') {
      out.push({ ...base, check: `computed column ${d.columns?.join(', ') ?? ''}`, detail: d.detail ?? 'rows whose value is not the computed one' });
    } else {
      const columns = d.columns?.length ? ` (in ${d.columns.join(', ')})` : '';
      out.push({ ...base, check: 'parity', detail: `${ROW_DIFFERENCE[d.kind] ?? d.kind}${columns}${d.detail && d.kind !== 'changed' ? `: ${d.detail}` : ''}` });
    }
  }
  if (!p.passed && out.length === 0) {
    out.push({ check: 'parity', class: p.class, count: Math.abs(p.sourceRows - p.destinationRows), unit: 'row', samples: [], detail: `the source has ${p.sourceRows} rows, the destination ${p.destinationRows}` });
  }
  return out;
}

const UNIT: Record<CheckResult['kind'], string> = { money: 'day/currency total', audit: 'row', attachments: 'file', 'custom-code': 'row' };

/** problems a check reports without failing on them */
const REPORTED_ONLY = new Set(['attachments/orphan']);

function checkFailures(k: CheckResult): ProofFailure[] {
  const check = k.kind === 'custom-code' ? 'custom code verify' : k.kind;
  const out = k.problems.filter((p) => !REPORTED_ONLY.has(`${k.kind}/${p.kind}`))
    .map((p): ProofFailure => ({ check, class: k.class, count: p.count, unit: UNIT[k.kind], samples: p.samples, detail: `${p.kind}${p.detail ? `: ${p.detail}` : ''}` }));
  return out.length ? out : [{ check, class: k.class, count: 0, unit: UNIT[k.kind], samples: [], detail: k.summary }];
}

function notRun(address: string, what: string, stale: ReadonlyMap<string, string>): string {
  const why = stale.get(address);
  return why ? `${what} no longer holds: ${why}` : `${what} has not run`;
}

function roundTripProof(input: ProofInput): Proof {
  const failures: ProofFailure[] = [];
  const unproven: string[] = [];
  for (const [name, cls] of Object.entries(input.plan.classes)) {
    const p = input.parity.find((x) => x.class === name);
    if (!p) unproven.push(notRun(checkAddress({ class: name }), `the parity of class ${name}`, input.stale));
    else if (!p.passed) failures.push(...parityFailures(p));
    const kind = cls.kind === 'money' || cls.kind === 'audit' || cls.kind === 'attachments' ? cls.kind : undefined;
    if (!kind) continue;
    const k = input.checks.find((x) => x.class === name && x.kind === kind);
    if (!k) unproven.push(notRun(checkAddress({ class: name, kind }), `the ${kind} check of class ${name}`, input.stale));
    else if (!k.passed) failures.push(...checkFailures(k));
  }
  if ((input.plan.custom_code ?? []).some((e) => e.reimplemented && typeof e.verify === 'string' && e.verify.trim() !== '')) {
    const k = input.checks.find((x) => x.kind === 'custom-code' && x.class === CUSTOM_CODE_CLASS);
    if (!k) unproven.push(notRun('custom_code.verify', 'the custom code verify queries', input.stale));
    else if (!k.passed) failures.push(...checkFailures(k));
  }
  return { phase: 'round_tripped', failures, unproven };
}

const PROOFS: Partial<Record<Phase, (input: ProofInput) => Proof>> = {
  round_tripped: roundTripProof,
};

/** What stands between `phase`'s changes being made and the phase being reached. */
export function phaseProof(input: ProofInput, phase: Phase): Proof {
  return PROOFS[phase]?.(input) ?? { phase, failures: [], unproven: [] };
}
