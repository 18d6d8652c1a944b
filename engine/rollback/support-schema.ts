// cutover's schema on the source may be shared by several migrations (the default name is the
// same for all). Rolling one back removes the schema only when nothing else still uses it.
import type { QueryRunner } from '../db/query-runner.js';

/** What in `schema` is not the support objects every migration shares: triggers and event
 * triggers calling its functions (another migration's locks and capture), and tables other than
 * the backend registry and cutover's capture tables. Empty when the schema can go. */
export async function otherUsers(db: QueryRunner, schema: string): Promise<string[]> {
  const { rows } = await db.query<{ what: string }>(
    `SELECT format('trigger %s on %s', t.tgname, t.tgrelid::regclass) AS what
       FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = $1 AND NOT t.tgisinternal
     UNION ALL
     SELECT format('event trigger %s', e.evtname)
       FROM pg_event_trigger e JOIN pg_proc p ON p.oid = e.evtfoid JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = $1
     UNION ALL
     SELECT format('table %I.%I', n.nspname, c.relname)
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
        AND c.relname <> 'backends' AND c.relname NOT LIKE 'cutover\\_capture\\_%'
     ORDER BY 1`, [schema]);
  return rows.map((r) => r.what);
}
