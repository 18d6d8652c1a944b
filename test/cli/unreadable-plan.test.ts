// Every command that takes a plan answers an unreadable one with one line naming it, never a
// stack trace or an "internal error".
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { assertBuilt, runCli, STACK_TRACE } from '../support/run-cli.js';

assertBuilt();

describe('a plan file that cannot be read', () => {
  const cases: [string, string[]][] = [
    ['plan', ['plan']],
    ['apply', ['apply', '--auto-approve']],
    ['status', ['status']],
    ['exception apply', ['exception', 'apply']],
  ];

  it.each(cases)('%s: a missing file is one error naming it, exit 1', async (_, args) => {
    const file = `${os.tmpdir()}/cutover-no-such-plan.yaml`;
    const result = await runCli([...args, file, ...(args[0] === 'exception' ? ['CHG-1'] : [])]);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`Error: no plan file at ${file}`);
    expect(result.stderr).not.toMatch(/internal error/);
    expect(result.stderr).not.toMatch(STACK_TRACE);
  });

  it('apply: a folder is one error saying so, exit 1', async () => {
    const result = await runCli(['apply', os.tmpdir(), '--auto-approve']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('is a folder, not a plan file');
    expect(result.stderr).not.toMatch(/internal error/);
  });
});
