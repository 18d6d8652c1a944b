// `cutover validate PLAN…`: schema and semantic checks, no database.
import { hasErrors, type Diagnostic } from '../../engine/diagnostics.js';
import { isFailure } from '../../engine/failure.js';
import { readPlan } from '../../engine/load/read-plan.js';
import { validatePlan } from '../../engine/validate/validate-plan.js';
import type { Command } from '../command.js';
import { countLine, diagnosticsJson, displayFile, renderDiagnostics } from '../render/diagnostics.js';
import { plural } from '../render/words.js';

interface FileResult {
  file: string;
  valid: boolean;
  classes?: number;
  diagnostics: Diagnostic[];
  /** the file could not be read at all (missing, a folder…): no diagnostics, since there is no
   * line or column to point at; the text output says it as one `Error:` line */
  error?: { code: string; message: string; hint?: string };
}

function validateFile(file: string, env: NodeJS.ProcessEnv): FileResult {
  try {
    const { plan, diagnostics } = validatePlan(readPlan(file, env));
    return { file, valid: !hasErrors(diagnostics), classes: plan ? Object.keys(plan.classes).length : undefined, diagnostics };
  } catch (e) {
    if (!isFailure(e)) throw e;
    return { file, valid: false, diagnostics: [], error: { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) } };
  }
}

/** `validate --json` (schemas/validate-output.schema.json): snake_case, every key present, null
 * where a fact does not apply, as in plan --json. */
const VALIDATE_JSON_FORMAT_VERSION = '2.0';

function validateJson(results: readonly FileResult[], cwd: string): object {
  const files = results.map((r) => ({
    file: displayFile(r.file, cwd),
    valid: r.valid,
    classes: r.classes ?? null,
    diagnostics: diagnosticsJson(r.diagnostics, cwd),
    error: r.error ? { code: r.error.code, message: r.error.message, hint: r.error.hint ?? null } : null,
  }));
  return { format_version: VALIDATE_JSON_FORMAT_VERSION, valid: results.every((r) => r.valid), files };
}

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check plan files against the plan format and its rules (no database needed)',
  usage: 'cutover validate PLAN [PLAN…] [--json]',
  help: `Checks each plan file: YAML syntax, the plan schema (schemas/plan.schema.json) and the
semantic rules (durations in bounds, class references, complete mappings, rollback paths,
retention, custom-code grammar, environment variables set). Every problem is reported at once,
as file:line:col, sorted by position, with a hint where one helps.

Options:
  --json       print the diagnostics as one versioned JSON document on stdout
               (schemas/validate-output.schema.json)
  --no-color   plain output (also NO_COLOR=1)

Exit codes: 0 every plan is valid, 1 a plan is invalid or cannot be read.`,
  options: { json: { type: 'boolean' } },
  async run({ positionals, values, term }) {
    if (positionals.length === 0) {
      term.err(`${term.color.red('Error:')} name the plan file to validate\n  ${term.color.dim('usage:')} ${this.usage}\n`);
      return 1;
    }
    const results = positionals.map((file) => validateFile(file, term.env));
    if (values.json) {
      term.out(`${JSON.stringify(validateJson(results, term.cwd), null, 2)}\n`);
    } else {
      for (const r of results) {
        if (r.error) {
          term.err(`${term.color.red('Error:')} ${r.error.message}\n${r.error.hint ? `  ${term.color.dim('hint:')} ${r.error.hint}\n` : ''}`);
          continue;
        }
        term.err(renderDiagnostics(r.diagnostics, term));
        const name = displayFile(r.file, term.cwd);
        if (r.valid) {
          const warnings = r.diagnostics.length ? ` (${countLine(r.diagnostics).replace(/^0 errors, /, '')})` : '';
          term.out(`${term.color.green('✓')} ${name}: valid, ${plural(r.classes ?? 0, 'class', 'classes')}${warnings}\n`);
        } else {
          term.err(`${term.color.red('✗')} ${name}: ${countLine(r.diagnostics)}\n`);
        }
      }
    }
    return results.every((r) => r.valid) ? 0 : 1;
  },
};
