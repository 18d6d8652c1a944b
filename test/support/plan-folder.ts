// Plan files for the end-to-end tests: a temporary folder to write them in, and the YAML they
// start with. Plans name their databases through `${SRC_URL}` / `${DST_URL}` (urlEnv gives the
// environment the CLI reads them from), so no secret is ever in a file.
// No vitest import here: the benchmarks write plans with it too.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A temporary folder for one test file's plan files; `remove()` it in afterAll. */
export class PlanFolder {
  readonly dir: string;

  constructor(prefix = 'cutover-plan-test-') {
    this.dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  }

  /** Writes a plan file and returns its path. */
  write(name: string, yaml: string): string {
    const file = this.path(name);
    writeFileSync(file, yaml);
    return file;
  }

  path(name: string): string {
    return path.join(this.dir, name);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The environment a plan file's `${SRC_URL}` and `${DST_URL}` are read from. */
export function urlEnv(sourceUrl: string, destinationUrl: string): Record<string, string> {
  return { SRC_URL: sourceUrl, DST_URL: destinationUrl };
}

/**
 * The head of a plan: version, name, target (and clock when given), the source (schema public)
 * and the destination, their URLs `${SRC_URL}` / `${DST_URL}` unless given. Ends with a newline.
 */
export function planHead(o: { name: string; target: string; clock?: string; sourceUrl?: string; destinationUrl?: string }): string {
  return `version: 1
name: ${o.name}
target: ${o.target}
${o.clock ? `clock: ${o.clock}\n` : ''}source:
  url: ${o.sourceUrl ?? '${SRC_URL}'}
  schemas: [public]
destination:
  url: ${o.destinationUrl ?? '${DST_URL}'}
`;
}

/**
 * The smallest valid plan, for tests that never reach a database: one class `customers`
 * (customer → app.customers, key id), target locked and `embedded:` URLs unless given; then `extra`.
 */
export function minimalPlan(o: { name: string; target?: string; sourceUrl?: string; extra?: string }): string {
  return `${planHead({ name: o.name, target: o.target ?? 'locked', sourceUrl: o.sourceUrl ?? 'embedded:src', destinationUrl: 'embedded:dst' })}classes:
  customers:
    source: { table: customer, key: [id] }
    destination: { table: app.customers, key: [id] }
    columns: { id: id }
    reverse: { id: id }
${o.extra ?? ''}`;
}

/** A `lock:` section: schema and integrations (default enforce), and lock.data (YAML indented for its place; default pause). */
export function lockSection(o: { schema?: string; integrations?: string; data?: string } = {}): string {
  return `lock:
  schema: ${o.schema ?? 'enforce'}
  integrations: ${o.integrations ?? 'enforce'}
  data:
${o.data ?? '    mode: pause'}
`;
}
