// validate: loaded plan → diagnostics (schema, then semantic rules), sorted by position, and the
// typed plan when nothing is wrong.
import { byPosition, hasErrors, type Diagnostic } from '../diagnostics.js';
import type { LoadedPlan } from '../load/load-plan.js';
import { withCatalogNames } from '../plan/catalog-names.js';
import type { Plan } from '../plan/types.js';
import { classMapping } from './rules/class-mapping.js';
import { classReferences, tableClaims } from './rules/class-references.js';
import { makeContext, obj, type Rule } from './rules/context.js';
import { customCodeGrammar } from './rules/custom-code.js';
import { compareWithinWindow, durationBounds } from './rules/durations.js';
import { lockRules } from './rules/lock.js';
import { planNames } from './rules/names.js';
import { phaseSections } from './rules/phases.js';
import { checkSchema } from './schema-check.js';

const RULES: Rule[] = [
  planNames, durationBounds, compareWithinWindow, classReferences, tableClaims, classMapping, lockRules, phaseSections, customCodeGrammar,
];

export interface ValidationResult {
  plan?: Plan;
  diagnostics: Diagnostic[];
}

export function validatePlan(loaded: LoadedPlan): ValidationResult {
  const diagnostics = [...loaded.diagnostics];
  if (loaded.value !== undefined && !hasErrors(diagnostics.filter((d) => d.code.startsWith('yaml.')))) {
    for (const d of checkSchema(loaded.source, loaded.value)) diagnostics.push(d); // may be one per item of a long list
    const root = obj(loaded.value);
    if (root) {
      const ctx = makeContext(loaded.source, root, diagnostics);
      for (const rule of RULES) rule(ctx);
    }
  }
  // (values left as `${NAME}` because interpolation failed are skipped by the schema check and
  // the rules themselves, by node: see SourceDocument.unresolved)
  diagnostics.sort(byPosition);
  return hasErrors(diagnostics) ? { diagnostics } : { plan: withCatalogNames(loaded.value as Plan), diagnostics };
}
