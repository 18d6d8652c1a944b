// An attachments class end to end: read its rows from the source, copy every file they name from
// source_root to destination_root (copy-files.ts), re-read every destination file to verify it
// (verify-files.ts), and inventory source_root for orphans (inventory.ts). One CheckResult.
//
// Rows. The source is read through the class (`sourceFrom`: ONLY, `where`) in key-ordered batches
// with keyset pagination (`key > last key of the previous batch ORDER BY key LIMIT n`), each batch
// copied and verified before the next is read, so neither rows nor files are ever all in memory.
// Each batch is one statement in its own READ ONLY transaction (or the caller's snapshot, with
// `sourceInSnapshot`): no transaction stays open on the source for the hours a copy of many files
// can take.
//
// Destination paths. The destination path is read on the SOURCE, through the class's mapping
// expression for the `files.destination_path` column (mappedColumns, the one place a mapping
// becomes SQL), not from the destination row. Why: it needs no destination row yet (the mirror
// copies files of rows it is about to write; a file copy never waits on a row copy), it is one
// statement per batch on one side, and it is what the destination row holds exactly when parity
// passes — parity compares every destination row with the same mapped values, so a destination row
// holding another path is reported there. `destination` is therefore not queried.
//
// Verdict. `passed` when no problem but orphans: missing, corrupt, checksum-mismatch, a path that
// is absolute, climbs out of its root or goes through a link outside it, unreadable, unwritable,
// or a row with a file but no destination path. Orphans (files under source_root no row of the
// class references, including rows `where` leaves out) are listed, and never fail.
import { lstat, mkdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { keyJson, keyOrder, rangePredicate } from '../copy/key-range.js';
import { mappedColumns, sourceFrom } from '../copy/mapped-select.js';
import type { QueryRunner } from '../db/query-runner.js';
import { quoteIdent } from '../db/sql-identifiers.js';
import type { CheckResult } from '../diff/plan-result.js';
import { Failure } from '../failure.js';
import { findTable, type Catalog, type CatalogTable } from '../introspect/catalog.js';
import type { FilesSection, Plan, RecordClass } from '../plan/types.js';
import { plural, thousands } from '../words.js';
import { copyAttachments, type AttachmentRoots, type AttachmentRow } from './copy-files.js';
import { ProblemTally, shownPath } from './file-problem.js';
import { orphanFiles, ReferenceSet } from './inventory.js';
import { isInside, normaliseStored } from './safe-path.js';
import { verifyAttachments, type VerifyItem } from './verify-files.js';

export interface CopyAndVerifyAttachmentsInput {
  plan: Plan;
  className: string;
  source: QueryRunner;
  /** not queried: destination paths come through the mapping on the source (see above) */
  destination?: QueryRunner;
  sourceCatalog: Catalog;
  destinationCatalog: Catalog;
  /** the plan file's folder: `source_root` and `destination_root` are relative to it */
  planDir: string;
  checkedAt: Date;
  /** false: verify only (no file written), recomputing each source file's sha256. Default true. */
  copy?: boolean;
  /** rows per batch (default 500) */
  batchRows?: number;
  /** files copied or verified at once (default 4) */
  concurrency?: number;
  /** the caller holds the source in a transaction (a snapshot) to read in, and ends it */
  sourceInSnapshot?: boolean;
  onProgress?: (p: { class: string; rows: number; files: number; bytes: number }) => void;
}

export interface AttachmentDetails {
  mode: 'copy' | 'verify';
  /** the plan's roots, as written (relative to the plan's folder) */
  sourceRoot: string;
  destinationRoot: string;
  /** rows of the class read (after `where`) */
  rows: number;
  /** rows whose path column is NULL: no file */
  rowsWithoutFile: number;
  /** destination files verified (sha256 equal to the source's) */
  files: number;
  /** bytes of the verified files */
  bytes: number;
  copied: number;
  /** already present at the destination with the same size and sha256 */
  skipped: number;
  /** regular files found under source_root */
  inventoried: number;
  orphans: number;
  orphanBytes: number;
  /** folders under source_root that could not be listed (their orphans are unknown) */
  unlistedFolders: number;
  problems: Record<string, number>;
}

interface SourceRow {
  k: unknown[];
  p: string | null;
  c: string | null;
  d: string | null;
}

function classOf(plan: Plan, className: string): RecordClass & { files: FilesSection } {
  const cls = plan.classes[className];
  if (!cls) throw new Failure('attachments.class-missing', `there is no class ${className} in the plan`);
  if (!cls.files) {
    throw new Failure('attachments.not-attachments', `class ${className} has no \`files\` section`, 'an attachments class names its files under `files:` (path, destination_path, source_root, destination_root)');
  }
  return cls as RecordClass & { files: FilesSection };
}

function sourceColumn(table: CatalogTable, column: string, what: string, className: string): string {
  if (!table.columns.some((c) => c.name === column)) {
    throw new Failure('attachments.column-missing', `class ${className}: ${what} \`${column}\` is not a column of the source table ${table.qualified}`,
      `name a column of ${table.qualified}`);
  }
  return `src.${quoteIdent(column)}`;
}

async function sourceRootOf(planDir: string, files: FilesSection, className: string): Promise<string> {
  const root = path.resolve(planDir, files.source_root);
  const stats = await lstat(root).catch(() => null);
  if (!stats) throw new Failure('attachments.source-root-missing', `source_root ${files.source_root} of class ${className} does not exist`, 'source_root is relative to the plan file\'s folder');
  const real = await realpath(root);
  if (!(await lstat(real)).isDirectory()) throw new Failure('attachments.source-root-missing', `source_root ${files.source_root} of class ${className} is not a folder`);
  return real;
}

async function destinationRootOf(planDir: string, files: FilesSection, className: string): Promise<string> {
  const root = path.resolve(planDir, files.destination_root);
  try {
    await mkdir(root, { recursive: true });
    return await realpath(root);
  } catch (e) {
    const code = (e as { code?: string }).code ?? 'error';
    throw new Failure('attachments.destination-root', `destination_root ${files.destination_root} of class ${className} cannot be created (${code})`,
      'destination_root is relative to the plan file\'s folder; cutover needs to write there');
  }
}

async function readBatch(db: QueryRunner, sql: string, inSnapshot: boolean, className: string): Promise<SourceRow[]> {
  try {
    if (inSnapshot) return (await db.query<SourceRow>(sql)).rows;
    await db.query('BEGIN TRANSACTION READ ONLY');
    try {
      return (await db.query<SourceRow>(sql)).rows;
    } finally {
      await db.query('ROLLBACK').catch(() => undefined);
    }
  } catch (e) {
    if (e instanceof Failure) throw e;
    throw new Failure('attachments.source-read', `reading the rows of attachments class ${className} on the source failed: ${(e as Error).message}`,
      'check the class\'s `where`, `files` columns and the mapping of `files.destination_path`');
  }
}

/** The class's rows, in key order, batch by batch. */
async function* sourceBatches(input: CopyAndVerifyAttachmentsInput, cls: RecordClass & { files: FilesSection }, table: CatalogTable, batchRows: number): AsyncGenerator<SourceRow[]> {
  const { files } = cls;
  const key = cls.source.key;
  const pathSql = sourceColumn(table, files.path, 'files.path', input.className);
  const checksumSql = files.checksum ? sourceColumn(table, files.checksum, 'files.checksum', input.className) : 'NULL';
  const destinationTable = findTable(input.destinationCatalog, cls.destination.table);
  const mapped = mappedColumns(cls, undefined, destinationTable).find((m) => m.column === files.destination_path);
  if (!mapped) {
    throw new Failure('attachments.destination-path-unmapped', `class ${input.className}: files.destination_path \`${files.destination_path}\` is not mapped in \`columns\``,
      'name the destination column, as written on the left of `columns`');
  }
  let after: unknown[] | null = null;
  for (;;) {
    const range = rangePredicate(key, table, after, null);
    const sql = `SELECT ${keyJson(key)} AS k, (${pathSql})::text AS p, (${checksumSql})::text AS c, (${mapped.sql})::text AS d `
      + `${sourceFrom(cls, table, range)} ORDER BY ${keyOrder(key)} LIMIT ${batchRows}`;
    const rows = await readBatch(input.source, sql, input.sourceInSnapshot ?? false, input.className);
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < batchRows) return;
    after = rows[rows.length - 1].k;
  }
}

function formatBytes(n: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${n} bytes` : `${v.toFixed(1)} ${units[i]}`;
}

function summaryOf(className: string, d: AttachmentDetails, tally: ProblemTally, passed: boolean): string {
  const orphans = d.orphans
    ? `; ${plural(d.orphans, 'orphan file')} under source_root (reported, orphans do not fail the check)`
    : '; no orphan files under source_root';
  const unlisted = d.unlistedFolders ? ` (${plural(d.unlistedFolders, 'folder')} could not be listed)` : '';
  const work = d.mode === 'copy'
    ? `${plural(d.files, 'file')} (${formatBytes(d.bytes)}) verified: ${thousands(d.copied)} copied, ${thousands(d.skipped)} already present`
    : `${plural(d.files, 'file')} (${formatBytes(d.bytes)}) verified against the source`;
  if (passed) return `attachments of ${className}: ${work}${orphans}${unlisted}`;
  const failing = tally.toProblems().filter((p) => p.kind !== 'orphan').map((p) => `${thousands(p.count)} ${p.kind}`).join(', ');
  return `attachments of ${className} failed: ${failing}; ${work}${orphans}${unlisted}`;
}

export async function copyAndVerifyAttachments(input: CopyAndVerifyAttachmentsInput): Promise<CheckResult> {
  const cls = classOf(input.plan, input.className);
  const { files } = cls;
  const table = findTable(input.sourceCatalog, cls.source.table);
  if (!table) throw new Failure('attachments.table-missing', `class ${input.className}: the source table ${cls.source.table} does not exist`, 'run `cutover plan` to see what the plan refers to');
  const copying = input.copy ?? true;
  const roots: AttachmentRoots = {
    source: await sourceRootOf(input.planDir, files, input.className),
    destination: copying
      ? await destinationRootOf(input.planDir, files, input.className)
      : await realpath(path.resolve(input.planDir, files.destination_root)).catch(() => path.resolve(input.planDir, files.destination_root)),
  };
  const concurrency = input.concurrency ?? 4;
  const references = new ReferenceSet();
  const reference = (relative: string) => references.add(relative);
  const tally = new ProblemTally();
  const details: AttachmentDetails = {
    mode: copying ? 'copy' : 'verify', sourceRoot: files.source_root, destinationRoot: files.destination_root,
    rows: 0, rowsWithoutFile: 0, files: 0, bytes: 0, copied: 0, skipped: 0, inventoried: 0, orphans: 0, orphanBytes: 0, unlistedFolders: 0, problems: {},
  };

  const batchRows = Math.max(1, Math.floor(input.batchRows ?? 500));
  for await (const batch of sourceBatches(input, cls, table, batchRows)) {
    details.rows += batch.length;
    const rows: AttachmentRow[] = [];
    for (const r of batch) {
      if (r.p === null) {
        details.rowsWithoutFile++;
      } else if (r.d === null) {
        const stored = normaliseStored(r.p);
        if (stored.ok) references.add(stored.segments.join('/')); // referenced all the same: not an orphan
        tally.add({ kind: 'no-destination-path', key: r.k, path: shownPath(r.p), side: 'source', detail: 'the row maps to no destination path' });
      } else {
        rows.push({ key: r.k, sourcePath: r.p, destinationPath: r.d, claimed: r.c });
      }
    }

    let toVerify: (VerifyItem & { claimed: string | null })[];
    if (copying) {
      const copied = await copyAttachments(rows, roots, { concurrency, onReference: reference });
      tally.addAll(copied.problems);
      details.copied += copied.copied;
      details.skipped += copied.skipped;
      // verified from the sha256 of the bytes the copy read (and wrote)
      toVerify = copied.files.map((f) => ({ key: f.key, sourcePath: f.sourcePath, destinationPath: f.path, sha256: f.sha256, bytes: f.bytes, claimed: null }));
    } else {
      toVerify = rows.map((r) => ({ key: r.key, sourcePath: r.sourcePath, destinationPath: r.destinationPath, sha256: null, claimed: r.claimed }));
    }
    const verified = await verifyAttachments(toVerify, roots, {
      concurrency,
      onReference: copying ? undefined : reference,
      onVerified: (item, found) => {
        // verify-only: the claim is checked against the recomputed source sha256 (equal to the destination's)
        const claimed = item.claimed?.trim().toLowerCase();
        if (claimed && claimed !== found.sha256) {
          tally.add({ kind: 'checksum-mismatch', key: item.key, path: shownPath(item.sourcePath), side: 'source', detail: 'the claimed sha256 differs from the file\'s content' });
        }
      },
    });
    tally.addAll(verified.problems);
    details.files += verified.verified;
    details.bytes += verified.bytes;
    input.onProgress?.({ class: input.className, rows: details.rows, files: details.files, bytes: details.bytes });
  }

  // the destination root nested in the source root holds copies, not orphans
  const exclude = isInside(roots.source, roots.destination) && roots.destination !== roots.source ? [roots.destination] : [];
  for await (const orphan of orphanFiles(roots.source, references, {
    exclude,
    onFile: () => { details.inventoried++; },
    onUnreadable: () => { details.unlistedFolders++; },
  })) {
    details.orphans++;
    details.orphanBytes += orphan.bytes;
    tally.add({ kind: 'orphan', key: [], path: orphan.path, side: 'source', detail: `${orphan.bytes} bytes` });
  }

  details.problems = tally.counts();
  const passed = tally.failing() === 0;
  return {
    class: input.className,
    kind: 'attachments',
    passed,
    checkedAt: input.checkedAt.toISOString(),
    summary: summaryOf(input.className, details, tally, passed),
    problems: tally.toProblems(),
    details,
  };
}
