// State written by a newer cutover is refused as a user-facing failure, before anything is written.
import { afterAll, describe, expect, it } from 'vitest';
import { isFailure } from '../../engine/failure.js';
import { STATE_VERSION } from '../../engine/state/migrations.js';
import { ensureStateSchema } from '../../engine/state/state-store.js';
import { dropFreshDatabases, freshDatabase, withClient } from '../support/databases.js';

afterAll(dropFreshDatabases);

describe('ensureStateSchema', () => {
  it('refuses a state schema newer than this cutover with state.newer and a hint, and writes nothing', async () => {
    const url = await freshDatabase('destination', 'state_newer');
    await withClient(url, async (db) => {
      await ensureStateSchema(db, 'cutover_state');
      await db.query('INSERT INTO cutover_state.state_version (version) VALUES ($1)', [STATE_VERSION + 1]);
      const tables = async () => (await db.query(`SELECT count(*)::int AS n FROM pg_catalog.pg_tables WHERE schemaname = 'cutover_state'`)).rows[0].n as number;
      const before = await tables();
      const error = await ensureStateSchema(db, 'cutover_state').catch((e: unknown) => e);
      expect(isFailure(error)).toBe(true);
      expect(error).toMatchObject({
        code: 'state.newer',
        message: `state schema cutover_state is at version ${STATE_VERSION + 1}, newer than this cutover understands (${STATE_VERSION})`,
      });
      expect((error as { hint?: string }).hint).toBeTruthy();
      expect(await tables()).toBe(before);
      const { rows } = await db.query('SELECT max(version)::int AS v FROM cutover_state.state_version');
      expect(rows[0].v).toBe(STATE_VERSION + 1);
    });
  });
});
