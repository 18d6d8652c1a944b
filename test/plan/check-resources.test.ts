// A real 5-class plan heading for round_tripped: each class's copy mapping is printed once, under
// class.X.copy, and its parity check points at it (`copy = (class.X.copy)`), so the human and
// Markdown outputs stay short; --json keeps every resource's attributes whole.
import { beforeAll, describe, expect, it } from 'vitest';
import { freshPair } from '../support/databases.js';
import { endToEndFile } from '../support/cutover-cli.js';
import { planHead } from '../support/plan-folder.js';
import type { CliResult } from '../support/run-cli.js';
import { expectExit, planDocument, runPlan, type PlanDocument } from './support.js';

const names = ['alpha', 'bravo', 'charlie', 'delta', 'echo'];
const COLUMNS = ['id', 'label', 'amount', 'note', 'code', 'created_at'];

const tables = (schema: string) => names.map((n) =>
  `CREATE TABLE ${schema}.${n} (id int PRIMARY KEY, label text NOT NULL, amount numeric(10,2), note text, code text, created_at timestamptz);`).join('\n');

const PLAN = `${planHead({ name: 'five-classes', target: 'round_tripped' })}lock: { schema: detect, integrations: detect, data: { mode: pause } }
classes:
${names.map((n) => `  ${n}:
    source: { table: ${n}, key: [id] }
    destination: { table: app.${n}, key: [id] }
    columns: { ${COLUMNS.map((c) => `${c}: ${c}`).join(', ')} }
    reverse: { ${COLUMNS.map((c) => `${c}: ${c}`).join(', ')} }
`).join('')}`;

const folder = endToEndFile();
let human: CliResult;
let markdown: CliResult;
let document: PlanDocument;

beforeAll(async () => {
  const { env } = await freshPair(tables('public'), `CREATE SCHEMA app; ${tables('app')}`, 'planchecks');
  const file = folder.write('plan.yaml', PLAN);
  const json = await runPlan(file, ['--json'], env);
  [human, markdown] = await Promise.all([runPlan(file, [], env), runPlan(file, ['--format', 'markdown'], env)]);
  expectExit(json, 0);
  document = planDocument(json);
}, 60_000);

describe('plan output of check resources', () => {
  it('prints each class\'s copy mapping once and points its parity at it', () => {
    expectExit(human, 0);
    for (const n of names) {
      expect(human.stdout.split(`"app.${n}"`).length - 1, `app.${n} in\n${human.stdout}`).toBe(1);
      expect(markdown.stdout.split(`"app.${n}"`).length - 1).toBe(1);
      expect(human.stdout).toMatch(new RegExp(`resource "class\\.${n}\\.parity" \\{\\n +\\+ copy +=  ?\\(class\\.${n}\\.copy\\)\\n`));
    }
  });

  it('stays short: about one copy block per class', () => {
    const copyBlock = (n: string) => {
      const from = human.stdout.indexOf(`  # class.${n}.copy will be created`);
      return human.stdout.slice(from, human.stdout.indexOf('\n    }\n', from)).split('\n').length + 1;
    };
    const copies = names.reduce((sum, n) => sum + copyBlock(n), 0);
    // the lock's resources, the gates, write windows and the summary take well under 80 lines
    expect(human.stdout.split('\n').length).toBeLessThan(copies + names.length * 10 + 80);
  });

  it('--json keeps each check\'s whole copy mapping', () => {
    for (const n of names) {
      const parity = document.resource_changes.find((c) => c.address === `class.${n}.parity`);
      const copy = document.resource_changes.find((c) => c.address === `class.${n}.copy`);
      expect(parity?.after?.copy).toEqual(copy?.after);
    }
  });
});
