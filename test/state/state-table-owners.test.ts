// The state tables of dual-run, go-live and rollback are read and written by their stores in
// engine/state/ alone: their meaning (a failed compare kept for good, a parked change counted
// once) lives in one place. Read from the source files, no database.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TABLES = 'parked_changes|compare_runs|compare_samples|hook_runs|rehearsals|mirror_status|capture_log_positions';
// `${quoteIdent(schema)}.hook_runs`, `{schema}.hook_runs`, or the table named after a SQL keyword
const IN_SQL = new RegExp(`\\}\\.(?:${TABLES})\\b|\\b(?:FROM|INTO|UPDATE|JOIN|TABLE)\\s+(?:${TABLES})\\b`, 'i');

function sources(dir: string): { file: string; text: string }[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.tsx?$/.test(f))
    .map((f) => `${dir}/${f.split(path.sep).join('/')}`)
    .map((file) => ({ file, text: readFileSync(path.join(ROOT, file), 'utf8') }));
}

describe('phase three to five state tables', () => {
  it('are named in SQL only by the stores in engine/state/', () => {
    const all = [...sources('engine'), ...sources('cli')];
    const owners = all.filter((f) => IN_SQL.test(f.text)).map((f) => f.file);
    expect(owners.length).toBeGreaterThan(0);
    expect(owners.filter((f) => !f.startsWith('engine/state/'))).toEqual([]);
  });
});
