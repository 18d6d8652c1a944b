// Parity benchmark (SPEC "Non-functional targets": parity of a 1,000,000-row class in at most 0.5x
// the copy time, both sides hashing at once; one changed row in 1,000,000 located in under 1 s).
//
//   npx tsx bench/parity.ts [--rows 1000000] [--runs 3] [--servers pg15|embedded]
//
// On the same two servers and class as bench/copy.ts:
//   1. copy: copyClass() in batches of 50,000 (the CLI's default), in a process of its own;
//   2. parity: checkParity() of the copied class (sessions from connect(), catalogs from
//      introspect(), types from describeMappings(), as apply prepares them), `--runs` times,
//      interleaved with the copies; ratio parity / copy;
//   3. one changed row: one destination row's `name` changed, then checkParity() end to end, and
//      the same steps it runs, timed apart: snapshots + hash probe; both sides' buckets at once
//      (detect); compare; narrow() (the differing bucket's keys and row hashes read on both sides,
//      classified, the changed row's columns named: locate). The result must name that one key and
//      column, or the run fails.
// Nothing is asserted on time: the figures are printed, the targets beside them.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bucketCount, compareBuckets, probe, readBuckets, type Hashing } from '../engine/checks/parity/buckets.js';
import { checkParity } from '../engine/checks/parity/check-parity.js';
import { narrow } from '../engine/checks/parity/narrow.js';
import { parityShape } from '../engine/checks/parity/normalise.js';
import type { ParityResult } from '../engine/diff/plan-result.js';
import { CLASS, ENGINE_DB, SOURCE_DB, checkpoint, createDataset, emptyDestination, withClient, writePlan } from './support/dataset.js';
import { openEngine, type EngineContext } from './support/engine.js';
import { intOption, load, machine, mb, median, options, ratio, runWorker, seconds, table } from './support/measure.js';
import { serverCpuMs } from './support/cpu.js';
import { startServers, type ServerKind, type Servers } from './support/servers.js';

const opts = options(process.argv.slice(2));
const ROWS = intOption(opts, 'rows', 1_000_000);
const RUNS = intOption(opts, 'runs', 3);
const KIND = (opts.get('servers') ?? 'pg15') as ServerKind;
const CHANGED_ID = Math.floor(ROWS / 2) + 7;
/** the snapshot checkParity reads each side in */
const SNAPSHOT = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';

async function parityOnce(servers: Servers, planFile: string): Promise<{ ms: number; cpuMs: number; result: ParityResult }> {
  const ctx = await openEngine(planFile, servers.source.url(SOURCE_DB), servers.destination.url(ENGINE_DB));
  try {
    const cpu = [serverCpuMs(servers.source.pid), serverCpuMs(servers.destination.pid)];
    const started = performance.now();
    const result = await checkParity({
      plan: ctx.plan, className: CLASS, source: ctx.source.client, destination: ctx.destination.client,
      sourceCatalog: ctx.sourceCatalog, destinationCatalog: ctx.destinationCatalog, types: ctx.types, checkedAt: new Date(),
    });
    const ms = performance.now() - started;
    const cpuMs = serverCpuMs(servers.source.pid) - cpu[0]! + serverCpuMs(servers.destination.pid) - cpu[1]!;
    return { ms, cpuMs, result };
  } finally {
    await ctx.close();
  }
}

interface Steps {
  setup: number;
  detect: number;
  compare: number;
  narrow: number;
  differingBuckets: number;
  rowsInThem: number;
  buckets: number;
  found: string;
}

/** checkParity's steps on one changed row, timed apart (the same calls it makes, in its order). */
async function locateSteps(ctx: EngineContext): Promise<Steps> {
  const t0 = performance.now();
  const shape = parityShape(ctx.cls, ctx.sourceTable, ctx.destinationTable, ctx.types);
  const buckets = bucketCount(Math.max(ctx.sourceTable.estimatedRows, ctx.destinationTable.estimatedRows));
  const [s, d] = await Promise.all([probe(ctx.source.client), probe(ctx.destination.client)]);
  const hashing: Hashing = { buckets, kind: s !== null && s === d ? 'native' : 'portable' };
  await Promise.all([ctx.source.client.query(SNAPSHOT), ctx.destination.client.query(SNAPSHOT)]);
  try {
    const t1 = performance.now();
    const [sourceBuckets, destinationBuckets] = await Promise.all([
      readBuckets(ctx.source.client, shape.source, hashing),
      readBuckets(ctx.destination.client, shape.destination, hashing),
    ]);
    const t2 = performance.now();
    const comparison = compareBuckets(sourceBuckets, destinationBuckets);
    const t3 = performance.now();
    const differences = await narrow({
      source: ctx.source.client, destination: ctx.destination.client, shape, hashing, sourceBuckets, destinationBuckets, comparison,
    });
    const t4 = performance.now();
    const rowsInThem = comparison.differing.reduce((n, b) => n + Math.max(sourceBuckets.get(b)?.rows ?? 0, destinationBuckets.get(b)?.rows ?? 0), 0);
    return {
      setup: t1 - t0, detect: t2 - t1, compare: t3 - t2, narrow: t4 - t3,
      differingBuckets: comparison.differing.length + comparison.sourceOnly.length + comparison.destinationOnly.length,
      rowsInThem, buckets: hashing.buckets, found: JSON.stringify(differences),
    };
  } finally {
    await Promise.all([ctx.source.client.query('ROLLBACK'), ctx.destination.client.query('ROLLBACK')]);
  }
}

function expectOneChanged(result: ParityResult): void {
  const d = result.differences;
  const ok = !result.passed && d.length === 1 && d[0]!.kind === 'changed' && d[0]!.count === 1
    && JSON.stringify(d[0]!.sampleKeys.map((k) => k.map(String))) === JSON.stringify([[String(CHANGED_ID)]]) && JSON.stringify(d[0]!.columns) === '["name"]';
  if (!ok) throw new Error(`parity did not locate the one changed row (id ${CHANGED_ID}, column name): ${JSON.stringify(result)}`);
}

async function main(): Promise<void> {
  const started = Date.now();
  console.log(`# cutover parity benchmark: ${ROWS.toLocaleString('en')} rows x 10 columns, ${RUNS} runs each, ${KIND} servers`);
  for (const line of machine()) console.log(line);
  const servers = await startServers(KIND);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-bench-plan-'));
  try {
    console.log(`source:      ${servers.source.version}`);
    console.log(`destination: ${servers.destination.version}`);
    const size = await createDataset(servers, ROWS);
    console.log(`dataset: ${ROWS.toLocaleString('en')} rows, table ${mb(size.tableBytes / 1024)}, with its key ${mb(size.totalBytes / 1024)}`);
    const planFile = writePlan(dir);
    const dst = servers.destination.url(ENGINE_DB);

    console.log('\n## copy (copyClass, batches of 50,000) then parity of the copied class');
    const copies: number[] = [];
    const parities: number[] = [];
    const copyCpu: number[] = [];
    const parityCpu: number[] = [];
    for (let run = 1; run <= RUNS; run++) {
      await emptyDestination(servers, ENGINE_DB);
      await checkpoint(servers);
      const copyLoad = load();
      const copy = await runWorker({
        mode: 'engine', planFile, sourceUrl: servers.source.url(SOURCE_DB), destinationUrl: dst, batchRows: 50_000,
        sourcePid: servers.source.pid, destinationPid: servers.destination.pid,
      });
      copies.push(copy.ms);
      copyCpu.push(copy.clientCpuMs + copy.sourceCpuMs + copy.destinationCpuMs);
      await checkpoint(servers);
      const parityLoad = load();
      const p = await parityOnce(servers, planFile);
      if (!p.result.passed || p.result.sourceRows !== ROWS || p.result.destinationRows !== ROWS) {
        throw new Error(`parity of an exact copy did not pass: ${JSON.stringify(p.result)}`);
      }
      parities.push(p.ms);
      parityCpu.push(p.cpuMs);
      console.log(`run ${run}: copy ${seconds(copy.ms)}, CPU ${seconds(copyCpu.at(-1)!)} (load before ${copyLoad}); `
        + `parity ${seconds(p.ms)}, servers' CPU ${seconds(p.cpuMs)} (load before ${parityLoad}), passed, ${p.result.sourceRows} rows each side`);
    }

    console.log(`\n## one changed row in ${ROWS.toLocaleString('en')} (destination id ${CHANGED_ID}, column name)`);
    await withClient(dst, (c) => c.query(`UPDATE public.items SET name = name || ' (changed)' WHERE id = $1`, [CHANGED_ID]));
    await withClient(dst, (c) => c.query('VACUUM public.items'));
    const whole: number[] = [];
    const steps: Steps[] = [];
    for (let run = 1; run <= RUNS; run++) {
      await checkpoint(servers);
      const wholeLoad = load();
      const p = await parityOnce(servers, planFile);
      expectOneChanged(p.result);
      whole.push(p.ms);
      const ctx = await openEngine(planFile, servers.source.url(SOURCE_DB), dst);
      try {
        const stepLoad = load();
        const s = await locateSteps(ctx);
        expectOneChanged({ ...p.result, differences: JSON.parse(s.found) as ParityResult['differences'] });
        steps.push(s);
        console.log(`run ${run}: checkParity ${seconds(p.ms)} (load before ${wholeLoad}); steps (load before ${stepLoad}): `
          + `probe+snapshots ${seconds(s.setup)}, detect (both sides' buckets) ${seconds(s.detect)}, compare ${seconds(s.compare)}, `
          + `narrow ${seconds(s.narrow)}; ${s.differingBuckets} of ${s.buckets} buckets differ, ${s.rowsInThem} rows in them`);
      } finally {
        await ctx.close();
      }
    }

    const copy = median(copies);
    const parity = median(parities);
    const step = (k: keyof Steps) => median(steps.map((s) => s[k] as number));
    console.log(`\n## Medians of ${RUNS} runs`);
    console.log(table([
      ['measure', 'median', 'min', 'max', 'ratio', 'target'],
      ['copy (copyClass, 50k batches)', seconds(copy), seconds(Math.min(...copies)), seconds(Math.max(...copies)), '', ''],
      ['  its CPU (node + both servers)', seconds(median(copyCpu)), '', '', '', ''],
      ['parity of the copied class', seconds(parity), seconds(Math.min(...parities)), seconds(Math.max(...parities)), `${ratio(parity, copy)} of copy`, '<= 0.5x'],
      ['  its CPU (both servers)', seconds(median(parityCpu)), '', '', `${ratio(median(parityCpu), median(copyCpu))} of copy CPU`, ''],
      ['1 changed row: checkParity end to end', seconds(median(whole)), seconds(Math.min(...whole)), seconds(Math.max(...whole)), `${ratio(median(whole), copy)} of copy`, ''],
      ['  detect: both sides bucket at once', seconds(step('detect')), '', '', '', ''],
      ['  locate: narrow() (keys of the differing bucket, columns)', seconds(step('narrow')), seconds(Math.min(...steps.map((s) => s.narrow))),
        seconds(Math.max(...steps.map((s) => s.narrow))), '', '< 1 s'],
      ['  detect + compare + locate', seconds(step('detect') + step('compare') + step('narrow')), '', '', '', ''],
    ]));
    console.log(`\npeak RSS of this process (parity runs in it; copies in their own): ${mb(process.resourceUsage().maxRSS)}`);
    console.log(`finished in ${seconds(Date.now() - started)}; ${machine()[3]}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await servers.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
