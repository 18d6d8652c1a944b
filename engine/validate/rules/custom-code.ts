// Custom-code entries follow the grammar, so the inventory can match them to catalog objects.
import { snippet } from '../../load/yaml-errors.js';
import { canonicalAddress, followsGrammar, formFor, GRAMMAR_FORMS } from '../../plan/custom-code-address.js';
import { list, obj, str, type Rule } from './context.js';

function hintFor(text: string): string {
  const form = formFor(text);
  const quoting = 'a name containing a dot or a parenthesis is written in double quotes';
  if (form) return `write it as \`${form}\` (${quoting})`;
  return `write one of: ${GRAMMAR_FORMS.join('; ')}`;
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
      const canonical = canonicalAddress(source);
      if (seen.has(canonical)) ctx.report({
        code: 'plan.custom-code-duplicate',
        message: `\`${snippet(source, 80)}\` is listed twice in custom_code (first as entry ${seen.get(canonical)! + 1})`,
        path: ['custom_code', i, 'source'],
      });
      else seen.set(canonical, i);
    }
  });
};
