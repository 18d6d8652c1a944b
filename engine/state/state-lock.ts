// The state lock: a session-level advisory lock per migration, held by every mutating command for
// as long as it runs, so two applies never interleave. The holder is recorded beside it so the
// one who waits can be told who holds it and since when.
import os from 'node:os';
import type { QueryRunner } from '../db/query-runner.js';
import { quoteIdent } from '../db/sql-identifiers.js';
import { Failure } from '../failure.js';

export type LockKind = 'state' | 'mirror' | 'drain';

export interface LockHolder {
  holder: string;
  host: string;
  pid: number;
  backendPid: number;
  command: string;
  since: string;
}

export interface LockRequest {
  schema: string;
  migration: string;
  kind: LockKind;
  command: string;
  /** milliseconds to keep trying; 0 fails at once */
  timeoutMs: number;
  sleep?: (ms: number) => Promise<void>;
}

function keys(kind: LockKind, migration: string): [string, string] {
  return [`cutover:${kind}`, migration];
}

async function tryLock(db: QueryRunner, kind: LockKind, migration: string): Promise<boolean> {
  const [a, b] = keys(kind, migration);
  const { rows } = await db.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS ok', [a, b]);
  return rows[0]?.ok === true;
}

/** Who holds the lock: the backend from pg_locks, the person and command from lock_holders. */
export async function lockHolder(db: QueryRunner, schema: string, kind: LockKind, migration: string): Promise<LockHolder | null> {
  const [a, b] = keys(kind, migration);
  const { rows } = await db.query<{ pid: number; backend_start: Date; application_name: string; usename: string; client_addr: string | null }>(
    `SELECT a.pid, a.backend_start, a.application_name, a.usename, host(a.client_addr) AS client_addr
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted
        AND l.classid = hashtext($1)::oid AND l.objid = hashtext($2)::oid AND l.objsubid = 2`, [a, b]);
  const backend = rows[0];
  if (!backend) return null;
  const recorded = await db.query<{ holder: string; host: string; pid: number; backend_pid: number; command: string; since: Date }>(
    `SELECT * FROM ${quoteIdent(schema)}.lock_holders WHERE migration = $1 AND lock_kind = $2 AND backend_pid = $3`,
    [migration, kind, backend.pid]).catch(() => ({ rows: [] }));
  const r = recorded.rows[0];
  return r
    ? { holder: r.holder, host: r.host, pid: r.pid, backendPid: r.backend_pid, command: r.command, since: r.since.toISOString() }
    : { holder: backend.usename, host: backend.client_addr ?? 'local', pid: 0, backendPid: backend.pid, command: backend.application_name, since: backend.backend_start.toISOString() };
}

/** The holder of the state lock unless it is this command (whose lock session is `ownBackendPid`):
 * a plan made beside an apply. */
export async function otherStateHolder(db: QueryRunner, schema: string, migration: string, ownBackendPid: number): Promise<LockHolder | null> {
  const h = await lockHolder(db, schema, 'state', migration);
  return h && h.backendPid !== ownBackendPid && !(h.pid === process.pid && h.host === os.hostname()) ? h : null;
}

export function describeHolder(h: LockHolder): string {
  const process = h.pid ? `pid ${h.pid} on ${h.host}` : `backend ${h.backendPid} from ${h.host}`;
  return `${h.holder} (${h.command}, ${process}) since ${h.since}`;
}

/** Takes the lock on `db` (a session kept open by the caller) or fails naming the holder. */
export async function acquireLock(db: QueryRunner & { pid?: number }, req: LockRequest, backendPid: number): Promise<void> {
  const sleep = req.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const deadline = Date.now() + req.timeoutMs;
  while (!(await tryLock(db, req.kind, req.migration))) {
    if (Date.now() >= deadline) {
      const holder = await lockHolder(db, req.schema, req.kind, req.migration);
      throw new Failure(
        'state.locked',
        `Error acquiring the state lock: ${req.kind === 'state' ? 'migration' : `the ${req.kind} lock of migration`} ${req.migration} is held by ${holder ? describeHolder(holder) : 'another session'}`,
        req.timeoutMs ? `waited ${Math.round(req.timeoutMs / 1000)}s; try again when it is done` :
          'wait for it to finish, or pass --lock-timeout 30s to wait; if its process is gone, `cutover force-unlock PLAN` ends the stale session',
      );
    }
    await sleep(250);
  }
  await recordHolder(db, req, backendPid).catch(() => undefined); // before the state schema exists there is nowhere to record it
}

async function recordHolder(db: QueryRunner, req: LockRequest, backendPid: number): Promise<void> {
  const user = os.userInfo().username;
  await db.query(
    `INSERT INTO ${quoteIdent(req.schema)}.lock_holders (migration, lock_kind, holder, host, pid, backend_pid, command, since)
     VALUES ($1, $2, $3, $4, $5, $6, $7, now())
     ON CONFLICT (migration, lock_kind) DO UPDATE SET holder = excluded.holder, host = excluded.host, pid = excluded.pid,
       backend_pid = excluded.backend_pid, command = excluded.command, since = excluded.since`,
    [req.migration, req.kind, user, os.hostname(), process.pid, backendPid, req.command]);
}

/** A command's life under the lock: taken (or failed naming the holder), `fn` run, released
 * whatever happens, so no command can forget the release on one of its ways out. */
export async function withStateLock<T>(db: QueryRunner, req: LockRequest, backendPid: number, fn: () => Promise<T>): Promise<T> {
  await acquireLock(db, req, backendPid);
  try {
    return await fn();
  } finally {
    await releaseLock(db, req.kind, req.migration).catch(() => undefined);
  }
}

export async function releaseLock(db: QueryRunner, kind: LockKind, migration: string): Promise<void> {
  const [a, b] = keys(kind, migration);
  await db.query('SELECT pg_advisory_unlock(hashtext($1), hashtext($2))', [a, b]);
}

export { recordHolder };
