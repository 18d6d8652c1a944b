// Checks the plan against schemas/plan.schema.json with ajv, and turns each ajv error into one
// diagnostic at the YAML node it concerns, in words a plan author can act on.
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { diagnostic, type Diagnostic } from '../diagnostics.js';
import { displayPath, isUnresolved, keyPosition, valuePosition, type PlanPath } from '../load/node-position.js';
import { printable, snippet } from '../load/yaml-errors.js';
import type { SourceDocument } from '../load/yaml-document.js';
import { schemaPath } from '../package-files.js';
import { plural } from '../words.js';
import { pruneAlternatives } from './prune-alternatives.js';
import { closest, didYouMean } from './suggest.js';

// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as
  (ajv: Ajv2020) => Ajv2020;

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, verbose: true });
    addFormats(ajv);
    compiled = ajv.compile(JSON.parse(readFileSync(schemaPath('plan.schema.json'), 'utf8')));
  }
  return compiled;
}

export function checkSchema(source: SourceDocument, value: unknown): Diagnostic[] {
  const validate = validator();
  if (validate(value)) return [];
  const errors = pruneAlternatives(validate.errors ?? []);
  const misspelt = misspeltKeys(errors);
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const error of errors) {
    // a value left as `${NAME}` (unset, malformed): its variable diagnostic is the one to show
    if (isUnresolved(source, pointerToPath(value, error.instancePath))) continue;
    // `colums:` → "did you mean `columns`?" already says `columns` is missing
    if (error.keyword === 'required' && misspelt.has(`${error.instancePath}\0${String(error.params.missingProperty)}`)) continue;
    const found = toDiagnostic(source, value, error);
    if (!found) continue;
    const d = { ...found, message: printable(found.message), ...(found.hint ? { hint: printable(found.hint) } : {}) };
    const id = `${d.line}:${d.col}:${d.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(d);
  }
  return out;
}

/** `instancePath\0key` for each required key that an unknown key beside it is a misspelling of. */
function misspeltKeys(errors: readonly ErrorObject[]): Set<string> {
  const out = new Set<string>();
  for (const e of errors) {
    if (e.keyword !== 'additionalProperties') continue;
    const parent = e.parentSchema as { properties?: Record<string, unknown> } | undefined;
    const match = closest(String(e.params.additionalProperty), Object.keys(parent?.properties ?? {}));
    if (match !== undefined) out.add(`${e.instancePath}\0${match}`);
  }
  return out;
}

/** JSON pointer → path, with array indices as numbers (so positions find sequence items). */
export function pointerToPath(value: unknown, pointer: string): PlanPath {
  const path: (string | number)[] = [];
  let here: unknown = value;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(here)) {
      path.push(Number(segment));
      here = here[Number(segment)];
    } else {
      path.push(segment);
      here = here && typeof here === 'object' ? (here as Record<string, unknown>)[segment] : undefined;
    }
  }
  return path;
}

function typeName(data: unknown, expected: unknown): string {
  if (data === null) return 'empty (null)';
  if (Array.isArray(data)) return 'a list';
  if (typeof data === 'object') return 'a mapping';
  if (typeof data === 'string') return 'text';
  if (typeof data === 'number') {
    // "must be a whole number, not 30.5" says more than "not a number"
    if ([expected].flat().includes('integer') && Number.isFinite(data)) return String(data);
    return Number.isInteger(data) ? 'an integer' : 'a number';
  }
  return `a ${typeof data}`;
}

/** How a message names the value at `path`: `classes.customers.source`, or the plan itself. */
function subject(path: PlanPath): string {
  return path.length ? `\`${printable(displayPath(path))}\`` : 'the plan';
}

/** An item of a list, named in a message: `public`, 42, { table: x }. */
function itemText(item: unknown): string {
  if (typeof item === 'string') return `\`${snippet(item)}\``;
  let json: string;
  try {
    json = JSON.stringify(item) ?? String(item);
  } catch {
    json = String(item);
  }
  return `\`${snippet(json)}\``;
}

const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping (key: value lines)',
  array: 'a list',
  string: 'text',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  null: 'empty',
};

function typeWords(type: unknown): string {
  const types = Array.isArray(type) ? type : [type];
  return types.map((t) => TYPE_WORDS[String(t)] ?? String(t)).join(' or ');
}

const FORMAT_WORDS: Record<string, string> = {
  'date-time': 'a date and time with a zone, like 2026-12-20T00:00:00Z',
  date: 'a date like 2026-11-20',
  email: 'an email address',
};

/** What a schema pattern asks for, in words (every pattern in plan.schema.json has its words:
 * test/validate/schema-messages.test.ts checks that none falls through to the last line). */
export function patternWords(pattern: string): string {
  if (/\[dhms\]/.test(pattern)) return 'a duration like 14d, 48h, 30m or 10s';
  if (pattern.includes('embedded')) return 'a PostgreSQL URL (postgresql://…) or embedded:NAME';
  if (pattern === '^[a-z0-9-]+$') return 'lower-case letters, digits and dashes';
  if (pattern.startsWith('^[a-z_][a-z0-9_]*') && pattern.includes('\\.')) {
    return '`class.column` (a class name, a dot, a column name), or a class name alone for a change that adds a table';
  }
  if (pattern.startsWith('^[a-z_][a-z0-9_]*')) return 'a name of lower-case letters, digits and underscores';
  if (pattern.startsWith('^[A-Za-z][A-Za-z0-9_+-]*') && pattern.includes('/')) return 'an IANA time zone like America/New_York or UTC';
  if (pattern === '^[\\s\\S]+$') return 'a name that is not empty';
  return 'text of the form the plan format describes';
}

function toDiagnostic(source: SourceDocument, value: unknown, e: ErrorObject): Diagnostic | undefined {
  const path = pointerToPath(value, e.instancePath);
  const where = displayPath(path);
  const it = subject(path);
  const file = source.file;
  const at = (p: PlanPath) => valuePosition(source, p);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const shown = snippet(key);
      const parent = e.parentSchema as { properties?: Record<string, unknown>; patternProperties?: Record<string, unknown> };
      const allowed = Object.keys(parent?.properties ?? {});
      const pos = keyPosition(source, [...path, key]);
      if (parent?.patternProperties && allowed.length === 0) {
        const pattern = Object.keys(parent.patternProperties)[0] ?? '';
        return diagnostic('schema.bad-name', `\`${shown}\` is not a valid name in ${it}: use ${patternWords(pattern)}`, file, pos);
      }
      const bare = (e.data as Record<string, unknown> | null)?.[key] === null;
      const hint = /\s/.test(key) || (bare && !didYouMean(key, allowed))
        ? 'inside `{ … }` a comma ends the value; put text that contains commas in quotes'
        : didYouMean(key, allowed) ?? (allowed.length ? `allowed here: ${allowed.join(', ')}` : undefined);
      const inside = path.length ? ` in ${it}` : ' at the top level of the plan';
      return diagnostic('schema.unknown-key', `unknown key \`${shown}\`${inside}`, file, pos, hint);
    }
    case 'required': {
      const missing = String(params.missingProperty);
      return diagnostic('schema.missing-key', `${it} is missing \`${missing}\``, file, keyPosition(source, path));
    }
    case 'type': {
      const sqlScalar = params.type === 'string' && (typeof e.data === 'number' || typeof e.data === 'boolean');
      return diagnostic('schema.type', `${it} must be ${typeWords(params.type)}, not ${typeName(e.data, params.type)}`, file, at(path),
        sqlScalar ? `put it in quotes to make it text, e.g. "${String(e.data)}"` : undefined);
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const hint = typeof e.data === 'string' ? didYouMean(e.data, allowed) : undefined;
      return diagnostic('schema.enum', `${it} must be one of: ${allowed.join(', ')}`, file, at(path), hint);
    }
    case 'const':
      return diagnostic('schema.const', `${it} must be ${JSON.stringify(params.allowedValue)}`, file, at(path),
        where === 'version' ? 'this version of cutover reads plan format version 1' : undefined);
    case 'pattern':
      return diagnostic('schema.pattern', `${it} must be ${patternWords(String(params.pattern))}`, file, at(path));
    case 'format':
      return diagnostic('schema.format', `${it} must be ${FORMAT_WORDS[String(params.format)] ?? String(params.format)}`, file, at(path));
    case 'minItems':
      return diagnostic('schema.min-items', `${it} must list at least ${plural(Number(params.limit), 'item')}`, file, at(path));
    case 'maxItems':
      return diagnostic('schema.max-items', `${it} may list at most ${String(params.limit)} items`, file, at(path));
    case 'uniqueItems': {
      // ajv: items j < i are equal; point at the later one, the duplicate, counting from 1
      const i = Number(params.i);
      const j = Number(params.j);
      const first = Math.min(i, j);
      const dup = Math.max(i, j);
      const item = Array.isArray(e.data) ? itemText(e.data[dup]) : 'an item';
      return diagnostic('schema.unique-items', `${it} lists ${item} twice (items ${first + 1} and ${dup + 1})`, file, at([...path, dup]),
        'each item may appear once in the list; remove this one');
    }
    case 'maxLength':
      return diagnostic('schema.too-long', `${it} may be at most ${String(params.limit)} characters, not ${String(e.data).length}`, file, at(path),
        where === 'name' ? 'cutover names its objects on the source after the migration, and PostgreSQL cuts names at 63 bytes; choose a shorter name' : undefined);
    case 'minLength':
      return diagnostic('schema.empty', `${it} must not be empty`, file, at(path));
    case 'minProperties':
      if (path[0] === 'custom_code') {
        return diagnostic('schema.custom-code-disposition', `${it} must say what becomes of it: one of \`reimplemented\`, \`retired\` or \`pending\``,
          file, at(path), 'reimplemented: the replacing object; retired: why nothing needs it; pending: how it will be rebuilt');
      }
      return diagnostic('schema.empty', `${it} must have at least ${plural(Number(params.limit), 'entry', 'entries')}`, file, at(path));
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return diagnostic('schema.range', `${it} must be ${String(params.comparison)} ${String(params.limit)}`, file, at(path));
    case 'propertyNames':
      return diagnostic('schema.bad-name', `\`${snippet(String(params.propertyName))}\` is not a valid name in ${it}`, file,
        keyPosition(source, [...path, String(params.propertyName)]));
    case 'dependentRequired':
      return diagnostic('schema.missing-key', `${it} has \`${String(params.property)}\` and so needs \`${String(params.missingProperty)}\``,
        file, keyPosition(source, [...path, String(params.property)]));
    case 'oneOf':
    case 'anyOf':
    case 'not':
      return diagnostic(`schema.${e.keyword.toLowerCase()}`, `${it} ${alternativesMessage(e)}`, file, at(path));
    case 'false schema': {
      const together = /dependentSchemas\/([^/]+)\//.exec(e.schemaPath)?.[1];
      const key = path[path.length - 1];
      return diagnostic('schema.conflicting-keys',
        together ? `\`${String(key)}\` cannot be given together with \`${together}\`` : `${it} is not allowed here`,
        file, keyPosition(source, path), path[0] === 'custom_code' ? 'a custom-code entry is exactly one of reimplemented, retired or pending' : undefined);
    }
    case 'if':
    case 'then':
    case 'else':
      return undefined; // the failing branch's own errors say what is wrong
    default:
      return diagnostic(`schema.${e.keyword}`, `${it} ${e.message ?? 'is not valid'}`, file, at(path));
  }
}

function alternativesMessage(e: ErrorObject): string {
  const description = (e.parentSchema as { description?: string } | undefined)?.description;
  const summary = (e as ErrorObject & { summary?: string }).summary;
  if (summary) return summary;
  if (e.keyword === 'oneOf' && (e.params as { passingSchemas?: unknown }).passingSchemas) {
    return `matches more than one of its allowed forms${description ? ` (${firstSentence(description)})` : ''}`;
  }
  return `is not in an allowed form${description ? `: ${firstSentence(description)}` : ''}`;
}

function firstSentence(text: string): string {
  return (text.split(/(?<=\.)\s/)[0] ?? text).replace(/\.$/, '');
}
