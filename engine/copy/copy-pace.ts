// How fast a copy goes and how long it has left. Only this run's rows count: rows a killed run
// copied came at no cost now, so a resumed copy does not claim them in its rate or its ETA.
import type { CopyProgressEvent } from './copy-class.js';

export interface CopyPace {
  /** rows per second copied by this run */
  rate: number;
  /** seconds left at that rate, while the copy runs and the estimate is ahead of it */
  etaSeconds?: number;
}

export function copyPace(e: CopyProgressEvent): CopyPace {
  const seconds = Math.max(e.elapsedMs / 1000, 0.001);
  const rate = Math.max(0, e.rows - e.resumedRows) / seconds;
  const eta = !e.done && rate > 0 && e.estimate > e.rows ? (e.estimate - e.rows) / rate : undefined;
  return eta === undefined ? { rate } : { rate, etaSeconds: eta };
}
