// `cutover rollback` asks a person to type the plan's name: a wrong name or Ctrl-C cancels (exit 1)
// and changes nothing; the right name goes ahead. Driven in a real terminal (a pseudo-terminal).
import { beforeAll, describe, expect, it } from 'vitest';
import { endToEndFile } from '../support/cutover-cli.js';
import { cutoverInTerminal } from '../support/terminal-cli.js';
import { cutover, expectExit, freshPair, shopPlanWithHook, sourceObjects, type Pair } from './support.js';

const folder = endToEndFile();
const PROMPT = /Plan name: /;

describe('cutover rollback asks for the plan name', () => {
  const name = 'shop-rb-typed';
  let pair: Pair;
  let planFile: string;

  beforeAll(async () => {
    pair = await freshPair();
    planFile = folder.write('typed.yaml', shopPlanWithHook({ name }));
    expectExit(await cutover(['apply', planFile, '--auto-approve'], pair.env), 0);
  }, 60_000);

  it('without a terminal and without --auto-approve it refuses, naming the flag', async () => {
    const r = await cutover(['rollback', planFile], pair.env);
    expectExit(r, 1);
    expect(r.stderr).toMatch(/^Error: there is no terminal to confirm on, so nothing was changed/m);
    expect(r.stderr).toContain('--auto-approve');
    expect((await sourceObjects(pair.source)).hasSchema).toBe(true);
  });

  it('a wrong name cancels (exit 1) and changes nothing', async () => {
    const r = await cutoverInTerminal(['rollback', planFile], pair.env, { after: PROMPT, keys: 'shop\r' });
    expect(r.status, r.stdout).toBe(1);
    expect(r.stdout).toContain(`Type the plan's name, ${name}, to confirm.`);
    expect(r.stdout).toContain('Rollback cancelled: nothing was changed.');
    expect(r.stdout).not.toContain('Destroying...');
    expect((await sourceObjects(pair.source)).triggers).toHaveLength(3);
  });

  it('Ctrl-C at the prompt cancels (exit 1) and changes nothing', async () => {
    const r = await cutoverInTerminal(['rollback', planFile], pair.env, { after: PROMPT, keys: '\u0003' });
    expect(r.status, r.stdout).toBe(1);
    expect(r.stdout).toContain('Rollback cancelled: nothing was changed.');
    expect((await sourceObjects(pair.source)).triggers).toHaveLength(3);
  });

  it('the right name rolls back (exit 0)', async () => {
    const r = await cutoverInTerminal(['rollback', planFile], pair.env, { after: PROMPT, keys: `${name}\r` });
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toContain(`Rollback complete! Migration ${name} is rolled_back.`);
    expect(await sourceObjects(pair.source)).toEqual({ eventTriggers: [], triggers: [], hasSchema: false, tables: [] });
  });
});
