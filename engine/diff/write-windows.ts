// Write outages the operator must agree to, with an honest estimate: pause mode keeps the source
// closed to writes from the lock until dual-run begins (the copy and parity run inside it); the
// write switch closes it while the mirror drains and the final compare runs.
import type { Phase, Plan } from '../plan/types.js';
import { reached } from '../phases/phase-order.js';
import type { WriteWindow } from './plan-result.js';
import { dataLockMode } from '../plan/defaults.js';
import { plural } from '../words.js';

/** What a rate was measured from, or assumed. */
export interface CopyRate {
  bytesPerSecond: number;
  basis: string;
}

/** Until a copy has run here, a conservative rate for streaming COPY between two servers. */
export const ASSUMED_RATE: CopyRate = { bytesPerSecond: 30 * 1024 * 1024, basis: 'assumed 30 MB/s until a copy has been measured' };

export function measuredRate(copies: { bytes: number; startedAt: string | null; finishedAt: string | null }[]): CopyRate {
  const done = copies.filter((c) => c.startedAt && c.finishedAt && c.bytes > 0);
  const bytes = done.reduce((n, c) => n + c.bytes, 0);
  const seconds = done.reduce((n, c) => n + (Date.parse(c.finishedAt!) - Date.parse(c.startedAt!)) / 1000, 0);
  if (bytes < 1024 * 1024 || seconds <= 0) return ASSUMED_RATE;
  return { bytesPerSecond: bytes / seconds, basis: `measured ${(bytes / seconds / 1024 / 1024).toFixed(1)} MB/s over ${plural(done.length, 'copied class', 'copied classes')}` };
}

function ahead(current: Phase | 'none' | 'rolled_back', phase: Phase): boolean {
  if (current === 'rolled_back') return false;
  return current === 'none' || !reached(current, phase);
}

export function writeWindows(plan: Plan, current: Phase | 'none' | 'rolled_back', sourceBytes: number, rate: CopyRate): WriteWindow[] {
  const windows: WriteWindow[] = [];
  const copySeconds = sourceBytes / rate.bytesPerSecond;
  if (dataLockMode(plan) === 'pause' && ahead(current, 'dual_run')) {
    windows.push({
      phase: 'locked',
      reason: 'pause mode: the source takes no writes from the lock until dual-run lifts the data lock (copy and parity run inside it)',
      estimatedSeconds: Math.ceil(copySeconds * 1.5),
      basis: `${(sourceBytes / 1024 / 1024).toFixed(1)} MB of class tables copied, then checked (about half the copy time); ${rate.basis}`,
    });
  }
  if (reached(plan.target, 'writes_switched') && ahead(current, 'writes_switched')) {
    windows.push({
      phase: 'writes_switched',
      reason: 'the write switch: the source is read-only while the mirror drains, the final compare runs and sequences advance',
      estimatedSeconds: Math.ceil(10 + copySeconds * 0.1),
      basis: `a drain of a caught-up mirror plus a final compare of ${(sourceBytes / 1024 / 1024).toFixed(1)} MB; ${rate.basis}`,
    });
  }
  return windows;
}
