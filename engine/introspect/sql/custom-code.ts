// Custom code other than triggers, in one query: functions (aggregates and window functions
// included), procedures, views, materialized views, rules, policies in the schemas, and the
// database's event triggers. Left out: the `_RETURN` rules of views, objects that belong to an
// extension, and cutover's own (named `cutover_…` or in the `cutover` schema).
//
// A function's address names its argument types only (`function public.last_day(timestamp without
// time zone)`), the input types that identify it (proargtypes), without argument names.
import type { CustomCodeKind, CustomCodeObject } from '../catalog.js';
import { writeNames } from '../../plan/plan-names.js';
import { extensionMember, inSchemas, notCutoverName } from './common.js';

const AGGREGATE_DEFINITION = `
  (SELECT format('CREATE AGGREGATE %I.%I(%s) (%s)', n.nspname, p.proname,
                 pg_catalog.pg_get_function_arguments(p.oid),
                 concat_ws(', ',
                   'SFUNC = ' || a.aggtransfn::regprocedure::text,
                   'STYPE = ' || pg_catalog.format_type(a.aggtranstype, NULL),
                   CASE WHEN a.aggfinalfn::oid <> 0 THEN 'FINALFUNC = ' || a.aggfinalfn::regprocedure::text END,
                   CASE WHEN a.aggfinalextra THEN 'FINALFUNC_EXTRA' END,
                   CASE WHEN a.aggcombinefn::oid <> 0 THEN 'COMBINEFUNC = ' || a.aggcombinefn::regprocedure::text END,
                   CASE WHEN a.aggserialfn::oid <> 0 THEN 'SERIALFUNC = ' || a.aggserialfn::regprocedure::text END,
                   CASE WHEN a.aggdeserialfn::oid <> 0 THEN 'DESERIALFUNC = ' || a.aggdeserialfn::regprocedure::text END,
                   CASE WHEN a.agginitval IS NOT NULL THEN 'INITCOND = ' || quote_literal(a.agginitval) END,
                   CASE WHEN a.aggmtransfn::oid <> 0 THEN 'MSFUNC = ' || a.aggmtransfn::regprocedure::text END,
                   CASE WHEN a.aggminvtransfn::oid <> 0 THEN 'MINVFUNC = ' || a.aggminvtransfn::regprocedure::text END,
                   CASE WHEN a.aggmtranstype <> 0 THEN 'MSTYPE = ' || pg_catalog.format_type(a.aggmtranstype, NULL) END,
                   CASE WHEN a.aggmfinalfn::oid <> 0 THEN 'MFINALFUNC = ' || a.aggmfinalfn::regprocedure::text END,
                   CASE WHEN a.aggminitval IS NOT NULL THEN 'MINITCOND = ' || quote_literal(a.aggminitval) END,
                   CASE WHEN a.aggsortop <> 0 THEN 'SORTOP = ' || a.aggsortop::regoperator::text END,
                   CASE WHEN a.aggkind = 'o' THEN 'ORDERED SET' WHEN a.aggkind = 'h' THEN 'HYPOTHETICAL' END,
                   CASE WHEN p.proparallel <> 'u' THEN 'PARALLEL = ' || CASE p.proparallel WHEN 's' THEN 'SAFE' ELSE 'RESTRICTED' END END))
     FROM pg_catalog.pg_aggregate a
    WHERE a.aggfnoid = p.oid)`;

const POLICY_DEFINITION = `
  concat_ws(' ',
    'CREATE POLICY', quote_ident(pol.polname), 'ON', quote_ident(n.nspname) || '.' || quote_ident(c.relname),
    'AS', CASE WHEN pol.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,
    'FOR', CASE pol.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
                           WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
    'TO', (SELECT string_agg(CASE WHEN r.role_oid = 0 THEN 'PUBLIC' ELSE coalesce(quote_ident(ro.rolname), r.role_oid::text) END,
                             ', ' ORDER BY CASE WHEN r.role_oid = 0 THEN 'PUBLIC' ELSE coalesce(quote_ident(ro.rolname), r.role_oid::text) END)
             FROM unnest(pol.polroles) r(role_oid)
             LEFT JOIN pg_catalog.pg_roles ro ON ro.oid = r.role_oid),
    'USING (' || pg_catalog.pg_get_expr(pol.polqual, pol.polrelid, true) || ')',
    'WITH CHECK (' || pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid, true) || ')')`;

const EVENT_TRIGGER_DEFINITION = `
  concat_ws(' ',
    'CREATE EVENT TRIGGER', quote_ident(e.evtname), 'ON', e.evtevent,
    CASE WHEN e.evttags IS NOT NULL THEN
      'WHEN TAG IN (' || (SELECT string_agg(quote_literal(tag), ', ' ORDER BY tag) FROM unnest(e.evttags) tag) || ')' END,
    'EXECUTE FUNCTION', quote_ident(fn.nspname) || '.' || quote_ident(fp.proname) || '()',
    CASE e.evtenabled WHEN 'D' THEN '-- DISABLED' WHEN 'R' THEN '-- ENABLE REPLICA' WHEN 'A' THEN '-- ENABLE ALWAYS' END)`;

export const CUSTOM_CODE_SQL = `
SELECT CASE WHEN p.prokind = 'p' THEN 'procedure' ELSE 'function' END AS kind,
       n.nspname AS schema,
       NULL::text AS parent,
       p.proname::text AS name,
       pg_catalog.oidvectortypes(p.proargtypes) AS arguments,
       CASE WHEN p.prokind = 'a' THEN ${AGGREGATE_DEFINITION}
            ELSE pg_catalog.pg_get_functiondef(p.oid) END AS definition
  FROM pg_catalog.pg_proc p
  JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
 WHERE ${inSchemas('n.nspname')}
   AND ${notCutoverName('p.proname')}
   AND NOT ${extensionMember('pg_catalog.pg_proc', 'p.oid')}
UNION ALL
SELECT CASE WHEN c.relkind = 'm' THEN 'materialized view' ELSE 'view' END,
       n.nspname, NULL, c.relname::text, NULL,
       pg_catalog.pg_get_viewdef(c.oid, true)
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('v', 'm')
   AND ${inSchemas('n.nspname')}
   AND ${notCutoverName('c.relname')}
   AND NOT ${extensionMember('pg_catalog.pg_class', 'c.oid')}
UNION ALL
SELECT 'rule', n.nspname, c.relname::text, r.rulename::text, NULL,
       pg_catalog.pg_get_ruledef(r.oid, true)
  FROM pg_catalog.pg_rewrite r
  JOIN pg_catalog.pg_class c ON c.oid = r.ev_class
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE r.rulename <> '_RETURN'
   AND ${inSchemas('n.nspname')}
   AND ${notCutoverName('c.relname')}
   AND ${notCutoverName('r.rulename')}
   AND NOT ${extensionMember('pg_catalog.pg_rewrite', 'r.oid')}
   AND NOT ${extensionMember('pg_catalog.pg_class', 'c.oid')}
UNION ALL
SELECT 'policy', n.nspname, c.relname::text, pol.polname::text, NULL,
       ${POLICY_DEFINITION}
  FROM pg_catalog.pg_policy pol
  JOIN pg_catalog.pg_class c ON c.oid = pol.polrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE ${inSchemas('n.nspname')}
   AND ${notCutoverName('c.relname')}
   AND ${notCutoverName('pol.polname')}
   AND NOT ${extensionMember('pg_catalog.pg_policy', 'pol.oid')}
   AND NOT ${extensionMember('pg_catalog.pg_class', 'c.oid')}
UNION ALL
SELECT 'event trigger', NULL, NULL, e.evtname::text, NULL,
       ${EVENT_TRIGGER_DEFINITION}
  FROM pg_catalog.pg_event_trigger e
  JOIN pg_catalog.pg_proc fp ON fp.oid = e.evtfoid
  JOIN pg_catalog.pg_namespace fn ON fn.oid = fp.pronamespace
 WHERE ${notCutoverName('e.evtname')}
   AND NOT ${extensionMember('pg_catalog.pg_event_trigger', 'e.oid')}`;

export interface CustomCodeRow {
  kind: Exclude<CustomCodeKind, 'trigger'>;
  schema: string | null;
  /** the table of a rule or policy */
  parent: string | null;
  name: string;
  /** a function's or procedure's argument types */
  arguments: string | null;
  definition: string;
}

export function customCodeFromRow(row: CustomCodeRow): CustomCodeObject {
  const path = writeNames([row.schema, row.parent, row.name].filter((p): p is string => p !== null));
  const args = row.kind === 'function' || row.kind === 'procedure' ? `(${row.arguments ?? ''})` : '';
  return { kind: row.kind, address: `${row.kind} ${path}${args}`, definition: row.definition };
}
