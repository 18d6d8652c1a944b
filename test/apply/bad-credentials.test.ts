// Bad credentials: `apply` exits 1 with one clear line (and a hint), never the password, and
// neither database is touched.
import { beforeAll, describe, expect, it } from 'vitest';
import { withClient } from '../support/databases.js';
import { endToEndFile } from '../support/cutover-cli.js';
import { cutover, expectExit, expectNoSecrets, freshPair, shopPlan, sourceObjects, userSchemas, type Pair } from './support.js';

const folder = endToEndFile();

const WRONG = 'not-the-password-9f3k2';

function withPassword(url: string, password: string): string {
  const u = new URL(url);
  u.password = password;
  return u.toString();
}

/** What the two databases hold that apply could have changed. */
async function snapshot(pair: Pair): Promise<unknown> {
  const count = (url: string) => withClient(url, async (c) => (await c.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_class WHERE relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace) AND relnamespace::regnamespace::text NOT LIKE 'pg\\_%'`)).rows[0]!.n);
  return {
    source: await sourceObjects(pair.source),
    sourceSchemas: await userSchemas(pair.source),
    destinationSchemas: await userSchemas(pair.destination),
    sourceRelations: await count(pair.source),
    destinationRelations: await count(pair.destination),
  };
}

describe('bad credentials', () => {
  let pair: Pair;
  let planFile: string;
  let before: unknown;

  beforeAll(async () => {
    pair = await freshPair();
    planFile = folder.write('creds.yaml', shopPlan({ name: 'shop-creds' }));
    before = await snapshot(pair);
  });

  for (const side of ['destination', 'source'] as const) {
    it(`on the ${side}: exit 1, one line naming the ${side} and the cause, nothing changed in either database`, async () => {
      const env = side === 'destination'
        ? { SRC_URL: pair.source, DST_URL: withPassword(pair.destination, WRONG) }
        : { SRC_URL: withPassword(pair.source, WRONG), DST_URL: pair.destination };
      const r = await cutover(['apply', planFile, '--auto-approve'], env);
      expectExit(r, 1);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines[0]).toMatch(new RegExp(`^Error: cannot connect to the ${side} database at \\S+:\\d+/\\S+: password authentication failed$`));
      expect(lines.slice(1).every((l) => l.startsWith('  hint: ')), r.stderr).toBe(true);
      expect(lines.length).toBeLessThanOrEqual(2);
      expectNoSecrets(r.stdout + r.stderr, [WRONG]);
      expect(await snapshot(pair)).toEqual(before);
    });
  }
});
