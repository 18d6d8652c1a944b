// What the source-side checks share: how a class's source table is named in SQL, how a batch of
// statements runs in one round trip inside a transaction wrapper, and how a database error's
// position is traced back to the plan fragment (mapping expression, `where`, CHECK) that caused it.
import type { QueryRunner } from '../../db/query-runner.js';
import { quoteIdent } from '../../db/sql-identifiers.js';
import { findTable, type Catalog, type CatalogTable } from '../../introspect/catalog.js';
import type { RecordClass } from '../../plan/types.js';
import { readTableName } from '../../plan/plan-names.js';

/** YAML position of a plan node, by path: `['classes', 'invoices', 'columns', 'total_cents']`. */
export type { Locate } from '../locate.js';

/** What pg reports of one result column (pg's FieldDef). */
export interface Field {
  name: string;
  dataTypeID: number;
  dataTypeModifier: number;
}

/** One statement's result out of a multi-statement simple query. */
export interface StatementResult {
  command?: string;
  rows: Record<string, unknown>[];
  fields?: Field[];
}

/** A database error as pg reports it: message and, for parse errors, a 1-based character position. */
export interface DbError {
  message: string;
  code?: string;
  position?: string;
}

/**
 * Whether e is an error of the statement (bad SQL, bad data, missing privilege) rather than of the
 * session or server (connection lost, shutdown, out of resources, cancelled): only the former are
 * findings; the latter propagate.
 */
export function isStatementError(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return false;
  return !['08', '53', '57', '58', 'XX'].includes(code.slice(0, 2));
}

export function dbError(e: unknown): DbError {
  const err = e as { message?: unknown; code?: unknown; position?: unknown };
  return {
    message: typeof err?.message === 'string' ? err.message : String(e),
    code: typeof err?.code === 'string' ? err.code : undefined,
    position: typeof err?.position === 'string' ? err.position : undefined,
  };
}

/**
 * Runs text as one simple query (no bind parameters, so it may hold several statements) and returns
 * one result per statement. pg returns an array for several statements and a single result for one.
 */
export async function runSimple(runner: QueryRunner, text: string): Promise<StatementResult[]> {
  const result = (await runner.query(text)) as unknown;
  return (Array.isArray(result) ? result : [result]) as StatementResult[];
}

/**
 * SQL text built from plain pieces and labelled fragments, remembering where each fragment sits
 * (in characters, as PostgreSQL counts error positions) so an error can be traced to it.
 */
export class SqlText {
  private readonly pieces: string[] = [];
  private length = 0;
  readonly spans: { id: string; start: number; end: number }[] = [];

  add(text: string): this {
    this.pieces.push(text);
    this.length += charCount(text);
    return this;
  }

  /**
   * A plan fragment, wrapped in parentheses on lines of its own so that a trailing `-- comment`
   * in it ends at its line and it binds as one expression.
   */
  fragment(id: string, sql: string): this {
    const text = `(\n${sql}\n)`;
    this.spans.push({ id, start: this.length, end: this.length + charCount(text) });
    return this.add(text);
  }

  get text(): string {
    return this.pieces.join('');
  }

  get chars(): number {
    return this.length;
  }
}

function charCount(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** How a batch is wrapped: a read-only transaction of its own, or a savepoint inside one. */
export interface Wrapper {
  begin: string;
  end: string;
  /** run after a failed batch, to leave the session usable */
  abort: string;
}

export const READ_ONLY_TRANSACTION: Wrapper = { begin: 'BEGIN READ ONLY', end: 'ROLLBACK', abort: 'ROLLBACK' };

export function savepoint(name: string): Wrapper {
  const sp = quoteIdent(name);
  return {
    begin: `SAVEPOINT ${sp}`,
    end: `RELEASE SAVEPOINT ${sp}`,
    abort: `ROLLBACK TO SAVEPOINT ${sp}; RELEASE SAVEPOINT ${sp}`,
  };
}

export type BatchOutcome =
  | { ok: true; results: StatementResult[] }
  | { ok: false; error: DbError; statement?: number; span?: string };

/**
 * Runs statements in one round trip inside wrapper. On failure the session is restored (wrapper.abort)
 * and, when PostgreSQL gave a position, the failing statement and the labelled fragment are named.
 */
export async function runBatch(runner: QueryRunner, statements: readonly SqlText[], wrapper: Wrapper): Promise<BatchOutcome> {
  const text = new SqlText().add(`${wrapper.begin};\n`);
  const offsets: number[] = [];
  statements.forEach((s) => {
    offsets.push(text.chars);
    text.add(`${s.text};\n`);
  });
  text.add(wrapper.end);
  try {
    const results = await runSimple(runner, text.text);
    return { ok: true, results: results.slice(1, 1 + statements.length) };
  } catch (e) {
    if (!isStatementError(e)) throw e;
    const error = dbError(e);
    await runSimple(runner, wrapper.abort).catch(() => undefined);
    const position = error.position ? Number(error.position) - 1 : NaN;
    if (!Number.isFinite(position)) return { ok: false, error };
    let statement: number | undefined;
    offsets.forEach((start, i) => {
      if (position >= start) statement = i;
    });
    if (statement === undefined) return { ok: false, error };
    const local = position - offsets[statement]!;
    const span = statements[statement]!.spans.find((s) => local >= s.start && local < s.end);
    return { ok: false, error, statement, span: span?.id };
  }
}

/**
 * Describes statements (each a SELECT … LIMIT 0) in as few round trips as possible and finds the
 * fragments that break them: first all units in one batch (each failure that PostgreSQL positions
 * inside a fragment excludes that fragment and the batch runs again); when an error carries no
 * usable position, units run one by one, then each unit is split into its single fragments.
 */
export interface DescribeUnit<U> {
  /**
   * the statement for a unit without the excluded fragments, and its result columns in order (the
   * fragment id and the column's alias); null when nothing is left
   */
  build(unit: U, excluded: ReadonlySet<string>): { sql: SqlText; columns: { id: string; name: string }[] } | null;
  /** smaller units each holding one remaining fragment; a unit that cannot split returns [] */
  split(unit: U, excluded: ReadonlySet<string>): U[];
  /** the one fragment left in an atomic unit */
  only(unit: U, excluded: ReadonlySet<string>): string | undefined;
  /** the fragment a span id stands for (a guard span stands for the expression it guards) */
  owner(spanId: string): string;
}

export interface DescribeOutcome {
  fields: Map<string, Field>;
  /** fragment id → the database's message, and the span (fragment or guard) it was found in */
  failures: Map<string, { message: string; span: string }>;
}

export async function describeUnits<U>(
  runner: QueryRunner,
  units: readonly U[],
  how: DescribeUnit<U>,
  wrapper: Wrapper,
): Promise<DescribeOutcome> {
  const fields = new Map<string, Field>();
  const failures = new Map<string, { message: string; span: string }>();
  const excluded = new Set<string>();

  const attempt = async (group: readonly U[]): Promise<void> => {
    for (;;) {
      const built = group.map((u) => ({ unit: u, b: how.build(u, excluded) })).filter((x) => x.b !== null);
      if (built.length === 0) return;
      let outcome = await runBatch(runner, built.map((x) => x.b!.sql), wrapper);
      if (outcome.ok) {
        const results = outcome.results;
        // a fragment with unbalanced parentheses (`a), (b`) can add result columns of its own
        const shapely = built.every((x, i) => {
          const described = results[i]?.fields ?? [];
          return described.length === x.b!.columns.length && x.b!.columns.every((c, k) => described[k]!.name === c.name || Buffer.byteLength(c.name) > 63);
        });
        if (shapely) {
          built.forEach((x, i) => {
            const described = results[i]!.fields!;
            x.b!.columns.forEach((c, k) => fields.set(c.id, described[k]!));
          });
          return;
        }
        outcome = { ok: false, error: { message: 'it is not a single expression (check its parentheses)' } };
      }
      if (!outcome.ok && outcome.span) {
        const owner = how.owner(outcome.span);
        if (!excluded.has(owner)) {
          failures.set(owner, { message: outcome.error.message, span: outcome.span });
          excluded.add(owner);
          continue;
        }
      }
      if (group.length > 1) {
        for (const u of group) await attempt([u]);
        return;
      }
      const parts = how.split(group[0]!, excluded);
      if (parts.length > 1) {
        for (const p of parts) await attempt([p]);
        return;
      }
      const only = how.only(group[0]!, excluded);
      if (only === undefined || outcome.ok) return;
      failures.set(only, { message: outcome.error.message, span: only });
      excluded.add(only);
    }
  };

  await attempt(units);
  return { fields, failures };
}

/** A class's source table as found in the source catalog (bare names must be unique). */
export function sourceTableOf(catalog: Catalog, cls: RecordClass): CatalogTable | undefined {
  return findTable(catalog, cls.source.table);
}

export function destinationTableOf(catalog: Catalog, cls: RecordClass): CatalogTable | undefined {
  return findTable(catalog, cls.destination.table);
}

/** How many tables a bare name matches (to say "ambiguous" rather than "missing"). */
export function matchCount(catalog: Catalog, name: string): number {
  const wanted = readTableName(name);
  if ('error' in wanted) return 0;
  return catalog.tables.filter((t) => t.name === wanted.name && (wanted.schema === undefined || t.schema === wanted.schema)).length;
}

/** The SQL of a class's `where`, or null when it has none. */
export function whereOf(cls: RecordClass): string | null {
  const w = cls.where;
  return typeof w === 'string' && w.trim() !== '' ? w : null;
}
