// Files shipped with cutover (schemas), found from this module whether it runs from the sources
// (tests) or from the compiled dist/ folder.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json')) || !existsSync(path.join(dir, 'schemas'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the cutover package folder');
    dir = parent;
  }
  root = dir;
  return dir;
}

export function schemaPath(name: string): string {
  return path.join(packageRoot(), 'schemas', name);
}
