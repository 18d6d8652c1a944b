// Destination CHECK constraints, evaluated on the source over the mapped rows: the constraint's
// expression reads destination columns by name, and the mapped rows carry each mapped column under
// its destination name, so the expression is used as written. Best effort: a constraint that reads a
// column the plan does not map, or uses a type or function the source lacks, cannot be evaluated
// there; all constraints are described in one batch (LIMIT 0) first, and those PostgreSQL rejects
// are reported as `check-not-evaluated` warnings with the reason.
//
// A destination column the plan does not map, without a default, will be NULL: a constraint that
// reads one sees it as `NULL::<its type>` (evaluable when the source knows the type). A column the
// destination fills from a default cannot be known here, so a constraint reading it is skipped.
import type { QueryRunner } from '../../db/query-runner.js';
import { quoteIdent } from '../../db/sql-identifiers.js';
import type { Finding } from '../../diff/plan-result.js';
import { readColumns } from '../../plan/sql-identifiers.js';
import { mappedRowsSql, rowsText, type ClassScan, type RowCheck } from './model.js';
import { describeUnits, savepoint, SqlText, type DescribeUnit, type Locate } from './source-sql.js';

interface Constraint {
  id: string;
  name: string;
  /** the domain it belongs to, for a domain's CHECK (evaluated on the one column of that type) */
  domain?: string;
  definition: string;
  /** the boolean expression inside CHECK ( … ) */
  expression: string | null;
  /** destination columns it reads that are mapped */
  reads: string[];
  /** unmapped columns it reads, which will be NULL: alias and typed NULL */
  nulls: { alias: string; sql: string }[];
  /** unmapped columns it reads that a default fills */
  defaulted: string[];
}

interface Unit {
  scan: ClassScan;
  constraints: Constraint[];
}

/** `CHECK (a > 0)`, `CHECK (a > 0) NOT VALID`, `CHECK (a > 0) NO INHERIT` → `a > 0` */
export function checkExpression(definition: string): string | null {
  const m = /^\s*CHECK\s*\(([\s\S]*)\)(\s+NO INHERIT)?(\s+NOT VALID)?\s*$/i.exec(definition);
  return m ? m[1]!.trim() : null;
}

/**
 * A domain CHECK's expression for one column: `VALUE` (outside string literals and quoted names)
 * becomes the column, so it reads the mapped row as a table CHECK does.
 */
function domainExpression(definition: string, column: string): string | null {
  const expression = checkExpression(definition);
  if (expression === null) return null;
  let out = '';
  let i = 0;
  while (i < expression.length) {
    const c = expression[i]!;
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < expression.length && !(expression[j] === c && expression[j + 1] !== c)) j += expression[j] === c ? 2 : 1;
      out += expression.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(expression.slice(i));
    if (word && !/[A-Za-z0-9_$.]/.test(expression[i - 1] ?? '')) {
      out += word[0].toUpperCase() === 'VALUE' ? quoteIdent(column) : word[0];
      i += word[0].length;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/** The CHECKs of the domains of the mapped columns, each over its column. */
function domainConstraints(scan: ClassScan): Constraint[] {
  return scan.mapped.flatMap((m) => (m.target.domainChecks ?? []).map((d, i): Constraint => ({
    id: JSON.stringify([scan.name, 'domain', m.name, i]),
    name: d.name,
    domain: d.domain,
    definition: d.definition,
    expression: domainExpression(d.definition, m.name),
    reads: [m.name],
    nulls: [],
    defaulted: [],
  })));
}

const evaluable = (c: Constraint) => c.expression !== null && c.defaulted.length === 0;

const DESCRIBE: DescribeUnit<Unit> = {
  build(unit, excluded) {
    const items = unit.constraints.filter((c) => evaluable(c) && !excluded.has(c.id));
    if (items.length === 0) return null;
    const sql = new SqlText().add('SELECT ');
    items.forEach((c, k) => {
      if (k > 0) sql.add(', ');
      sql.fragment(c.id, c.expression!).add(` AS ${quoteIdent(`#c${k}`)}`);
    });
    const nulls = new Map(items.flatMap((c) => c.nulls).map((n) => [n.alias, n.sql]));
    const extras = [...nulls].map(([alias, value]) => `, ${value} AS ${quoteIdent(alias)}`).join('');
    sql.add(`\nFROM (SELECT "#r".*${extras} FROM (${mappedRowsSql(unit.scan)}\nLIMIT 0) AS "#r") AS "#w"\nLIMIT 0`);
    return { sql, columns: items.map((c, k) => ({ id: c.id, name: `#c${k}` })) };
  },
  split(unit, excluded) {
    const items = unit.constraints.filter((c) => evaluable(c) && !excluded.has(c.id));
    return items.length <= 1 ? [] : items.map((c) => ({ ...unit, constraints: [c] }));
  },
  only(unit, excluded) {
    return unit.constraints.find((c) => evaluable(c) && !excluded.has(c.id))?.id;
  },
  owner: (spanId) => spanId,
};

/**
 * CHECK row checks per class (keyed by class name) and warnings for the constraints that cannot be
 * evaluated. Runs inside the caller's transaction (one savepoint per batch).
 */
export async function constraintChecks(
  runner: QueryRunner,
  scans: readonly ClassScan[],
  locate: Locate,
): Promise<{ checks: Map<string, RowCheck[]>; findings: Finding[] }> {
  const findings: Finding[] = [];
  const checks = new Map<string, RowCheck[]>();
  const units: Unit[] = [];
  for (const scan of scans) {
    const constraints = scan.destination.checks.map((c, i): Constraint => {
      const expression = checkExpression(c.definition);
      const read = expression ? readColumns(expression) : [];
      const columns = scan.destination.columns.filter((d) => read.includes(d.name));
      const unmapped = columns.filter((d) => !scan.mapped.some((m) => m.name === d.name));
      const planned = scan.cls.columns ?? {};
      const isNull = (d: (typeof columns)[number]) => !(d.name in planned) && !d.hasDefault && !d.identity && !d.generated;
      return {
        id: JSON.stringify([scan.name, i]),
        name: c.name,
        definition: c.definition,
        expression,
        reads: columns.filter((d) => scan.mapped.some((m) => m.name === d.name)).map((d) => d.name),
        // format_type() output: valid SQL for the type, schema-qualified where it needs to be
        nulls: unmapped.filter(isNull).map((d) => ({ alias: d.name, sql: `NULL::${d.type}` })),
        defaulted: unmapped.filter((d) => !isNull(d)).map((d) => d.name),
      };
    });
    constraints.push(...domainConstraints(scan));
    if (constraints.length > 0) units.push({ scan, constraints });
  }
  if (units.length === 0) return { checks, findings };

  const described = await describeUnits(runner, units, DESCRIBE, savepoint('cutover_preflight_checks'));
  for (const { scan, constraints } of units) {
    const list: RowCheck[] = [];
    for (const c of constraints) {
      const table = c.domain ? `domain ${c.domain} (column ${c.reads[0]} of ${scan.destination.qualified})` : scan.destination.qualified;
      const reads = c.reads;
      const path = reads[0] && reads[0] in (scan.cls.columns ?? {}) ? ['classes', scan.name, 'columns', reads[0]] : ['classes', scan.name, 'columns'];
      const failure = described.failures.get(c.id);
      if (!c.expression || failure || !described.fields.has(c.id)) {
        const why = !c.expression ? 'its definition is not a plain CHECK (…)'
          : c.defaulted.length > 0 ? `it reads ${c.defaulted.join(', ')}, which \`columns\` does not map and the destination fills from a default`
          : failure ? `it cannot be evaluated over the mapped source rows: ${failure.message}`
          : 'it cannot be evaluated over the mapped source rows';
        const p = locate(path);
        findings.push({
          class: scan.name, ...(reads.length > 0 ? { column: reads.join(', ') } : {}),
          kind: 'check-not-evaluated', severity: 'warning',
          message: `CHECK constraint ${c.name} of ${table} is not checked before the copy: ${why}`,
          line: p.line, col: p.col,
        });
        continue;
      }
      list.push({
        kind: 'check-violation', severity: 'error',
        ...(reads.length > 0 ? { column: reads.join(', ') } : {}),
        predicate: `(\n${c.expression}\n) IS FALSE`,
        extras: c.nulls,
        reads,
        fallbackKind: 'check-not-evaluated',
        label: `CHECK constraint ${c.name} of ${table}`,
        path,
        message: (n, rows) => `${rowsText(n, rows, 'violate')} CHECK constraint ${c.name} of ${table}: ${c.definition}`,
      });
    }
    checks.set(scan.name, list);
  }
  return { checks, findings };
}
