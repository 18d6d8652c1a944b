// Helpers for the rollback tests: the shop migration with an optional go_live.rollback hook, and
// what a rollback must leave behind on the source (everything as before the first apply).
import { chmodSync } from 'node:fs';
import { databaseSnapshot, withClient } from '../support/databases.js';
import type { PlanFolder } from '../support/plan-folder.js';
import { shopPlan, type PlanOptions } from '../apply/support.js';

export * from '../apply/support.js';

/** The shop plan, with `go_live.rollback` running `hook` when given. */
export function shopPlanWithHook(o: PlanOptions & { hook?: string }): string {
  const hook = o.hook ? `go_live:\n  tail_window: 48h\n  max_lag: 5s\n  rollback_window: 7d\n  switch_reads: { run: ./switch-reads.sh }\n  switch_writes: { run: ./switch-writes.sh }\n  rollback: { run: ${o.hook} }\n` : '';
  return `${shopPlan(o)}${hook}`;
}

/**
 * An executable hook script in the plan folder: it records its CUTOVER_* variables and working
 * folder (one line each, appended to `record`), says something on stdout, and fails with status 4
 * while a file `fail-<record>` exists beside it.
 */
export function writeHook(folder: PlanFolder, name: string, record: string): string {
  const file = folder.write(name, `#!/bin/sh
if [ -f "fail-${record}" ]; then echo "the app rollback failed: load balancer unreachable" >&2; exit 4; fi
echo "plan=$CUTOVER_PLAN phase=$CUTOVER_PHASE from=$CUTOVER_FROM to=$CUTOVER_TO rehearsal=$CUTOVER_REHEARSAL cwd=$(pwd)" >> "${record}"
echo "switched the app back to the source"
`);
  chmodSync(file, 0o755);
  return `./${name}`;
}

/** The source's catalog and data, to compare before the first apply and after a rollback. */
export function sourceSnapshot(url: string): Promise<unknown> {
  return withClient(url, databaseSnapshot);
}

/** Runs `sql` on the source, as an application would; resolves to the error message, or null when it succeeded. */
export async function tryOnSource(url: string, sql: string): Promise<string | null> {
  return withClient(url, async (c) => {
    try {
      await c.query(sql);
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  });
}
