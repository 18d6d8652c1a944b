// A plan file read and validated, or a Failure carrying its diagnostics: what every command that
// works on a migration starts from.
import { hasErrors, type Diagnostic } from '../diagnostics.js';
import { Failure } from '../failure.js';
import type { Plan } from '../plan/types.js';
import { validatePlan } from '../validate/validate-plan.js';
import { plural } from '../words.js';
import type { Environment } from './interpolate.js';
import type { LoadedPlan } from './load-plan.js';
import { findingPosition } from './node-position.js';
import { readPlan } from './read-plan.js';

export interface ValidPlan {
  file: string;
  plan: Plan;
  loaded: LoadedPlan;
  /** warnings from validation, shown by commands before their own output */
  warnings: Diagnostic[];
  locate(path: readonly (string | number)[]): { line: number; col: number };
}

export function readValidPlan(file: string, env: Environment): ValidPlan {
  const loaded = readPlan(file, env);
  const { plan, diagnostics } = validatePlan(loaded);
  if (!plan || hasErrors(diagnostics)) {
    const n = diagnostics.filter((d) => d.severity === 'error').length;
    throw new Failure('plan.invalid', `${file} is not a valid plan (${plural(n, 'error')})`,
      `fix the errors above; \`cutover validate ${file}\` checks without connecting`, diagnostics);
  }
  return {
    file, plan, loaded, warnings: diagnostics,
    locate: (path) => findingPosition(loaded.source, path),
  };
}
