// Runs a class's row checks: one aggregate query counts every check's hits and the rows in scope in
// a single scan of the mapped rows; one more query fetches up to 5 sample keys (ordered by key) for
// every check that has hits, also in one scan. Both run inside the caller's transaction, each behind
// a savepoint, in one round trip.
//
// When the aggregate fails (a mapping raising an error on some row, an operator the source lacks),
// preflight narrows it down instead of giving up: each mapped column is evaluated alone to find the
// mappings that fail (`mapping-failed`, positioned at the expression, with the exact count and the
// first keys of the rows it fails on, from one pass evaluating each row alone), the scan runs again without
// them; then without the best-effort checks (translated CHECKs, orphan joins; reported as not
// evaluated); and only then reports the class as `preflight-failed`.
import type { QueryRunner } from '../../db/query-runner.js';
import { quoteIdent } from '../../db/sql-identifiers.js';
import type { Finding } from '../../diff/plan-result.js';
import { mappedRowsSql, type ClassScan, type MappedColumn, type Measure, type RowCheck } from './model.js';
import { runBatch, savepoint, SqlText, type Locate } from './source-sql.js';

const SAVEPOINT = savepoint('cutover_preflight_scan');
const SAMPLES = 5;
const FALLBACK_ORDER = ['check-not-evaluated', 'orphan-not-evaluated'];

/** "#w": the mapped rows with the extra columns and joins the checks need */
function rowsSql(scan: ClassScan, mapped: readonly MappedColumn[], checks: readonly RowCheck[]): string {
  // distinct by alias: two CHECKs reading the same unmapped column share its NULL
  const extras = [...new Map(checks.flatMap((c) => c.extras ?? []).map((e) => [e.alias, e])).values()];
  const joins = checks.flatMap((c) => c.joins ?? []);
  const sources = [...new Map(checks.flatMap((c) => c.sources ?? []).map((s) => [s.alias, s])).values()];
  const select = ['"#r".*', ...extras.map((e) => `${e.sql} AS ${quoteIdent(e.alias)}`)].join(', ');
  return `(SELECT ${select}\nFROM (${mappedRowsSql(scan, mapped, sources)}) AS "#r"${joins.map((j) => `\n${j}`).join('')}) AS "#w"`;
}

function aggregateSql(scan: ClassScan, mapped: readonly MappedColumn[], checks: readonly RowCheck[], measures: readonly Measure[]): string {
  const counts = checks.map((c, i) => `pg_catalog.count(*) FILTER (WHERE ${c.predicate}) AS ${quoteIdent(`h${i}`)}`);
  const withdrawn = checks.flatMap((c, i) => (c.unlessAny ? [`pg_catalog.bool_or(${c.unlessAny}) AS ${quoteIdent(`u${i}`)}`] : []));
  const measured = measures.flatMap((m, i) => m.aggregates.map((a, j) => `(${a})::pg_catalog.text AS ${quoteIdent(`m${i}_${j}`)}`));
  // reading every mapped column makes PostgreSQL evaluate every mapping on every row, so a mapping
  // that fails on some row fails here, as it would in the copy
  const evaluated = mapped.map((m, i) => `pg_catalog.count(${quoteIdent(m.name)}) AS ${quoteIdent(`v${i}`)}`);
  return `SELECT ${['pg_catalog.count(*) AS "n"', ...counts, ...withdrawn, ...measured, ...evaluated].join(',\n')}\nFROM ${rowsSql(scan, mapped, checks)}`;
}

/** Up to SAMPLES keys per check (indexes into `checks`), in key order, from one scan. */
function samplesSql(scan: ClassScan, mapped: readonly MappedColumn[], checks: readonly RowCheck[], indexes: readonly number[]): string {
  const wanted = indexes.map((i) => checks[i]!);
  const cases = indexes.map((i) => `CASE WHEN ${checks[i]!.predicate} THEN ${i} END`).join(', ');
  const keys = scan.keys.map((_, i) => quoteIdent(`#k${i}`));
  const keyText = keys.map((k) => `(${k})::pg_catalog.text`).join(', ');
  return `SELECT "#c", "#keys" FROM (
  SELECT "#x"."#c", ARRAY[${keyText}] AS "#keys",
         pg_catalog.row_number() OVER (PARTITION BY "#x"."#c" ORDER BY ${keys.join(', ')}) AS "#n"
  FROM ${rowsSql(scan, mapped, wanted)}
  CROSS JOIN LATERAL pg_catalog.unnest(ARRAY[${cases}]::pg_catalog.int4[]) AS "#x"("#c")
  WHERE "#x"."#c" IS NOT NULL
) AS "#s"
WHERE "#n" <= ${SAMPLES}
ORDER BY "#c", "#n"`;
}

/**
 * @param measures reported, as warnings, for the columns that end the scan without an error
 */
export async function scanClass(
  runner: QueryRunner, scan: ClassScan, checks: RowCheck[], locate: Locate, measures: readonly Measure[] = [],
): Promise<Finding[]> {
  const findings: Finding[] = [];
  const at = (path: (string | number)[]) => {
    const p = locate(path);
    return { line: p.line, col: p.col };
  };
  if (checks.length === 0 && scan.mapped.length === 0) return findings;

  let mapped = scan.mapped;
  let active = checks;
  let measuring = measures;
  const aggregate = () => [new SqlText().add(aggregateSql(scan, mapped, active, measuring))];
  let outcome = await runBatch(runner, aggregate(), SAVEPOINT);

  if (!outcome.ok) {
    const failed = await failingMappings(runner, scan);
    if (failed.where) {
      findings.push({
        class: scan.name, kind: 'mapping-failed', severity: 'error',
        message: `reading ${scan.source.qualified} through \`where\` fails: ${failed.where}`,
        ...at(['classes', scan.name, 'where']),
      });
      return findings;
    }
    for (const [column, message] of failed.columns) {
      const rows = await failingRows(runner, scan, scan.mapped.find((m) => m.name === column)!);
      findings.push({
        class: scan.name, column, kind: 'mapping-failed', severity: 'error',
        message: rows
          ? `the mapping of \`${column}\` fails on ${rows.failed} of ${rows.rows} source ${rows.rows === 1 ? 'row' : 'rows'}: ${message}`
          : `the mapping of \`${column}\` fails on the source rows: ${message}`,
        ...(rows ? { count: rows.failed, share: rows.rows > 0 ? rows.failed / rows.rows : 0, sampleKeys: rows.keys } : {}),
        ...at(['classes', scan.name, 'columns', column]),
      });
    }
    if (failed.columns.size > 0) {
      mapped = mapped.filter((m) => !failed.columns.has(m.name));
      active = active.filter((c) => !c.reads.some((r) => failed.columns.has(r)));
      measuring = measuring.filter((m) => !failed.columns.has(m.column));
      outcome = await runBatch(runner, aggregate(), SAVEPOINT);
    }
  }
  // then without the best-effort checks, CHECK translations first, then orphan joins
  for (const kind of FALLBACK_ORDER) {
    if (outcome.ok) break;
    const dropped = active.filter((c) => c.fallbackKind === kind);
    if (dropped.length === 0) continue;
    const reason = outcome.error.message;
    for (const c of dropped) {
      findings.push({
        class: scan.name, ...(c.column ? { column: c.column } : {}), kind, severity: 'warning',
        message: `${c.label ?? kind} is not checked before the copy: evaluating it over the mapped source rows failed: ${reason}`,
        ...at(c.path),
      });
    }
    active = active.filter((c) => c.fallbackKind !== kind);
    outcome = await runBatch(runner, aggregate(), SAVEPOINT);
  }
  if (!outcome.ok) {
    findings.push({
      class: scan.name, kind: 'preflight-failed', severity: 'error',
      message: `the mapped rows of ${scan.source.qualified} could not be checked: ${outcome.error.message}`,
      ...at(['classes', scan.name]),
    });
    return findings;
  }

  const row = outcome.results[0]?.rows[0] ?? {};
  const rows = Number(row.n ?? 0);
  const hits = active.map((_, i) => (row[`u${i}`] === true ? 0 : Number(row[`h${i}`] ?? 0)));
  const withHits = hits.flatMap((n, i) => (n > 0 ? [i] : []));
  const samples = new Map<number, unknown[][]>();
  if (withHits.length > 0) {
    const s = await runBatch(runner, [new SqlText().add(samplesSql(scan, mapped, active, withHits))], SAVEPOINT);
    if (s.ok) {
      for (const r of s.results[0]?.rows ?? []) {
        const index = Number(r['#c']);
        const keys = (r['#keys'] as (string | null)[]).map((v, k) => keyValue(v, scan.keys[k]!.column.baseType));
        const list = samples.get(index) ?? [];
        list.push(keys);
        samples.set(index, list);
      }
    }
  }
  for (const i of withHits) {
    const c = active[i]!;
    const count = hits[i]!;
    findings.push({
      class: scan.name,
      ...(c.column ? { column: c.column } : {}),
      kind: c.kind,
      severity: c.severity,
      message: c.message(count, rows),
      count,
      share: rows > 0 ? count / rows : 0,
      sampleKeys: samples.get(i) ?? [],
      ...at(c.path),
    });
  }
  const erred = new Set(findings.filter((f) => f.severity === 'error').map((f) => f.column));
  measuring.forEach((m, i) => {
    if (erred.has(m.column)) return;
    const values = m.aggregates.map((_, j) => (row[`m${i}_${j}`] ?? null) as string | null);
    findings.push({ class: scan.name, column: m.column, kind: m.kind, severity: m.severity, message: m.message(values, rows), ...at(m.path) });
  });
  return findings;
}

/** Evaluates each mapping alone over the class's rows (one round trip each) to find those that fail. */
async function failingMappings(runner: QueryRunner, scan: ClassScan): Promise<{ where: string | null; columns: Map<string, string> }> {
  const columns = new Map<string, string>();
  const where = scan.where ? `\nWHERE (\n${scan.where}\n)` : '';
  if (scan.where) {
    const probe = await runBatch(runner, [new SqlText().add(`SELECT pg_catalog.count(*) FROM ${scan.from}${where}`)], SAVEPOINT);
    if (!probe.ok) return { where: probe.error.message, columns };
  }
  for (const m of scan.mapped) {
    const probe = await runBatch(runner, [new SqlText().add(`SELECT pg_catalog.count((\n${m.sql}\n)) FROM ${scan.from}${where}`)], SAVEPOINT);
    if (!probe.ok) columns.set(m.name, probe.error.message);
  }
  return { where: null, columns };
}

/** A dollar-quote tag that does not occur in `text`. */
function dollarTag(text: string): string {
  let n = 0;
  while (text.includes(`$cutover_${n}$`)) n++;
  return `$cutover_${n}$`;
}

/**
 * The rows a mapping fails on: each row of the class evaluated alone, in key order, inside a block
 * of its own (a subtransaction), in one DO block on the source, so the count is exact and the
 * first SAMPLES keys come back (through a transaction-local setting, as a DO block returns
 * nothing). One pass over the class's rows, only ever run for a mapping already known to fail.
 * Null when the rows cannot be read at all.
 */
async function failingRows(runner: QueryRunner, scan: ClassScan, m: MappedColumn): Promise<{ failed: number; rows: number; keys: unknown[][] } | null> {
  const keys = scan.keys.map((k) => `"#t".${quoteIdent(k.name)}`);
  const where = scan.where ? `\n      WHERE (\n${scan.where}\n)` : '';
  // use_column: a source column that happens to share a variable's name still means the column
  const body = `
#variable_conflict use_column
DECLARE
  cutover_row record;
  cutover_failed int8 := 0;
  cutover_rows int8 := 0;
  cutover_keys jsonb := '[]';
BEGIN
  FOR cutover_row IN
    SELECT "#t".tableoid AS cutover_oid, "#t".ctid AS cutover_ctid,
           ARRAY[${keys.map((k) => `(${k})::pg_catalog.text`).join(', ')}] AS cutover_key
      FROM ${scan.from} AS "#t"${where}
     ORDER BY ${keys.join(', ')}
  LOOP
    cutover_rows := cutover_rows + 1;
    BEGIN
      PERFORM (
${m.sql}
      ) FROM ${scan.from} WHERE tableoid = cutover_row.cutover_oid AND ctid = cutover_row.cutover_ctid;
    EXCEPTION WHEN OTHERS THEN
      cutover_failed := cutover_failed + 1;
      IF cutover_failed <= ${SAMPLES} THEN
        cutover_keys := cutover_keys || pg_catalog.jsonb_build_array(pg_catalog.to_jsonb(cutover_row.cutover_key));
      END IF;
    END;
  END LOOP;
  PERFORM pg_catalog.set_config('cutover.preflight_failing_rows',
    pg_catalog.jsonb_build_object('failed', cutover_failed, 'rows', cutover_rows, 'keys', cutover_keys)::text, true);
END`;
  const tag = dollarTag(body);
  const outcome = await runBatch(runner, [
    new SqlText().add(`DO ${tag}${body}\n${tag}`),
    new SqlText().add(`SELECT pg_catalog.current_setting('cutover.preflight_failing_rows') AS "r"`),
  ], SAVEPOINT);
  if (!outcome.ok) return null;
  const found = JSON.parse(String(outcome.results[1]?.rows[0]?.r)) as { failed: number; rows: number; keys: (string | null)[][] };
  return {
    failed: Number(found.failed),
    rows: Number(found.rows),
    keys: found.keys.map((key) => key.map((v, k) => keyValue(v, scan.keys[k]!.column.baseType))),
  };
}

const INTEGER_KEYS = new Set(['int2', 'int4', 'int8', 'oid']);

/** A sample key value for output: integers as numbers (when exact), booleans as booleans, the rest as text. */
function keyValue(text: string | null, baseType: string): unknown {
  if (text === null) return null;
  if (INTEGER_KEYS.has(baseType)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : text;
  }
  if (baseType === 'bool') return text === 'true';
  return text;
}
