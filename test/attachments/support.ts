// Temporary folders with real files for the attachment tests: a workspace holding the plan's
// folder (with its source and destination roots) and a folder outside both roots, and a listing of
// everything in it, to show that nothing was written where it must not be.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, lstatSync, writeFileSync, openSync, readSync, writeSync, closeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface Workspace {
  /** the workspace folder (the parent of everything below) */
  dir: string;
  /** the plan file's folder */
  planDir: string;
  /** absolute source_root (`./legacy-files` of planDir) */
  source: string;
  /** absolute destination_root (`./storefront-files` of planDir) */
  destination: string;
  /** a folder outside both roots, with a secret file in it */
  outside: string;
  /** writes a file under the source root, returns its sha256 */
  put(relative: string, content: string | Buffer): string;
  remove(): void;
}

const made: string[] = [];

export function workspace(): Workspace {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cutover-attachments-'));
  made.push(dir);
  const planDir = path.join(dir, 'plan');
  const source = path.join(planDir, 'legacy-files');
  const destination = path.join(planDir, 'storefront-files');
  const outside = path.join(dir, 'outside');
  for (const d of [planDir, source, outside]) mkdirSync(d, { recursive: true });
  writeFileSync(path.join(outside, 'secret.txt'), 'not for copying\n');
  return {
    dir, planDir, source, destination, outside,
    put(relative, content) {
      const file = path.join(source, relative);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, content);
      return sha256(typeof content === 'string' ? Buffer.from(content) : content);
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function removeWorkspaces(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function sha256OfFile(file: string): string {
  return sha256(readFileSync(file));
}

/** Every entry under `dir` (relative, `/`-separated, links as `-> target`), sorted, except `skip`. */
export function listing(dir: string, skip: string[] = []): string[] {
  const out: string[] = [];
  const walk = (folder: string, rel: string) => {
    for (const name of readdirSync(folder)) {
      const child = rel ? `${rel}/${name}` : name;
      const abs = path.join(folder, name);
      if (skip.includes(abs)) continue;
      const st = lstatSync(abs);
      if (st.isDirectory()) {
        out.push(`${child}/`);
        walk(abs, child);
      } else {
        out.push(st.isSymbolicLink() ? `${child} (link)` : `${child} (${st.size})`);
      }
    }
  };
  walk(dir, '');
  return out.sort();
}

/** Flips one byte of a file in place (its length unchanged). */
export function flipByte(file: string, at = 0): void {
  const fd = openSync(file, 'r+');
  try {
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, at);
    b[0] ^= 0xff;
    writeSync(fd, b, 0, 1, at);
  } finally {
    closeSync(fd);
  }
}

/** Writes `megabytes` MB of random-looking data to `file` a megabyte at a time; returns its sha256. */
export async function bigFile(file: string, megabytes: number): Promise<string> {
  mkdirSync(path.dirname(file), { recursive: true });
  const hash = createHash('sha256');
  const chunk = randomBytes(1 << 20);
  const handle = await open(file, 'w');
  try {
    for (let i = 0; i < megabytes; i++) {
      chunk.writeUInt32BE(i, 0); // each megabyte differs
      hash.update(chunk);
      await handle.write(chunk);
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}
