// What the timestamp → timestamptz mapping costs on the source, and what a cheaper form would.
//
//   npx tsx bench/timestamps.ts [--rows 1000000] [--runs 3] [--servers pg15|embedded]
//
// engine/copy/mapped-select.ts reads a `timestamp` into `timestamptz` through the class's
// source_timezone with its daylight-saving policies, as one CASE per row that converts the value
// about a dozen times (gap test, two overlap candidates, the result), none of it shared: SQL has no
// common subexpressions. Every row pays for the rare rows near a transition.
//
// Compared here, server-side (EXPLAIN ANALYZE TIMING OFF, median of `--runs`), over public.items:
//   plain       created_at AT TIME ZONE z (one conversion: no DST policy at all)
//   engine      the engine's expression, as mappedColumns() builds it
//   windowed    a proposal: the engine's expression only for local times within 6 h of a transition
//               of z inside the column's own range (found once per copy by one query); every other
//               row is `t AT TIME ZONE z`, which is exact away from transitions (the windows are
//               ±6 h of local time: wider than the ±3 h the overlap test looks at, plus the shift)
// and the windowed form is checked to give the same value as the engine's on every row.
import { gapPredicate } from '../engine/checks/preflight/dst.js';
import { quoteLiteral } from '../engine/db/sql-identifiers.js';
import { CLASS, ENGINE_DB, SOURCE_DB, createDataset, writePlan } from './support/dataset.js';
import { openEngine } from './support/engine.js';
import { intOption, machine, median, options, seconds, table } from './support/measure.js';
import { startServers, type ServerKind } from './support/servers.js';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const opts = options(process.argv.slice(2));
const ROWS = intOption(opts, 'rows', 1_000_000);
const RUNS = intOption(opts, 'runs', 3);
const KIND = (opts.get('servers') ?? 'pg15') as ServerKind;

/** Local-time windows [transition - 6 h, transition + 6 h) of zone `tz` within the column's range. */
function windowsSql(column: string, table: string, tz: string): string {
  const z = quoteLiteral(tz);
  return `WITH r AS (SELECT min(${column}) AS lo, max(${column}) AS hi FROM ${table}),
hours AS (SELECT h FROM r, generate_series((r.lo - interval '2 days') AT TIME ZONE 'UTC', (r.hi + interval '2 days') AT TIME ZONE 'UTC', interval '1 hour') AS h),
offsets AS (SELECT h, h AT TIME ZONE ${z} - h AT TIME ZONE 'UTC' AS o FROM hours),
changes AS (SELECT h, o, lag(o) OVER (ORDER BY h) AS before FROM offsets)
SELECT (h AT TIME ZONE ${z} - interval '6 hours')::text AS lo, (h AT TIME ZONE ${z} + interval '6 hours')::text AS hi
FROM changes WHERE o <> before ORDER BY h`;
}

async function main(): Promise<void> {
  console.log(`# timestamp -> timestamptz through source_timezone: ${ROWS.toLocaleString('en')} rows, ${KIND} servers`);
  for (const line of machine()) console.log(line);
  const servers = await startServers(KIND);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-bench-plan-'));
  try {
    await createDataset(servers, ROWS);
    const ctx = await openEngine(writePlan(dir), servers.source.url(SOURCE_DB), servers.destination.url(ENGINE_DB));
    try {
      const tz = ctx.cls.timestamps!.source_timezone;
      const engine = ctx.mapped.find((m) => m.column === 'created_at')!.sql;
      const t = '(created_at)';
      const windows = (await ctx.source.client.query<{ lo: string; hi: string }>(windowsSql('created_at', 'public.items', tz))).rows;
      const near = windows.map((w) => `(${t} >= ${quoteLiteral(w.lo)}::timestamp AND ${t} < ${quoteLiteral(w.hi)}::timestamp)`).join(' OR ') || 'false';
      const windowed = `(CASE WHEN ${near} THEN ${engine} ELSE ${t} AT TIME ZONE ${quoteLiteral(tz)} END)`;
      const variants: [string, string][] = [
        ['baseline: created_at as it is', 'created_at'],
        ['plain: created_at AT TIME ZONE z', `${t} AT TIME ZONE ${quoteLiteral(tz)}`],
        ['gap test alone', `${gapPredicate(t, tz)}`],
        ['engine: mappedColumns() expression', engine],
        [`windowed (${windows.length} transitions in range)`, windowed],
      ];
      const rows: string[][] = [['expression', 'median executor time', 'per row']];
      for (const [label, sql] of variants) {
        const times: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          const { rows: r } = await ctx.source.client.query<{ 'QUERY PLAN': [{ 'Execution Time': number }] }>(
            `EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) SELECT ${sql} FROM ONLY public.items AS src`);
          times.push(r[0]!['QUERY PLAN'][0]['Execution Time']);
        }
        const m = median(times);
        rows.push([label, seconds(m), `${((m * 1000) / ROWS).toFixed(2)} µs`]);
        console.log(`${label}: ${times.map((x) => seconds(x)).join(', ')}`);
      }
      const differ = await ctx.source.client.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM ONLY public.items AS src WHERE (${engine}) IS DISTINCT FROM (${windowed})`);
      console.log(`\nclass ${CLASS}, column created_at, zone ${tz}`);
      console.log(table(rows));
      console.log(`rows where the windowed form differs from the engine's: ${differ.rows[0]!.n}`);
    } finally {
      await ctx.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await servers.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
