// Custom-code entries follow the grammar, so the inventory can match them to catalog objects.
import { snippet } from '../../load/yaml-errors.js';
import { list, obj, str, type Rule } from './context.js';

const IDENT = '(?:[A-Za-z_][A-Za-z0-9_$]*|"(?:[^"]|"")+")';
const GRAMMAR: { form: string; pattern: RegExp }[] = [
  { form: 'trigger schema.table.name', pattern: new RegExp(`^trigger ${IDENT}\\.${IDENT}\\.${IDENT}$`) },
  { form: 'function schema.name(argument types)', pattern: new RegExp(`^function ${IDENT}\\.${IDENT}\\([^()]*(?:\\([^()]*\\)[^()]*)*\\)$`) },
  { form: 'procedure schema.name(argument types)', pattern: new RegExp(`^procedure ${IDENT}\\.${IDENT}\\([^()]*(?:\\([^()]*\\)[^()]*)*\\)$`) },
  { form: 'view schema.name', pattern: new RegExp(`^view ${IDENT}\\.${IDENT}$`) },
  { form: 'materialized view schema.name', pattern: new RegExp(`^materialized view ${IDENT}\\.${IDENT}$`) },
  { form: 'rule schema.table.name', pattern: new RegExp(`^rule ${IDENT}\\.${IDENT}\\.${IDENT}$`) },
  { form: 'policy schema.table.name', pattern: new RegExp(`^policy ${IDENT}\\.${IDENT}\\.${IDENT}$`) },
  { form: 'event trigger name', pattern: new RegExp(`^event trigger ${IDENT}$`) },
  { form: 'external NAME', pattern: /^external [A-Za-z0-9][A-Za-z0-9_.:/-]*$/ },
];

export function followsGrammar(text: string): boolean {
  return GRAMMAR.some((g) => g.pattern.test(text));
}

function hintFor(text: string): string {
  const word = text.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  const match = GRAMMAR.find((g) => g.form.startsWith(word === 'materialized' ? 'materialized' : word === 'event' ? 'event' : `${word} `));
  if (match) return `write it as \`${match.form}\``;
  return `write one of: ${GRAMMAR.map((g) => g.form).join('; ')}`;
}

export const customCodeGrammar: Rule = (ctx) => {
  const seen = new Map<string, number>();
  list(ctx.plan.custom_code).forEach((raw, i) => {
    const entry = obj(raw);
    for (const field of ['source', 'reimplemented']) {
      const text = str(entry?.[field]);
      if (text !== undefined && !followsGrammar(text)) ctx.report({
        code: 'plan.custom-code-grammar',
        message: `\`custom_code[${i}].${field}\` does not follow the custom-code grammar`,
        path: ['custom_code', i, field],
        hint: hintFor(text),
      });
    }
    const source = str(entry?.source);
    if (source !== undefined) {
      if (seen.has(source)) ctx.report({
        code: 'plan.custom-code-duplicate',
        message: `\`${snippet(source, 80)}\` is listed twice in custom_code (first as entry ${seen.get(source)! + 1})`,
        path: ['custom_code', i, 'source'],
      });
      else seen.set(source, i);
    }
  });
};
