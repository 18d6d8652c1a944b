// Installing cutover's objects takes table locks. With a short lock_timeout and retries, a busy
// table makes cutover wait and try again rather than making application writes queue behind it.
import type { QueryRunner } from './query-runner.js';

export interface DdlOptions {
  lockTimeoutMs?: number;
  attempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

const LOCK_NOT_AVAILABLE = '55P03';

export async function runDdl(db: QueryRunner, statements: string[], options: DdlOptions = {}): Promise<void> {
  const attempts = options.attempts ?? 60;
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      await db.query('BEGIN');
      await db.query(`SET LOCAL lock_timeout = '${options.lockTimeoutMs ?? 200}ms'`);
      for (const s of statements) await db.query(s);
      await db.query('COMMIT');
      return;
    } catch (e) {
      await db.query('ROLLBACK').catch(() => undefined);
      if ((e as { code?: string }).code !== LOCK_NOT_AVAILABLE || attempt >= attempts) throw e;
      await sleep(Math.min(1000, 50 * attempt));
    }
  }
}
