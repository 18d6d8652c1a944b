// Every regular file under source_root, referenced or not: a streaming walk (fs.opendir, one open
// folder per level of depth, never the whole tree in memory; symbolic links are not followed), and
// the orphans among them, files no row references.
//
// The references are kept as 64-bit digests of the normalised relative paths in one sorted typed
// array (8 bytes a row, whatever the path lengths): 10 million rows take 80 MB. An orphan whose
// digest matches one of a million references (odds about 1 in 10^13 per file) would go unreported;
// orphans never fail the check, so nothing else depends on it.
import { createHash } from 'node:crypto';
import { lstat, opendir } from 'node:fs/promises';
import path from 'node:path';
import { codeOf } from './read-file.js';

export interface InventoryOptions {
  /** absolute folders under the root to leave out (e.g. destination_root nested in source_root) */
  exclude?: readonly string[];
  /** a folder that cannot be listed (its relative path, `` for the root) and the error code */
  onUnreadable?: (relativeFolder: string, code: string) => void;
}

/** Relative (`/`-separated) paths of the regular files under `root`, depth first. */
export async function* inventoryFiles(root: string, options: InventoryOptions = {}): AsyncGenerator<string> {
  const excluded = new Set((options.exclude ?? []).map((p) => path.resolve(p)));
  async function* walk(folder: string, relative: string): AsyncGenerator<string> {
    let dir;
    try {
      dir = await opendir(folder);
    } catch (e) {
      options.onUnreadable?.(relative, codeOf(e));
      return;
    }
    for await (const entry of dir) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      const absolute = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        if (!excluded.has(absolute)) yield* walk(absolute, child);
      } else if (entry.isFile()) {
        yield child;
      }
      // symbolic links, sockets, FIFOs, devices: not files of the inventory, never followed
    }
  }
  yield* walk(path.resolve(root), '');
}

function digest(relative: string): bigint {
  return createHash('sha256').update(relative).digest().readBigUInt64BE(0);
}

/** The set of normalised relative source paths rows reference, 8 bytes per entry. */
export class ReferenceSet {
  private digests = new BigUint64Array(1024);
  private length = 0;
  private sealed = false;

  add(relative: string): void {
    if (this.sealed) throw new Error('ReferenceSet: add after seal');
    if (this.length === this.digests.length) {
      const grown = new BigUint64Array(this.digests.length * 2);
      grown.set(this.digests);
      this.digests = grown;
    }
    this.digests[this.length++] = digest(relative);
  }

  get size(): number {
    return this.length;
  }

  /** sorts the digests; `has` may be called from then on */
  seal(): void {
    if (this.sealed) return;
    this.digests = this.digests.slice(0, this.length).sort();
    this.sealed = true;
  }

  has(relative: string): boolean {
    if (!this.sealed) this.seal();
    const d = digest(relative);
    let lo = 0;
    let hi = this.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.digests[mid];
      if (v === d) return true;
      if (v < d) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }
}

export interface Orphan {
  path: string;
  bytes: number;
}

/** Files under `root` that `referenced` does not hold, as the walk finds them. */
export async function* orphanFiles(root: string, referenced: ReferenceSet, options: InventoryOptions & { onFile?: (relative: string) => void } = {}): AsyncGenerator<Orphan> {
  referenced.seal();
  const base = path.resolve(root);
  for await (const relative of inventoryFiles(base, options)) {
    options.onFile?.(relative);
    if (referenced.has(relative)) continue;
    let bytes = 0;
    try {
      bytes = (await lstat(path.join(base, relative))).size;
    } catch {
      // gone since listed: still worth naming
    }
    yield { path: relative, bytes };
  }
}
