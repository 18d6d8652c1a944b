// CPU seconds a PostgreSQL server spent, read from /proc: the postmaster's own time, the time of
// its children that have exited and been reaped (cutime/cstime), and that of every live child
// (backends, checkpointer, walwriter…). The difference of two readings is what the server spent
// in between, whoever's backend did it. On a shared, loaded machine wall time stretches with the
// load; CPU seconds much less so, which makes them the steadier figure to compare methods by.
import { readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** fields of /proc/PID/stat after the command name: [state, ppid, …] (index 0 = field 3) */
function stat(pid: number | string): string[] | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** CPU ms of the server whose postmaster is `pid`, so far (NaN when /proc cannot tell). */
export function serverCpuMs(pid: number): number {
  const own = stat(pid);
  if (!own) return NaN;
  // utime, stime, cutime, cstime are fields 14-17, i.e. indexes 11-14 here
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = stat(entry);
    if (s && Number(s[1]) === pid) ticks += Number(s[11]) + Number(s[12]);
  }
  return (ticks * 1000) / TICKS;
}

/** `User time (seconds)` + `System time (seconds)` from /usr/bin/time -v, in ms. */
export function cpuFromTime(stderr: string): number {
  const user = /User time \(seconds\): ([\d.]+)/.exec(stderr);
  const system = /System time \(seconds\): ([\d.]+)/.exec(stderr);
  return user && system ? (Number(user[1]) + Number(system[1])) * 1000 : NaN;
}
