// The event log keeps what went wrong in the words of whatever failed (a libpq error, a hook's
// output), and those words can quote a connection URL with its password: the engine hides it on
// the way in, so the row itself never holds it, whoever reads the table later.
import { afterAll, describe, expect, it } from 'vitest';
import { appendEvent, ensureMigration, ensureStateSchema, eventTail } from '../../engine/state/state-store.js';
import { dropFreshDatabases, freshDatabase, withClient } from '../support/databases.js';

afterAll(dropFreshDatabases);

const URL_WITH_PASSWORD = 'postgresql://app_owner:Tr0ub4dor-3@db.internal:5432/shop';
const LIBPQ_PASSWORD = "password='c0rrect horse'";

describe('appendEvent', () => {
  it('stores an event detail quoting a connection URL and a libpq password with both hidden', async () => {
    const url = await freshDatabase('destination', 'event_secrets');
    await withClient(url, async (db) => {
      await ensureStateSchema(db, 'cutover_state');
      await ensureMigration(db, 'cutover_state', 'shop', 'real');
      await appendEvent(db, 'cutover_state', 'shop', {
        kind: 'change', address: 'class.orders.copy', outcome: 'failed',
        detail: {
          actions: ['create'],
          error: `connection to ${URL_WITH_PASSWORD} failed: FATAL: password authentication failed`,
          output: [`retrying with host=db.internal ${LIBPQ_PASSWORD}`],
        },
      }, { at: new Date('2026-01-02T03:04:05Z'), actor: 'ops@host', planFingerprint: 'f'.repeat(64) });

      const { rows } = await db.query<{ row: string }>(`SELECT row_to_json(e)::text AS row FROM cutover_state.events e`);
      expect(rows).toHaveLength(1);
      const stored = rows[0]!.row;
      for (const secret of ['Tr0ub4dor-3', 'app_owner', 'db.internal:5432', 'c0rrect horse']) {
        expect(stored.includes(secret), `${secret} is stored in ${stored}`).toBe(false);
      }

      const [event] = await eventTail(db, 'cutover_state', 'shop', 1);
      expect(event!.detail).toEqual({
        actions: ['create'],
        error: 'connection to (connection string hidden) failed: FATAL: password authentication failed',
        output: ['retrying with host=db.internal password=(hidden)'],
      });
    });
  });
});
