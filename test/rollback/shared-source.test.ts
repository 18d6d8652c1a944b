// Two migrations locking the same source share cutover's schema there. Rolling one back removes
// its own locks only: the other's stay and hold, and the shared schema stays until the last one goes.
import { describe, expect, it } from 'vitest';
import { endToEndFile } from '../support/cutover-cli.js';
import { cutover, expectExit, freshPair, objectNames, shopPlanWithHook, sourceObjects, sourceSnapshot, tryOnSource } from './support.js';

const folder = endToEndFile();

describe('rolling back one of two migrations on one source', () => {
  it('leaves the other one locked, and the schema, until it is rolled back too', async () => {
    const pair = await freshPair();
    const before = await sourceSnapshot(pair.source);
    const first = folder.write('first.yaml', shopPlanWithHook({ name: 'shop-first' }));
    const second = folder.write('second.yaml', shopPlanWithHook({ name: 'shop-second' }));
    expectExit(await cutover(['apply', first, '--auto-approve'], pair.env), 0);
    expectExit(await cutover(['apply', second, '--auto-approve'], pair.env), 0);

    const r = await cutover(['rollback', first, '--auto-approve'], pair.env);
    expectExit(r, 0);
    expect(r.stdout).toContain('schema cutover stays on the source: it still holds');
    const left = await sourceObjects(pair.source);
    expect(left.hasSchema).toBe(true);
    const names = objectNames('shop-second');
    expect(left.triggers).toEqual([`customers:${names.dataLock}`, `order_lines:${names.dataLock}`, `orders:${names.dataLock}`]);
    expect(left.eventTriggers).toEqual([names.integrationLock, names.schemaDrop, names.schemaLock].sort());
    expect(await tryOnSource(pair.source, `INSERT INTO customers VALUES (3, 'cy@example.com', 'Cy')`)).toMatch(/locked \(pause\) by migration shop-second/);

    expectExit(await cutover(['rollback', second, '--auto-approve'], pair.env), 0);
    expect(await sourceSnapshot(pair.source)).toEqual(before);
  }, 120_000);
});
