// Finds the YAML node behind a path into the plan (`['classes', 'customers', 'source']`), so every
// diagnostic — from the schema or from a semantic rule — points at the line the user wrote.
import { isAlias, isMap, isPair, isScalar, isSeq, type Node, type Pair } from 'yaml';
import type { Position } from '../diagnostics.js';
import { positionAt, type SourceDocument } from './yaml-document.js';

export type PlanPath = readonly (string | number)[];

interface Located {
  node: Node | null;
  pair: Pair | null; // the pair whose value is `node`, when it is a mapping value
  depth: number; // how much of the path was found
}

function locate(source: SourceDocument, path: PlanPath): Located {
  let node = source.doc.contents as Node | null;
  let pair: Pair | null = null;
  let depth = 0;
  for (const segment of path) {
    if (node && isAlias(node)) node = (node.resolve(source.doc) as Node | undefined) ?? null;
    if (node && isMap(node)) {
      const found = node.items.find((p) => isPair(p) && keyText(p.key) === String(segment));
      if (!found) break;
      pair = found;
      node = (found.value as Node | null) ?? null;
    } else if (node && isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
      pair = null;
      node = (node.items[segment] as Node | null) ?? null;
    } else break;
    depth++;
  }
  return { node, pair, depth };
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function offsetOf(node: Node | null | undefined): number | undefined {
  return node?.range ? node.range[0] : undefined;
}

/** The YAML node holding the value at `path`, when the whole path is found. */
export function nodeAt(source: SourceDocument, path: PlanPath): Node | undefined {
  const { node, depth } = locate(source, path);
  if (depth !== path.length || !node) return undefined;
  return isAlias(node) ? ((node.resolve(source.doc) as Node | undefined) ?? undefined) : node;
}

/** True when the value at `path` kept an unresolved `${…}`: its variable diagnostic says it all. */
export function isUnresolved(source: SourceDocument, path: PlanPath): boolean {
  const node = nodeAt(source, path);
  return !!node && source.unresolved.has(node);
}

/** Where the value at `path` starts; falls back to its key, then to the deepest ancestor found. */
export function valuePosition(source: SourceDocument, path: PlanPath): Position {
  const { node, pair, depth } = locate(source, path);
  const offset =
    depth === path.length ? offsetOf(node) ?? offsetOf(pair?.key as Node) : offsetOf(pair?.key as Node) ?? offsetOf(node);
  return positionAt(source.lines, offset ?? 0);
}

/** Where the key naming `path` starts (the value for sequence items and the document root). */
export function keyPosition(source: SourceDocument, path: PlanPath): Position {
  const { node, pair, depth } = locate(source, path);
  const offset = depth === path.length && pair ? offsetOf(pair.key as Node) : offsetOf(node) ?? offsetOf(pair?.key as Node);
  return positionAt(source.lines, offset ?? 0);
}

/** Where a finding about `path` should point: the key of a block mapping or list (`columns:`),
 * whose value would otherwise start at its first entry; the value of anything else. */
export function findingPosition(source: SourceDocument, path: PlanPath): Position {
  const { node, pair, depth } = locate(source, path);
  if (depth === path.length && pair && (isMap(node) || isSeq(node)) && !node.flow) return keyPosition(source, path);
  return valuePosition(source, path);
}

/** Offset of the raw source text of the value at `path`, to point inside a scalar. */
export function valueRange(source: SourceDocument, path: PlanPath): [number, number] | undefined {
  const { node, depth } = locate(source, path);
  if (depth !== path.length || !node?.range) return undefined;
  return [node.range[0], node.range[1]];
}

/** Human form of a path: `classes.customers.source.key`, `custom_code[2].source`. */
export function displayPath(path: PlanPath): string {
  if (path.length === 0) return 'the plan';
  return path.reduce<string>((acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), '');
}
