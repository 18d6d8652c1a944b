// The JSON documents cutover prints (validate, plan and status --json), checked against their
// schemas in schemas/ with ajv, and their keys checked to be snake_case everywhere cutover names
// them (a column name from the user's schema may be spelt any way, so `columns` maps are skipped).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { expect } from 'vitest';
import { ROOT } from './run-cli.js';

const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => void;
const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
const schema = (name: string) => JSON.parse(readFileSync(path.join(ROOT, 'schemas', `${name}-output.schema.json`), 'utf8')) as object;
ajv.addSchema(schema('plan'));
const validators = {
  validate: ajv.compile(schema('validate')),
  plan: ajv.getSchema('https://cutover.dev/schemas/plan-output.schema.json')!,
  status: ajv.compile(schema('status')),
};

export type OutputKind = keyof typeof validators;

/** Every key cutover chose (outside maps keyed by the user's column names) is snake_case. */
export function camelKeys(value: unknown, at = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => camelKeys(v, `${at}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [
    ...(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/.test(k) ? [] : [`${at}.${k}`]),
    ...(k === 'columns' && !Array.isArray(v) ? [] : camelKeys(v, `${at}.${k}`)),
  ]);
}

/** Fails unless `text` is one JSON document valid against schemas/KIND-output.schema.json, all snake_case. */
export function expectOutput<T>(kind: OutputKind, text: string): T {
  const document = JSON.parse(text) as unknown;
  const validate = validators[kind];
  validate(document);
  expect(validate.errors ?? [], `${kind} --json against schemas/${kind}-output.schema.json`).toEqual([]);
  expect(camelKeys(document), `${kind} --json keys that are not snake_case`).toEqual([]);
  return document as T;
}
