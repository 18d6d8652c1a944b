// The example plans run as shipped: each comes with the SQL that creates its source and
// destination, and `cutover plan` against databases made from that SQL finds every table it names.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dropFreshDatabases, freshPair } from '../support/databases.js';
import { assertBuilt, ROOT, runCli } from '../support/run-cli.js';

const EXAMPLES = path.join(ROOT, 'plans', 'examples');

function sql(file: string): string {
  return readFileSync(path.join(EXAMPLES, file), 'utf8');
}

afterAll(dropFreshDatabases);

describe.each(['shop', 'crm'])('plans/examples/%s.yaml', (example) => {
  it('plans cleanly against databases made from its own SQL files', async () => {
    assertBuilt();
    const pair = await freshPair(sql(`${example}.source.sql`), sql(`${example}.destination.sql`), `ex_${example}`);
    const env = { SOURCE_DATABASE_URL: pair.source, DESTINATION_DATABASE_URL: pair.destination };
    const file = path.join('plans', 'examples', `${example}.yaml`);

    const validated = await runCli(['validate', file, '--no-color'], { env, cwd: ROOT });
    expect(validated.stderr + validated.stdout).not.toMatch(/error/i);
    expect(validated.status).toBe(0);

    const planned = await runCli(['plan', file, '--no-color'], { env, cwd: ROOT, timeoutMs: 120_000 });
    expect(planned.stderr).not.toMatch(/Error:/);
    expect(planned.stdout).not.toMatch(/does not exist|missing|not found/i);
    expect(planned.stdout).not.toMatch(/^\s*error\s/m); // no preflight finding of severity error
    expect(planned.status).not.toBe(1);
  }, 180_000);
});
