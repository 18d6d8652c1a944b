// State written by a newer cutover is refused as a user-facing failure, before anything is written.
import { describe, expect, it } from 'vitest';
import type { QueryRunner } from '../../engine/db/query-runner.js';
import { isFailure } from '../../engine/failure.js';
import { STATE_VERSION } from '../../engine/state/migrations.js';
import { ensureStateSchema } from '../../engine/state/state-store.js';

describe('ensureStateSchema', () => {
  it('refuses a state schema newer than this cutover with state.newer and a hint', async () => {
    const statements: string[] = [];
    const db: QueryRunner = {
      async query<R>(text: string) {
        statements.push(text);
        if (text.includes('to_regclass')) return { rows: [{ present: true }] as R[] };
        if (text.includes('max(version)')) return { rows: [{ version: STATE_VERSION + 1 }] as R[] };
        return { rows: [] as R[] };
      },
    };
    const error = await ensureStateSchema(db, 'cutover_state').catch((e: unknown) => e);
    expect(isFailure(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'state.newer',
      message: `state schema cutover_state is at version ${STATE_VERSION + 1}, newer than this cutover understands (${STATE_VERSION})`,
    });
    expect((error as { hint?: string }).hint).toBeTruthy();
    expect(statements.at(-1)).toBe('ROLLBACK');
    expect(statements.some((s) => s.startsWith('INSERT'))).toBe(false);
  });
});
