// `cutover mirror --retry-rejected`: every open parked change tried again, after the plan, the
// destination or the source data was fixed. In the snapshot the destination was just drained to,
// each parked key's row is read as it is now (a key's later changes waited behind it, so this is
// the one write that brings it up to date) and applied under its own savepoint: applied, the
// parked change is resolved as retried; refused again, it stays open with the new error.
import type { DrainedSnapshot } from '../apply/round-trip.js';
import { applyKeys } from '../capture/apply-keys.js';
import { recordWrite } from '../state/written-rows.js';
import { listParked, markRetried } from '../state/parked-changes.js';

export interface RetryOutcome {
  retried: number;
  applied: number;
  /** still refused, with the latest error */
  refused: { class: string; key: unknown[]; message: string }[];
}

export async function retryParked(s: DrainedSnapshot, schema: string, migration: string, at: Date): Promise<RetryOutcome> {
  const open = await listParked(s.destination, schema, migration);
  const outcome: RetryOutcome = { retried: open.length, applied: 0, refused: [] };
  if (open.length === 0) return outcome;
  const dest = s.destination;
  await dest.query('BEGIN');
  try {
    for (const c of s.classes) {
      const parked = open.filter((p) => p.class === c.name);
      if (parked.length === 0) continue;
      // one key at a time: each parked change is resolved or kept on its own
      for (const p of parked) {
        const [refused] = await applyKeys(s.source, { db: dest, schema, migration }, c, [p.key], 1);
        await markRetried(dest, schema, migration, p.id, at, refused ? { applied: false, sqlstate: refused.sqlstate, message: refused.message } : { applied: true });
        if (refused) outcome.refused.push({ class: c.name, key: p.key, message: refused.message });
        else outcome.applied++;
      }
      await recordWrite(dest, schema, migration, c.name);
    }
    await dest.query('COMMIT');
  } catch (e) {
    await dest.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
  return outcome;
}
