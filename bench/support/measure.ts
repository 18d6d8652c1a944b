// Small helpers shared by the benchmarks: argument parsing, child processes, medians, the machine.
import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkerInput, WorkerOutput } from './worker.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WORKER = path.join(ROOT, 'bench', 'support', 'worker.ts');

/** `--name value` options (and bare `--flag`) of the command line. */
export function options(argv: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    const [name, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
    if (inline !== undefined) out.set(name, inline);
    else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) out.set(name, argv[++i]!);
    else out.set(name, 'true');
  }
  return out;
}

export function intOption(opts: Map<string, string>, name: string, fallback: number): number {
  const v = opts.get(name);
  if (v === undefined) return fallback;
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} ${v}: a positive whole number, please`);
  return n;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function seconds(ms: number): string {
  return Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : 'n/a';
}

export function ratio(x: number, base: number): string {
  return Number.isFinite(x) && Number.isFinite(base) && base > 0 ? `${(x / base).toFixed(2)}x` : 'n/a';
}

export function mb(kb: number): string {
  return Number.isFinite(kb) ? `${(kb / 1024).toFixed(0)} MB` : 'n/a';
}

/** The 1-minute load average, as `uptime` shows it. */
export function load(): string {
  return os.loadavg().map((l) => l.toFixed(2)).join(' ');
}

export function uptime(): string {
  return spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();
}

export function machine(): string[] {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return [
    `nproc: ${spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()} (${cpu})`,
    `memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB total, ${(os.freemem() / 2 ** 30).toFixed(1)} GiB free`,
    `node: ${process.version}; kernel: ${os.release()}`,
    `uptime: ${uptime()}`,
  ];
}

/** Runs one measured copy in a process of its own (bench/support/worker.ts). */
export function runWorker(input: WorkerInput): Promise<WorkerOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(input)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (status) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      if (status !== 0 || !last.startsWith('{')) return reject(new Error(`worker ${input.mode} failed (exit ${status}):\n${stderr}${stdout}`));
      resolve(JSON.parse(last) as WorkerOutput);
    });
  });
}

/** A child process to completion, with the time each stdout line arrived (ms from the start). */
export function runTimed(command: string, args: readonly string[], env: Record<string, string>, cwd = ROOT): Promise<{
  status: number | null; ms: number; lines: { at: number; text: string }[]; stdout: string; stderr: string;
}> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: { at: number; text: string }[] = [];
    let stdout = '';
    let partial = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      partial += c;
      const parts = partial.split('\n');
      partial = parts.pop()!;
      const at = performance.now() - started;
      for (const text of parts) lines.push({ at, text });
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (status) => {
      const ms = performance.now() - started;
      if (partial) lines.push({ at: ms, text: partial });
      resolve({ status, ms, lines, stdout, stderr });
    });
  });
}

/** `Maximum resident set size (kbytes): N` from /usr/bin/time -v. */
export function maxRssFromTime(stderr: string): number {
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  return m ? Number(m[1]) : NaN;
}

/** A table of rows of cells, columns padded. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}
