// Event triggers cannot see a new integration that only connects (an ETL job, a BI tool), so every
// plan compares the source's client sessions with those seen when it was locked.
import type { QueryRunner } from '../db/query-runner.js';
import type { Finding } from '../diff/plan-result.js';
import { APPLICATION_NAME } from '../db/session-settings.js';

/** `role / application / client` of every client session on the source database except cutover's. */
export async function sourceConnections(db: QueryRunner): Promise<string[]> {
  const { rows } = await db.query<{ who: string }>(
    `SELECT DISTINCT usename || ' / ' || coalesce(nullif(application_name, ''), '(no application_name)') || ' / ' ||
            coalesce(host(client_addr), 'local socket') AS who
       FROM pg_stat_activity
      WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()
        AND application_name NOT LIKE $1
      ORDER BY 1`, [`${APPLICATION_NAME}%`]);
  return rows.map((r) => r.who);
}

/** The sessions of `now` not in the lock's baseline (none before the lock recorded one). */
export function unseenConnections(baseline: string[] | null | undefined, now: string[]): string[] {
  if (!baseline) return [];
  const known = new Set(baseline);
  return now.filter((c) => !known.has(c));
}

export function newConnections(baseline: string[] | null | undefined, now: string[]): Finding[] {
  return unseenConnections(baseline, now).map((c) => ({
    class: '',
    kind: 'new-connection',
    severity: 'warning' as const,
    message: `a client not seen when the source was locked is connected (role / application / client: ${c}): a possible new integration — add it to custom_code as \`external …\` if it reads or writes data`,
  }));
}
