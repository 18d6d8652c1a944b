// A plan hook run as one step of apply: the CUTOVER_* variables, its output shown as it comes and
// kept in the event log, its exit status checked. A failing hook is a Failure that stops the step
// before anything after it runs, so the phase stays where it was.
import path from 'node:path';
import { Failure } from '../failure.js';
import { scrubText } from '../secrets.js';
import type { Hook, Plan } from '../plan/types.js';
import type { EventRecord } from '../state/state-store.js';
import type { HookRunner } from './run-hook.js';
import type { OnApplyEvent } from '../events.js';

export interface PlanHookContext {
  plan: Plan;
  /** the plan file: its folder is where the hook runs */
  planFile: string;
  /** the phase the migration is at, and the one this hook's step reaches */
  from: string;
  phase: string;
  rehearsal: boolean;
  runner: HookRunner;
  onEvent: OnApplyEvent;
  record(e: EventRecord): Promise<void>;
}

/** The variables a hook sees; documented in the README. */
function hookVariables(c: PlanHookContext): Record<string, string> {
  return {
    CUTOVER_PLAN: c.plan.name,
    CUTOVER_PLAN_FILE: path.resolve(c.planFile),
    CUTOVER_PHASE: c.phase,
    CUTOVER_FROM: c.from,
    CUTOVER_TO: c.plan.target,
    CUTOVER_REHEARSAL: c.rehearsal ? '1' : '0',
  };
}

export async function runPlanHook(name: string, hook: Hook, c: PlanHookContext): Promise<void> {
  const address = `hook.${name}`;
  c.onEvent({ kind: 'hook.started', address, run: scrubText(hook.run) });
  const result = await c.runner({
    name, hook, cwd: path.dirname(path.resolve(c.planFile)), variables: hookVariables(c),
    onLine: (line) => c.onEvent({ kind: 'hook.output', address, line: scrubText(line) }),
  });
  const ok = result.status === 0;
  await c.record({ kind: 'hook', address, outcome: ok ? 'ok' : 'failed', detail: { run: hook.run, status: result.status, timed_out: result.timedOut, output: result.output } });
  if (ok) return;
  const how = result.timedOut ? 'did not finish in time and was stopped' : result.status === null ? 'was ended by a signal' : `exited with status ${result.status}`;
  throw new Failure('hook.failed', `the go_live.${name} hook \`${scrubText(hook.run)}\` ${how}, so nothing after it ran and the migration stays at ${c.from}`,
    'its output is above and in the event log (`cutover status`); fix the hook and run the same command again');
}
