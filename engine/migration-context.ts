// Everything a command needs to work on one migration: the valid plan, a session to each side,
// the clock. Opened once per command and closed when it ends.
import { makeClock, type Clock } from './clock.js';
import { connect, type Session } from './db/connect.js';
import { settleAll } from './db/snapshot.js';
import type { ValidPlan } from './load/valid-plan.js';
import { planFingerprint } from './plan/plan-fingerprint.js';
import type { Plan } from './plan/types.js';
import { readState } from './state/state-store.js';
import { stateSchema } from './plan/defaults.js';

export interface MigrationContext {
  valid: ValidPlan;
  plan: Plan;
  planFingerprint: string;
  source: Session;
  destination: Session;
  clock: Clock;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** `plan`, `apply`, …: shows in application_name so operators can tell cutover's sessions apart */
  purpose: string;
  nowText?: string;
  resolveEmbedded?: (url: string) => Promise<string>;
}

export async function openMigration(valid: ValidPlan, options: OpenOptions): Promise<MigrationContext> {
  const { plan } = valid;
  const connectOptions = { purpose: options.purpose, resolveEmbedded: options.resolveEmbedded };
  const source = await connect({ side: 'source', url: plan.source.url }, { ...connectOptions, readOnly: true });
  let destination: Session;
  try {
    destination = await connect({ side: 'destination', url: plan.destination.url }, connectOptions);
  } catch (e) {
    await source.close();
    throw e;
  }
  const close = async () => {
    await settleAll([source.close(), destination.close()]);
  };
  try {
    const state = await readState(destination.client, stateSchema(plan), plan.name);
    const clock = makeClock(plan, destination.client, options.nowText, state.migration?.clockKind);
    return { valid, plan, planFingerprint: planFingerprint(plan), source, destination, clock, close };
  } catch (e) {
    await close();
    throw e;
  }
}
