// Rows cutover did not write are counted in a class's destination table as every other read of a
// class's table reads it (tableFromItem): a partitioned table with its partitions, an inheritance
// parent without its children (their rows are another table's, never the class's).
import { afterAll, describe, expect, it } from 'vitest';
import { findTable } from '../../engine/introspect/catalog.js';
import { introspect } from '../../engine/introspect/introspect.js';
import { ensureStateSchema } from '../../engine/state/state-store.js';
import { foreignRows, observeClassTables } from '../../engine/state/written-rows.js';
import { dropFreshDatabases, freshDatabase, withClient } from '../support/databases.js';

afterAll(dropFreshDatabases);

describe('rows cutover did not write in a destination table', () => {
  it('are counted in an inheritance parent alone and in a partitioned table with its partitions', async () => {
    const url = await freshDatabase('destination', 'foreign_rows');
    await withClient(url, async (db) => {
      await db.query(`CREATE SCHEMA app;
        CREATE TABLE app.parent (id int PRIMARY KEY);
        CREATE TABLE app.child () INHERITS (app.parent);
        INSERT INTO app.parent VALUES (1);
        INSERT INTO app.child VALUES (7), (8);
        CREATE TABLE app.ledger (id int PRIMARY KEY) PARTITION BY RANGE (id);
        CREATE TABLE app.ledger_low PARTITION OF app.ledger FOR VALUES FROM (0) TO (100);
        CREATE TABLE app.ledger_high PARTITION OF app.ledger FOR VALUES FROM (100) TO (200);
        INSERT INTO app.ledger VALUES (5), (150);`);
      await ensureStateSchema(db, 'cutover_state');
      const catalog = await introspect(db, ['app']);
      const parent = findTable(catalog, 'app.parent')!;
      const ledger = findTable(catalog, 'app.ledger')!;
      const of = (cls: string, table: typeof parent) => ({ schema: 'cutover_state', migration: 'shop', cls, table, key: ['id'] });

      expect(await foreignRows(db, of('parents', parent))).toEqual({ rows: 1, foreign: 1, sampleKeys: [[1]] });
      expect(await foreignRows(db, of('ledger', ledger))).toEqual({ rows: 2, foreign: 2, sampleKeys: [[5], [150]] });
      expect(await observeClassTables(db, 'cutover_state', 'shop', [{ cls: 'parents', table: parent }, { cls: 'ledger', table: ledger }]))
        .toEqual(new Map([['parents', { rows: 1, foreign: 1 }], ['ledger', { rows: 2, foreign: 2 }]]));
    });
  });
});
