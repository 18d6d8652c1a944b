// Copy benchmark (SPEC "Non-functional targets": a class of 1,000,000 rows x 10 columns with
// mapping expressions, between two local PostgreSQL servers, in at most 1.25x the time of a raw
// `COPY … TO STDOUT | COPY … FROM STDIN` pipe of the same rows; pg_dump | pg_restore beside).
//
//   npx tsx bench/copy.ts [--rows 1000000] [--runs 3] [--servers pg15|embedded]
//                         [--batches 10000,50000,200000,all] [--methods raw,mapped,…] [--cli dist|src]
//                         [--show-cli]   (print each `apply` output line with the time it arrived)
//
// Measures, in one run on the same two servers, each method `--runs` times, interleaved (run 1 of
// every method, then run 2 …) so a change in the machine's load falls on all of them alike:
//   raw             COPY (SELECT * FROM t) TO STDOUT piped into COPY dest FROM STDIN (pg-copy-streams)
//   mapped          the class's 10 mapping expressions in ONE COPY, no ORDER BY   (profiling aid)
//   mapped-ordered  the same, ORDER BY the key                                      (profiling aid)
//   engine:N        copyClass() in batches of N rows (N = all: one batch), a checkpoint per batch
//   cli             `node bin/cutover.js apply PLAN --auto-approve` to round_tripped, under
//                   /usr/bin/time -v; split by the time each of its progress lines arrived
//   dump            pg_dump -Fc -t public.items | pg_restore (PostgreSQL 15 servers only)
// and prints medians, ratios to the raw pipe, and peak RSS of the process doing the copy (each copy
// runs in a process of its own). Before every run the destination table is emptied and both
// servers CHECKPOINT. Nothing is asserted: the figures are printed, the targets beside them.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { keyJson, keyOrder, rangePredicate } from '../engine/copy/key-range.js';
import { mappedSelectList, sourceFrom } from '../engine/copy/mapped-select.js';
import {
  CLASS, CLI_DB, ENGINE_DB, RAW_DB, RESTORE_DB, SOURCE_DB, checkpoint, createDataset, emptyDestination, resetCli, withClient, writePlan,
} from './support/dataset.js';
import { mappedSelect, openEngine } from './support/engine.js';
import {
  ROOT, intOption, load, machine, maxRssFromTime, mb, median, options, ratio, runTimed, runWorker, seconds, table,
} from './support/measure.js';
import { cpuFromTime, serverCpuMs } from './support/cpu.js';
import { startServers, type ServerKind, type Servers } from './support/servers.js';

interface Sample {
  ms: number;
  /** CPU ms: the process doing the copy (node, or pg_dump + pg_restore), and each server */
  cpu: { client: number; source: number; destination: number };
  maxRssKb: number;
  load: string;
  /** method-specific parts, ms */
  parts: Record<string, number>;
}

const opts = options(process.argv.slice(2));
const ROWS = intOption(opts, 'rows', 1_000_000);
const RUNS = intOption(opts, 'runs', 3);
const KIND = (opts.get('servers') ?? 'pg15') as ServerKind;
const CLI = opts.get('cli') ?? 'dist';
const BATCHES = (opts.get('batches') ?? '10000,50000,200000,all').split(',').map((b) => (b === 'all' ? 'all' : Number(b)));
const ALL_METHODS = ['raw', 'mapped', 'mapped-ordered', ...BATCHES.map((b) => `engine:${b}`), 'cli', 'dump'];
const METHODS = opts.has('methods')
  ? opts.get('methods')!.split(',').flatMap((m) => (m === 'engine' ? BATCHES.map((b) => `engine:${b}`) : [m]))
  : ALL_METHODS;

function batchRowsOf(method: string): number {
  const b = method.split(':')[1]!;
  return b === 'all' ? ROWS : Number(b);
}

async function runOnce(method: string, servers: Servers, planFile: string): Promise<Sample> {
  const src = servers.source.url(SOURCE_DB);
  if (method === 'raw' || method === 'mapped' || method === 'mapped-ordered' || method.startsWith('engine:')) {
    const database = method === 'raw' ? RAW_DB : ENGINE_DB;
    await emptyDestination(servers, database);
    await checkpoint(servers);
    const before = load();
    const out = await runWorker({
      mode: method.startsWith('engine:') ? 'engine' : (method as 'raw' | 'mapped' | 'mapped-ordered'),
      planFile, sourceUrl: src, destinationUrl: servers.destination.url(database),
      sourcePid: servers.source.pid, destinationPid: servers.destination.pid,
      ...(method.startsWith('engine:') ? { batchRows: batchRowsOf(method) } : {}),
    });
    if (out.rows !== ROWS) throw new Error(`${method} copied ${out.rows} rows, not ${ROWS}`);
    const parts: Record<string, number> = {};
    if (out.boundaryMs !== undefined) parts.boundary = out.boundaryMs;
    if (out.checkpointMs !== undefined) parts.checkpoint = out.checkpointMs;
    if (out.batches !== undefined) parts.batches = out.batches;
    parts.rssBeforeKb = out.rssBeforeKb;
    return {
      ms: out.ms, cpu: { client: out.clientCpuMs, source: out.sourceCpuMs, destination: out.destinationCpuMs },
      maxRssKb: out.maxRssKb, load: before, parts,
    };
  }
  if (method === 'cli') return runCli(servers, planFile);
  if (method === 'dump') return runDump(servers);
  throw new Error(`unknown method ${method}`);
}

/** Starts counting both servers' CPU; the function returned gives what they spent since (after
 * the backends of a process that just ended have been reaped). */
function serversCpu(servers: Servers): () => { source: number; destination: number } {
  const source = serverCpuMs(servers.source.pid);
  const destination = serverCpuMs(servers.destination.pid);
  return () => {
    const wait = Date.now() + 300;
    while (Date.now() < wait) { /* let the postmasters reap the backends that just exited */ }
    return { source: serverCpuMs(servers.source.pid) - source, destination: serverCpuMs(servers.destination.pid) - destination };
  };
}

/** `cutover apply` to round_tripped as a user runs it, split by the times its progress lines arrived. */
async function runCli(servers: Servers, planFile: string): Promise<Sample> {
  await resetCli(servers);
  await checkpoint(servers);
  const before = load();
  const entry = CLI === 'src' ? ['--import', 'tsx', path.join(ROOT, 'cli', 'main.ts')] : [path.join(ROOT, 'bin', 'cutover.js')];
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1',
    SRC_URL: servers.source.url(SOURCE_DB), DST_URL: servers.destination.url(CLI_DB),
  };
  const spent = serversCpu(servers);
  const r = await runTimed('/usr/bin/time', ['-v', process.execPath, ...entry, 'apply', planFile, '--auto-approve'], env);
  const server = spent();
  if (r.status !== 0 || !r.stdout.includes('Phase round_tripped reached') || /parity FAILED/.test(r.stdout)) {
    throw new Error(`cutover apply did not reach round_tripped with parity passed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  if (opts.has('show-cli')) for (const l of r.lines) console.log(`    ${seconds(l.at).padStart(9)}  ${l.text}`);
  const at = (re: RegExp) => r.lines.find((l) => re.test(l.text))?.at ?? NaN;
  const copyStart = at(new RegExp(`^class\\.${CLASS}\\.copy: .*\\.\\.\\.$`));
  const copyEnd = at(new RegExp(`^class\\.${CLASS}\\.copy: .* after \\d+s$`));
  const parityStart = at(new RegExp(`^class\\.${CLASS}\\.parity: .*\\.\\.\\.$`));
  const parityEnd = at(new RegExp(`^class\\.${CLASS}\\.parity: .* after \\d+s$`));
  const copied = await withClient(servers.destination.url(CLI_DB), async (c) =>
    Number((await c.query<{ n: string }>('SELECT count(*)::text AS n FROM public.items')).rows[0]!.n));
  if (copied !== ROWS) throw new Error(`cutover apply left ${copied} rows, not ${ROWS}`);
  await resetCli(servers); // its locks (the data-lock trigger) would otherwise ride along in pg_dump -t
  return {
    ms: r.ms, cpu: { client: cpuFromTime(r.stderr), ...server }, maxRssKb: maxRssFromTime(r.stderr), load: before,
    parts: { beforeCopy: copyStart, copy: copyEnd - copyStart, parity: parityEnd - parityStart, withoutParity: r.ms - (parityEnd - parityStart) },
  };
}

/** pg_dump -Fc -t public.items | pg_restore into an empty database (the table, its data, its key). */
async function runDump(servers: Servers): Promise<Sample> {
  await withClient(servers.destination.url(RESTORE_DB), (c) => c.query('DROP TABLE IF EXISTS public.items'));
  await checkpoint(servers);
  const before = load();
  const bin = servers.binDir!;
  const script = `set -o pipefail; "${bin}/pg_dump" -Fc -t public.items -d "$SRC_CONN" | "${bin}/pg_restore" --no-owner -d "$DST_CONN"`;
  const spent = serversCpu(servers);
  const r = await runTimed('/usr/bin/time', ['-v', 'bash', '-c', script], {
    PATH: process.env.PATH ?? '/usr/bin:/bin', SRC_CONN: servers.source.url(SOURCE_DB), DST_CONN: servers.destination.url(RESTORE_DB),
  });
  const server = spent();
  if (r.status !== 0) throw new Error(`pg_dump | pg_restore failed (exit ${r.status}):\n${r.stderr}`);
  return { ms: r.ms, cpu: { client: cpuFromTime(r.stderr), ...server }, maxRssKb: maxRssFromTime(r.stderr), load: before, parts: {} };
}

/** Server-side executor time of the statements the copy runs (EXPLAIN ANALYZE, best of 3). */
async function profile(servers: Servers, planFile: string): Promise<string[]> {
  const ctx = await openEngine(planFile, servers.source.url(SOURCE_DB), servers.destination.url(ENGINE_DB));
  const out: string[] = [];
  try {
    const db = ctx.source.client;
    const explain = async (label: string, sql: string) => {
      let best = Infinity;
      let node = '';
      for (let i = 0; i < 3; i++) {
        const { rows } = await db.query<{ 'QUERY PLAN': [{ Plan: { 'Node Type': string; Plans?: { 'Node Type': string }[] }; 'Execution Time': number }] }>(
          `EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ${sql}`);
        const plan = rows[0]!['QUERY PLAN'][0];
        best = Math.min(best, plan['Execution Time']);
        const inner = plan.Plan.Plans?.map((p) => p['Node Type']).join('+');
        node = inner ? `${plan.Plan['Node Type']} <- ${inner}` : plan.Plan['Node Type'];
      }
      out.push(`${label.padEnd(58)} ${best.toFixed(0).padStart(6)} ms  (${node})`);
    };
    const from = sourceFrom(ctx.cls, ctx.sourceTable);
    const key = ctx.cls.source.key;
    await explain('SELECT * (what the raw pipe reads)', 'SELECT * FROM public.items');
    await explain('SELECT the 10 source columns as they are', `SELECT ${ctx.sourceTable.columns.map((c) => `src.${JSON.stringify(c.name)}`).join(', ')} ${from}`);
    await explain('the mapped SELECT, no ORDER BY', mappedSelect(ctx, false));
    await explain('the mapped SELECT, ORDER BY key', mappedSelect(ctx, true));
    for (const m of ctx.mapped) {
      const text = m.sql.replace(/\s+/g, ' ');
      await explain(`  only ${m.column}: ${text.length > 40 ? `${text.slice(0, 37)}...` : text}`, `SELECT ${m.sql} ${from}`);
    }
    const mid = [String(Math.floor(ROWS / 2))];
    await explain('boundary: ORDER BY key OFFSET 49999 LIMIT 1 (mid-table)',
      `SELECT ${keyJson(key)} AS k ${from} WHERE ${rangePredicate(key, ctx.sourceTable, mid, null)} ORDER BY ${keyOrder(key)} OFFSET 49999 LIMIT 1`);
    await explain('boundary: the same, from the first key (OFFSET 49999)',
      `SELECT ${keyJson(key)} AS k ${from} WHERE true ORDER BY ${keyOrder(key)} OFFSET 49999 LIMIT 1`);
    const upTo = [String(Math.floor(ROWS / 2) + 50_000)];
    await explain('one 50k batch: mapped SELECT of (k, k+50000] ORDER BY key',
      `SELECT ${mappedSelectList(ctx.mapped)} ${from} WHERE ${rangePredicate(key, ctx.sourceTable, mid, upTo)} ORDER BY ${keyOrder(key)}`);
  } finally {
    await ctx.close();
  }
  return out;
}

const cpuS = (ms: number) => (Number.isFinite(ms) ? (ms / 1000).toFixed(1) : 'n/a');

async function main(): Promise<void> {
  const started = Date.now();
  console.log(`# cutover copy benchmark: ${ROWS.toLocaleString('en')} rows x 10 columns, ${RUNS} runs each, ${KIND} servers`);
  for (const line of machine()) console.log(line);
  const servers = await startServers(KIND);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-bench-plan-'));
  try {
    console.log(`source:      ${servers.source.version}`);
    console.log(`destination: ${servers.destination.version}`);
    const t0 = Date.now();
    const size = await createDataset(servers, ROWS);
    console.log(`dataset: ${ROWS.toLocaleString('en')} rows, table ${mb(size.tableBytes / 1024)}, with its key ${mb(size.totalBytes / 1024)} (made in ${seconds(Date.now() - t0)})`);
    const planFile = writePlan(dir);
    const methods = METHODS.filter((m) => m !== 'dump' || servers.binDir);
    if (METHODS.includes('dump') && !servers.binDir) console.log('dump: skipped (pg_dump 15 cannot dump the embedded PostgreSQL 18 servers; run with --servers pg15)');

    console.log('\n## Where the server time goes (source side, EXPLAIN ANALYZE TIMING OFF, best of 3)');
    for (const line of await profile(servers, planFile)) console.log(line);

    console.log('\nwarm-up: one raw pipe, not counted');
    await runOnce('raw', servers, planFile);

    const samples = new Map<string, Sample[]>(methods.map((m) => [m, []]));
    for (let run = 1; run <= RUNS; run++) {
      console.log(`\n## run ${run}/${RUNS}`);
      for (const method of methods) {
        const s = await runOnce(method, servers, planFile);
        samples.get(method)!.push(s);
        const parts = Object.entries(s.parts).filter(([k]) => k !== 'rssBeforeKb')
          .map(([k, v]) => `${k} ${k === 'batches' ? v : seconds(v)}`).join(', ');
        console.log(`${method.padEnd(16)} ${seconds(s.ms).padStart(9)}  CPU s: client ${cpuS(s.cpu.client)}, source ${cpuS(s.cpu.source)}, `
          + `destination ${cpuS(s.cpu.destination)}  peak RSS ${mb(s.maxRssKb).padStart(6)}  load before ${s.load}${parts ? `  [${parts}]` : ''}`);
      }
    }

    const raw = median(samples.get('raw')?.map((s) => s.ms) ?? []);
    const cpuTotal = (s: Sample) => s.cpu.client + s.cpu.source + s.cpu.destination;
    const rawCpu = median(samples.get('raw')?.map(cpuTotal) ?? []);
    const rows: string[][] = [['method', 'median', 'min', 'max', 'vs raw', 'CPU s (client+src+dst)', 'CPU vs raw', 'peak RSS (max)', 'notes']];
    for (const [method, list] of samples) {
      const ms = list.map((s) => s.ms);
      const part = (k: string) => median(list.map((s) => s.parts[k] ?? NaN));
      let note = '';
      if (method.startsWith('engine:')) {
        note = `${part('batches')} batches; boundary queries ${seconds(part('boundary'))}, BEGIN/checkpoint/COMMIT ${seconds(part('checkpoint'))}`;
        if (method === 'engine:50000') note += ' (the CLI default); target <= 1.25x';
      }
      if (method === 'cli') {
        note = `copy step ${seconds(part('copy'))} (${ratio(part('copy'), raw)}), parity step ${seconds(part('parity'))}, `
          + `before the copy (plan, preflight, locks) ${seconds(part('beforeCopy'))}; whole run minus parity ${seconds(part('withoutParity'))} (${ratio(part('withoutParity'), raw)})`;
      }
      const cpu = (k: 'client' | 'source' | 'destination') => median(list.map((s) => s.cpu[k]));
      rows.push([method, seconds(median(ms)), seconds(Math.min(...ms)), seconds(Math.max(...ms)), ratio(median(ms), raw),
        `${cpuS(median(list.map(cpuTotal)))} (${cpuS(cpu('client'))}+${cpuS(cpu('source'))}+${cpuS(cpu('destination'))})`,
        ratio(median(list.map(cpuTotal)), rawCpu), mb(Math.max(...list.map((s) => s.maxRssKb))), note]);
    }
    console.log(`\n## Medians of ${RUNS} runs (ratios: median / median of raw)`);
    console.log(table(rows));
    console.log(`\nfinished in ${seconds(Date.now() - started)}; ${machine()[3]}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await servers.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
