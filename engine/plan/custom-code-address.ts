// The custom-code grammar (`trigger schema.table.name`, `function schema.name(argument types)`, …):
// names in it are written by the plan's one rule (plan-names.ts), so the inventory's addresses and
// the plan's entries compare by their canonical text.
import { readNames, writeNames } from './plan-names.js';

interface Form {
  kind: string;
  /** how many dotted names follow the kind */
  parts: number;
  /** functions and procedures end in `(argument types)` */
  args: boolean;
  form: string;
}

// longer kinds first: `materialized view` before `view`, `event trigger` before `trigger`
const FORMS: Form[] = [
  { kind: 'materialized view', parts: 2, args: false, form: 'materialized view schema.name' },
  { kind: 'event trigger', parts: 1, args: false, form: 'event trigger name' },
  { kind: 'trigger', parts: 3, args: false, form: 'trigger schema.table.name' },
  { kind: 'function', parts: 2, args: true, form: 'function schema.name(argument types)' },
  { kind: 'procedure', parts: 2, args: true, form: 'procedure schema.name(argument types)' },
  { kind: 'view', parts: 2, args: false, form: 'view schema.name' },
  { kind: 'rule', parts: 3, args: false, form: 'rule schema.table.name' },
  { kind: 'policy', parts: 3, args: false, form: 'policy schema.table.name' },
];

const EXTERNAL = { form: 'external NAME', pattern: /^external [A-Za-z0-9][A-Za-z0-9_.:/-]*$/ };

/** Every form, for hints, in the order the README lists them. */
export const GRAMMAR_FORMS = ['trigger', 'function', 'procedure', 'view', 'materialized view', 'rule', 'policy', 'event trigger']
  .map((kind) => FORMS.find((f) => f.kind === kind)!.form).concat(EXTERNAL.form);

// argument types as the catalog prints them: balanced parentheses one level deep (numeric(10,2))
const ARGUMENTS = /^\([^()]*(?:\([^()]*\)[^()]*)*\)$/;

export interface CustomCodeAddress {
  kind: string;
  names: string[];
  /** `(integer, text)` for functions and procedures */
  args?: string;
}

/** The entry's parts, or undefined when it does not follow the grammar (`external …` included). */
export function readAddress(text: string): CustomCodeAddress | undefined {
  const form = FORMS.find((f) => text.startsWith(`${f.kind} `));
  if (!form) return undefined;
  const read = readNames(text.slice(form.kind.length + 1), form.args ? '(' : '');
  if ('error' in read || read.names.length !== form.parts) return undefined;
  if (form.args ? !ARGUMENTS.test(read.rest) : read.rest !== '') return undefined;
  return { kind: form.kind, names: read.names, ...(form.args ? { args: read.rest } : {}) };
}

function writeAddress(address: CustomCodeAddress): string {
  return `${address.kind} ${writeNames(address.names)}${address.args ?? ''}`;
}

export function followsGrammar(text: string): boolean {
  return EXTERNAL.pattern.test(text) || readAddress(text) !== undefined;
}

/** The form an entry starting with this kind must take, if the kind is known. */
export function formFor(text: string): string | undefined {
  const word = text.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  if (word === 'external') return EXTERNAL.form;
  const kind = word === 'materialized' ? 'materialized view' : word === 'event' ? 'event trigger' : word;
  return FORMS.find((f) => f.kind === kind)?.form;
}

/** The canonical text of an entry, so `trigger public."Order Lines".t` and
 * `trigger public.Order Lines.t` are one object; text outside the grammar stays as written. */
export function canonicalAddress(text: string): string {
  const address = readAddress(text);
  return address ? writeAddress(address) : text;
}
