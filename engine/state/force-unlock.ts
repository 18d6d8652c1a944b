// force-unlock: end the database session still holding a migration's state lock after the
// process that took it is gone (killed, its machine lost), so the lock outlived it. The holder
// recorded beside the lock (pid, host, command, since) says which process to look for; a holder
// still running on this host is never ended from here.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { QueryRunner } from '../db/query-runner.js';
import { Failure } from '../failure.js';
import { describeHolder, lockHolder, type LockHolder } from './state-lock.js';
import { appendEvent } from './state-store.js';
import { planFingerprint } from '../plan/plan-fingerprint.js';
import type { Plan } from '../plan/types.js';

export type LockInspection =
  | { kind: 'free' }
  /** the holder's process is gone (`verified`), or cannot be looked for from here (`why` says why) */
  | { kind: 'stale'; holder: LockHolder; verified: boolean; why: string; backendState: string };

/** Whether a process of this host is running and is (still) a cutover: a pid taken over by
 * another program since counts as gone. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('cutover');
  } catch {
    return true; // no /proc: trust kill(0)
  }
}

async function backendState(db: QueryRunner, backendPid: number): Promise<string> {
  const { rows } = await db.query<{ state: string | null; wait: string | null }>(
    `SELECT state, wait_event_type AS wait FROM pg_stat_activity WHERE pid = $1`, [backendPid]);
  const r = rows[0];
  if (!r) return 'gone';
  return r.wait === 'Lock' ? `${r.state ?? 'unknown'}, waiting for a lock` : r.state ?? 'unknown';
}

export async function inspectStateLock(
  db: QueryRunner, schema: string, migration: string, alive: (pid: number) => boolean = processAlive,
): Promise<LockInspection> {
  const holder = await lockHolder(db, schema, 'state', migration);
  if (!holder) return { kind: 'free' };
  const state = await backendState(db, holder.backendPid);
  if (!holder.pid) {
    return { kind: 'stale', holder, verified: false, backendState: state, why: 'the holder did not record its process (not a cutover command, or one from before the state schema existed)' };
  }
  if (holder.host !== os.hostname()) {
    return { kind: 'stale', holder, verified: false, backendState: state, why: `its process (pid ${holder.pid}) runs on host ${holder.host}, where cutover cannot look` };
  }
  if (alive(holder.pid)) {
    throw new Failure('unlock.holder-running',
      `the state lock of migration ${migration} is held by ${describeHolder(holder)}, and that process is still running on this host; nothing was ended`,
      `wait for it to finish, or stop it yourself (pid ${holder.pid}); force-unlock only ends a lock whose process is gone`);
  }
  return { kind: 'stale', holder, verified: true, backendState: state, why: `its process (pid ${holder.pid} on this host) is gone` };
}

/** Ends the holding backend and waits until the lock is free. */
export async function endHolder(db: QueryRunner, schema: string, migration: string, holder: LockHolder, sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))): Promise<void> {
  const { rows } = await db.query<{ ok: boolean | null }>('SELECT pg_terminate_backend($1) AS ok', [holder.backendPid])
    .catch((e: Error) => { throw new Failure('unlock.not-permitted', `cannot end backend ${holder.backendPid}: ${e.message}`, 'run force-unlock as a role that may signal it (its own role, a member of pg_signal_backend, or a superuser)'); });
  if (rows[0]?.ok === false) {
    const still = await lockHolder(db, schema, 'state', migration);
    if (still?.backendPid === holder.backendPid) {
      throw new Failure('unlock.not-permitted', `backend ${holder.backendPid} could not be ended`, 'run force-unlock as a role that may signal it (its own role, a member of pg_signal_backend, or a superuser)');
    }
  }
  for (let i = 0; i < 100; i++) {
    const now = await lockHolder(db, schema, 'state', migration);
    if (now?.backendPid !== holder.backendPid) return;
    await sleep(100);
  }
  throw new Failure('unlock.still-held', `backend ${holder.backendPid} was asked to end but still holds the state lock after 10s`, 'run force-unlock again in a moment');
}

/** The event log entry; a busy event log never keeps the unlock waiting. */
export async function recordUnlock(db: QueryRunner, schema: string, plan: Plan, verified: boolean, holder: LockHolder): Promise<boolean> {
  try {
    await db.query('BEGIN');
    await db.query(`SET LOCAL lock_timeout = '2s'`);
    const at = (await db.query<{ now: Date }>('SELECT now()')).rows[0]!.now;
    await appendEvent(db, schema, plan.name,
      { kind: 'force-unlock', outcome: 'ok', detail: { holder: holder.holder, host: holder.host, pid: holder.pid, backend_pid: holder.backendPid, command: holder.command, since: holder.since, verified } },
      { at, actor: `${os.userInfo().username}@${os.hostname()}`, planFingerprint: planFingerprint(plan) });
    await db.query('COMMIT');
    return true;
  } catch {
    await db.query('ROLLBACK').catch(() => undefined);
    return false;
  }
}
