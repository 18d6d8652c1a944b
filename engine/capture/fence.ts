// The write switch's fence: a row written into the capture log after the source went read-only.
// A drain whose snapshot sees the fence's transaction has applied every change committed before
// it, so "drained" is proven by the position, not inferred from a lag figure. The fence belongs to
// no class: drains pass over it, and it is removed once seen.
import type { QueryRunner } from '../db/query-runner.js';
import { captureLogTable } from './capture-objects.js';

export interface Fence {
  id: string;
  xid: string;
}

export async function writeFence(writer: QueryRunner, schema: string, migration: string): Promise<Fence> {
  const { rows } = await writer.query<Fence>(
    `INSERT INTO ${captureLogTable(schema, migration)} (class, op, key) VALUES ('', 'F', '[]') RETURNING id::text, xid::text`);
  return rows[0]!;
}

/** Whether a drain to `snapshot` covered the fence's transaction. */
export async function fenceCovered(db: QueryRunner, fence: Fence, snapshot: string): Promise<boolean> {
  const { rows } = await db.query<{ seen: boolean }>('SELECT pg_visible_in_snapshot($1::xid8, $2::pg_snapshot) AS seen', [fence.xid, snapshot]);
  return rows[0]?.seen === true;
}

export async function removeFence(writer: QueryRunner, schema: string, migration: string, fence: Fence): Promise<void> {
  await writer.query(`DELETE FROM ${captureLogTable(schema, migration)} WHERE id = $1`, [fence.id]);
}
