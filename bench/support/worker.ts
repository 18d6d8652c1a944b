// One measured copy, in a process of its own so its peak RSS is its own. Run by bench/copy.ts and
// bench/parity.ts as `node --import tsx bench/support/worker.ts JSON`; prints one JSON line.
//
// Modes:
//   raw             COPY (SELECT * FROM public.items) TO STDOUT  →  COPY public.items FROM STDIN
//                   (plain pg sessions, the rows as they are, into a table of the source's types)
//   mapped          the whole mapped SELECT in one COPY, no ORDER BY (what the mapping costs)
//   mapped-ordered  the same with ORDER BY the key (what key order costs)
//   engine          copyClass(): key-ordered batches of `batchRows`, a checkpoint per batch,
//                   with the time spent in boundary queries and in checkpoint+commit counted
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { copyClass } from '../../engine/copy/copy-class.js';
import { serverCpuMs } from './cpu.js';
import { quoteIdent } from '../../engine/db/sql-identifiers.js';
import { ensureMigration, ensureStateSchema } from '../../engine/state/state-store.js';
import { CLASS, MIGRATION, STATE_SCHEMA } from './dataset.js';
import { mappedSelect, openEngine } from './engine.js';

export type WorkerMode = 'raw' | 'mapped' | 'mapped-ordered' | 'engine';

export interface WorkerInput {
  mode: WorkerMode;
  planFile: string;
  sourceUrl: string;
  destinationUrl: string;
  batchRows?: number;
  /** postmaster pids, for the servers' CPU over the measured copy */
  sourcePid: number;
  destinationPid: number;
}

export interface WorkerOutput {
  mode: WorkerMode;
  batchRows?: number;
  ms: number;
  /** CPU ms of this process (user + system) over the measured copy */
  clientCpuMs: number;
  /** CPU ms each server spent over the measured copy (all its processes) */
  sourceCpuMs: number;
  destinationCpuMs: number;
  rows: number;
  /** KiB: process.resourceUsage().maxRSS at the end, and the RSS just before the copy started */
  maxRssKb: number;
  rssBeforeKb: number;
  batches?: number;
  /** engine only: ms in boundary queries (source), in BEGIN/SET/checkpoint/COMMIT (destination) */
  boundaryMs?: number;
  checkpointMs?: number;
}

type Timed = { ms: number; count: number };

/** Starts counting both servers' CPU; the function returned gives what they spent since. */
function serversCpu(input: WorkerInput): () => { sourceCpuMs: number; destinationCpuMs: number } {
  const source = serverCpuMs(input.sourcePid);
  const destination = serverCpuMs(input.destinationPid);
  return () => ({ sourceCpuMs: serverCpuMs(input.sourcePid) - source, destinationCpuMs: serverCpuMs(input.destinationPid) - destination });
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

/** A pg.Client whose promise-returning queries matching `match` are timed into `into`. */
function timedClient(client: pg.Client, match: (sql: string) => boolean, into: Timed): pg.Client {
  return new Proxy(client, {
    get(target, prop) {
      if (prop === 'query') {
        return (...args: unknown[]) => {
          const sql = typeof args[0] === 'string' ? args[0] : null;
          const result = (target.query as (...a: unknown[]) => unknown)(...args);
          if (sql === null || !match(sql) || !(result instanceof Promise)) return result;
          const started = performance.now();
          into.count++;
          return result.finally(() => { into.ms += performance.now() - started; });
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

async function rawCopy(input: WorkerInput): Promise<WorkerOutput> {
  const source = new pg.Client({ connectionString: input.sourceUrl });
  const destination = new pg.Client({ connectionString: input.destinationUrl });
  await Promise.all([source.connect(), destination.connect()]);
  try {
    const rssBeforeKb = Math.round(process.memoryUsage.rss() / 1024);
    const cpu = process.cpuUsage();
    const servers = serversCpu(input);
    const started = performance.now();
    const reader = source.query(copyStreams.to('COPY (SELECT * FROM public.items) TO STDOUT'));
    const writer = destination.query(copyStreams.from('COPY public.items FROM STDIN'));
    await pipeline(reader, writer);
    const ms = performance.now() - started;
    return { mode: input.mode, ms, clientCpuMs: cpuMs(cpu), ...servers(), rows: writer.rowCount, maxRssKb: process.resourceUsage().maxRSS, rssBeforeKb };
  } finally {
    await Promise.all([source.end(), destination.end()]);
  }
}

async function mappedCopy(input: WorkerInput): Promise<WorkerOutput> {
  const ctx = await openEngine(input.planFile, input.sourceUrl, input.destinationUrl);
  try {
    const select = mappedSelect(ctx, input.mode === 'mapped-ordered');
    const columns = ctx.mapped.map((m) => quoteIdent(m.column)).join(', ');
    await ctx.source.client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const rssBeforeKb = Math.round(process.memoryUsage.rss() / 1024);
    const cpu = process.cpuUsage();
    const servers = serversCpu(input);
    const started = performance.now();
    const reader = ctx.source.client.query(copyStreams.to(`COPY (${select}) TO STDOUT`));
    const writer = ctx.destination.client.query(copyStreams.from(`COPY public.items (${columns}) FROM STDIN`));
    await pipeline(reader, writer);
    const ms = performance.now() - started;
    const clientCpuMs = cpuMs(cpu);
    const spent = servers();
    await ctx.source.client.query('ROLLBACK');
    return { mode: input.mode, ms, clientCpuMs, ...spent, rows: writer.rowCount, maxRssKb: process.resourceUsage().maxRSS, rssBeforeKb };
  } finally {
    await ctx.close();
  }
}

async function engineCopy(input: WorkerInput): Promise<WorkerOutput> {
  const ctx = await openEngine(input.planFile, input.sourceUrl, input.destinationUrl);
  try {
    // as RoundTrip does: state in the destination, a replica-role destination session, the source
    // read in one REPEATABLE READ snapshot whose pg_current_snapshot() is recorded
    await ensureStateSchema(ctx.destination.client, STATE_SCHEMA);
    await ensureMigration(ctx.destination.client, STATE_SCHEMA, MIGRATION, 'real');
    await ctx.destination.client.query('SET session_replication_role = replica');
    await ctx.source.client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const snapshot = (await ctx.source.client.query<{ s: string }>('SELECT pg_current_snapshot()::text AS s')).rows[0]!.s;

    const boundary: Timed = { ms: 0, count: 0 };
    const checkpoint: Timed = { ms: 0, count: 0 };
    const source = timedClient(ctx.source.client, (sql) => sql.startsWith('SELECT json_build_array'), boundary);
    const destination = timedClient(ctx.destination.client,
      (sql) => /^(BEGIN|COMMIT|SET CONSTRAINTS|UPDATE .*copy_progress)/s.test(sql), checkpoint);
    let batches = 0;
    const rssBeforeKb = Math.round(process.memoryUsage.rss() / 1024);
    const cpu = process.cpuUsage();
    const servers = serversCpu(input);
    const started = performance.now();
    const { rows } = await copyClass({
      migration: MIGRATION, schema: STATE_SCHEMA, className: CLASS, cls: ctx.cls,
      source, snapshot, destination,
      sourceTable: ctx.sourceTable, destinationTable: ctx.destinationTable, mapped: ctx.mapped,
      progress: undefined, batchRows: input.batchRows ?? 50_000, now: async () => new Date(),
      onProgress: (e) => { if (!e.done) batches++; },
    });
    const ms = performance.now() - started;
    const clientCpuMs = cpuMs(cpu);
    const spent = servers();
    await ctx.source.client.query('ROLLBACK');
    return {
      mode: input.mode, batchRows: input.batchRows, ms, clientCpuMs, ...spent, rows, maxRssKb: process.resourceUsage().maxRSS, rssBeforeKb, batches,
      boundaryMs: boundary.ms, checkpointMs: checkpoint.ms,
    };
  } finally {
    await ctx.close();
  }
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2] ?? '{}') as WorkerInput;
  const run = input.mode === 'raw' ? rawCopy : input.mode === 'engine' ? engineCopy : mappedCopy;
  const out = await run(input);
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
