// A plan with a very long list (150,000 source schemas, or 150,000 ignored tables) is validated
// like any other: no stack overflow (`internal error: Maximum call stack size exceeded` before),
// and a mistake after the list is still reported at its line and column.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlanFolder } from '../support/plan-folder.js';
import { assertBuilt, runCli, STACK_TRACE } from '../support/run-cli.js';

const ITEMS = 150_000;
const folder = new PlanFolder('cutover-long-lists-');
beforeAll(() => assertBuilt());
afterAll(() => folder.remove());

/** A plan whose `extra` lines come before its classes, which end with an unknown key `bogus`. */
function planWith(sourceSchemas: string[], ignore: string[]): { text: string; bogusLine: number } {
  const lines = ['version: 1', 'name: long-lists', 'target: locked', 'source:', '  url: embedded:src', '  schemas:', ...sourceSchemas,
    'destination:', '  url: embedded:dst', ...ignore, 'classes:', '  customers:',
    '    source: { table: customer, key: [id] }', '    destination: { table: app.customers, key: [id] }',
    '    columns: { id: id }', '    reverse: { id: id }', '    bogus: 1'];
  return { text: `${lines.join('\n')}\n`, bogusLine: lines.length };
}

async function expectPositioned(file: string, bogusLine: number): Promise<void> {
  const r = await runCli(['validate', file], { timeoutMs: 120_000 });
  expect(r.stderr).not.toContain('internal error');
  expect(r.stderr).not.toMatch(STACK_TRACE);
  expect(r.status, r.stderr.slice(0, 2000)).toBe(1);
  expect(r.stderr).toMatch(new RegExp(`:${bogusLine}:5: error: unknown key \`bogus\` in \`classes\\.customers\``));
  expect(r.stderr).toMatch(/✗ .*: 1 error\n$/);
}

describe('a 150,000-item YAML list', () => {
  it('in source.schemas: validated, the error after it positioned', async () => {
    const { text, bogusLine } = planWith(Array.from({ length: ITEMS }, (_, i) => `    - s${i}`), []);
    await expectPositioned(folder.write('schemas.yaml', text), bogusLine);
  }, 120_000);

  it('in ignore: validated, the error after it positioned', async () => {
    const ignore = ['ignore:', ...Array.from({ length: ITEMS }, (_, i) => `  - { table: t${i}, reason: retired in 2019 }`)];
    const { text, bogusLine } = planWith(['    - public'], ignore);
    await expectPositioned(folder.write('ignore.yaml', text), bogusLine);
  }, 120_000);
});
