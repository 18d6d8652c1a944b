// Are the plan's mapping expressions valid SQL over their source tables, and do their types fit the
// destination columns they fill? Answered from the live source without reading a row: every class's
// `SELECT <expressions> FROM <source table> WHERE <where> LIMIT 0` is described in one batch (one
// round trip for the whole plan), and the result types are resolved in one pg_type query.
//
// The rules for whether a type fits a column are in type-fit.ts.

import type { QueryRunner } from '../db/query-runner.js';
import { quoteIdent, tableFromItem } from '../db/sql-identifiers.js';
import type { Finding } from '../diff/plan-result.js';
import type { Catalog, CatalogTable } from '../introspect/catalog.js';
import type { Plan, RecordClass } from '../plan/types.js';
import { writeTableName } from '../plan/plan-names.js';
import { balanced } from '../plan/sql-lexer.js';
import {
  describeUnits,
  destinationTableOf,
  matchCount,
  READ_ONLY_TRANSACTION,
  runSimple,
  sourceTableOf,
  SqlText,
  whereOf,
  type DescribeUnit,
  type Field,
  type Locate,
} from './preflight/source-sql.js';
import { declaredText, soleSourceColumn } from './preflight/lossy.js';
import { assignable, checkedByData, lossiness, type ExpressionType } from './type-fit.js';

export type { Locate };
export type { ExpressionType };

/** class → destination column → the type of its mapping expression (valid expressions only) */
export type MappingTypes = Map<string, Map<string, ExpressionType>>;

export interface MappingDescription {
  findings: Finding[];
  types: MappingTypes;
  /** classes whose `where` is not valid SQL over their source table */
  invalidWhere: Set<string>;
}

interface Item {
  id: string;
  column: string;
  sql: string;
}

interface Unit {
  cls: string;
  from: string;
  items: Item[];
  where: { id: string; sql: string } | null;
}

const id = (cls: string, role: 'col' | 'guard' | 'where', name = ''): string => JSON.stringify([cls, role, name]);
const parseId = (s: string): [string, 'col' | 'guard' | 'where', string] => JSON.parse(s) as [string, 'col' | 'guard' | 'where', string];

/**
 * The statement describing one unit. The expressions also appear in a WHERE guard that is always
 * true (`(e) IS NULL OR … OR TRUE`): PostgreSQL rejects aggregates, window functions and
 * set-returning functions there, which a mapping (one value per source row) must not use either.
 */
const DESCRIBE: DescribeUnit<Unit> = {
  build(unit, excluded) {
    const items = unit.items.filter((i) => !excluded.has(i.id));
    const where = unit.where && !excluded.has(unit.where.id) ? unit.where : null;
    if (items.length === 0 && !where) return null;
    const sql = new SqlText().add('SELECT ');
    if (items.length === 0) sql.add('1');
    items.forEach((item, k) => {
      if (k > 0) sql.add(', ');
      sql.fragment(item.id, item.sql).add(` AS ${quoteIdent(item.column)}`);
    });
    sql.add(`\nFROM ${unit.from}\nWHERE `);
    if (where) sql.fragment(where.id, where.sql).add(' AND ');
    sql.add('(');
    items.forEach((item) => {
      const [cls, , column] = parseId(item.id);
      sql.fragment(id(cls, 'guard', column), item.sql).add(' IS NULL OR ');
    });
    sql.add('TRUE)\nLIMIT 0');
    return { sql, columns: items.map((i) => ({ id: i.id, name: i.column })) };
  },
  split(unit, excluded) {
    const items = unit.items.filter((i) => !excluded.has(i.id));
    const where = unit.where && !excluded.has(unit.where.id) ? unit.where : null;
    if (items.length + (where ? 1 : 0) <= 1) return [];
    return [
      ...items.map((i) => ({ ...unit, items: [i], where: null })),
      ...(where ? [{ ...unit, items: [], where }] : []),
    ];
  },
  only(unit, excluded) {
    const item = unit.items.find((i) => !excluded.has(i.id));
    if (item) return item.id;
    return unit.where && !excluded.has(unit.where.id) ? unit.where.id : undefined;
  },
  owner(spanId) {
    const [cls, role, name] = parseId(spanId);
    return role === 'guard' ? id(cls, 'col', name) : spanId;
  },
};

export async function describeMappings(
  source: QueryRunner,
  plan: Plan,
  sourceCatalog: Catalog,
  destinationCatalog: Catalog,
  locate: Locate,
): Promise<MappingDescription> {
  const findings: Finding[] = [];
  const types: MappingTypes = new Map();
  const invalidWhere = new Set<string>();
  const at = (path: (string | number)[]) => {
    const p = locate(path);
    return { line: p.line, col: p.col };
  };

  const units: Unit[] = [];
  const destinations = new Map<string, CatalogTable>();
  for (const [name, cls] of Object.entries(plan.classes)) {
    const sourceTable = tableFindings(findings, name, cls, 'source', sourceCatalog, at);
    const destinationTable = tableFindings(findings, name, cls, 'destination', destinationCatalog, at);
    if (destinationTable) {
      destinations.set(name, destinationTable);
      for (const column of Object.keys(cls.columns ?? {})) {
        const target = destinationTable.columns.find((c) => c.name === column);
        if (!target) {
          findings.push({
            class: name, column, kind: 'destination-column-missing', severity: 'error',
            message: `${destinationTable.qualified} has no column \`${column}\``,
            ...at(['classes', name, 'columns', column]),
          });
        } else if (target.generated) {
          findings.push({
            class: name, column, kind: 'destination-column-generated', severity: 'error',
            message: `${destinationTable.qualified}.${column} is a generated column: the destination computes it, so \`columns\` cannot fill it (declare it under \`computed\`)`,
            ...at(['classes', name, 'columns', column]),
          });
        }
      }
    }
    if (!sourceTable) continue;
    let where = whereOf(cls);
    if (where !== null && !balanced(where)) {
      invalidWhere.add(name);
      findings.push({
        class: name, kind: 'where-invalid', severity: 'error',
        message: `\`where\` is not a single condition: its parentheses do not balance`,
        ...at(['classes', name, 'where']),
      });
      where = null;
    }
    const items: Item[] = [];
    for (const [column, sql] of Object.entries(cls.columns ?? {})) {
      if (balanced(String(sql))) {
        items.push({ id: id(name, 'col', column), column, sql: String(sql) });
        continue;
      }
      findings.push({
        class: name, column, kind: 'expression-invalid', severity: 'error',
        message: `the mapping of \`${column}\` is not a single expression: its parentheses do not balance`,
        ...at(['classes', name, 'columns', column]),
      });
    }
    units.push({ cls: name, from: tableFromItem(sourceTable), items, where: where ? { id: id(name, 'where'), sql: where } : null });
  }

  if (units.length === 0) return { findings, types, invalidWhere };
  const described = await describeUnits(source, units, DESCRIBE, READ_ONLY_TRANSACTION);

  for (const [failed, { message, span }] of described.failures) {
    const [cls, role, column] = parseId(failed);
    const table = plan.classes[cls]!.source.table;
    if (role === 'where') {
      invalidWhere.add(cls);
      findings.push({
        class: cls, kind: 'where-invalid', severity: 'error',
        message: `\`where\` is not a valid condition on ${table}: ${message}`,
        ...at(['classes', cls, 'where']),
      });
    } else {
      const perRow = parseId(span)[1] === 'guard';
      findings.push({
        class: cls, column, kind: 'expression-invalid', severity: 'error',
        message: perRow
          ? `the mapping of \`${column}\` must compute one value per source row: ${message.replace(/ in WHERE\b/, '')}`
          : `the mapping of \`${column}\` is not valid SQL over ${table}: ${message}`,
        ...at(['classes', cls, 'columns', column]),
      });
    }
  }

  const resolved = await resolveTypes(source, [...described.fields.values()]);
  for (const unit of units) {
    const classTypes = new Map<string, ExpressionType>();
    for (const item of unit.items) {
      const field = described.fields.get(item.id);
      if (!field) continue;
      const type = resolved.get(typeKey(field.dataTypeID, field.dataTypeModifier));
      if (type) classTypes.set(item.column, type.type);
    }
    types.set(unit.cls, classTypes);

    const destinationTable = destinations.get(unit.cls);
    if (!destinationTable) continue;
    const cls = plan.classes[unit.cls]!;
    for (const item of unit.items) {
      const field = described.fields.get(item.id);
      const target = destinationTable.columns.find((c) => c.name === item.column);
      if (!field || !target || target.generated) continue;
      const type = resolved.get(typeKey(field.dataTypeID, field.dataTypeModifier));
      if (!type) continue;
      const where = at(['classes', unit.cls, 'columns', item.column]);
      const base = { class: unit.cls, column: item.column, severity: 'error' as const, ...where };
      const fit = assignable(type.type, type.casts, target, item.sql);
      if (!fit) {
        findings.push({
          ...base, kind: 'type-incompatible',
          message: `\`${item.column}\` is ${target.type} in ${destinationTable.qualified} but its mapping gives ${type.type.typeName}, `
            + `which PostgreSQL does not convert in assignment; change the destination column's type, or write the conversion `
            + `into the mapping if one is meant (preflight then checks the values it gives)`,
        });
        continue;
      }
      const loss = lossiness(type.type, target);
      if (loss && !checkedByData(type.type, target)) {
        const sourceTable = sourceTableOf(sourceCatalog, cls);
        const read = sourceTable ? soleSourceColumn(item.sql, sourceTable)?.name : undefined;
        const declared = read ? cls.lossy?.[read] : undefined;
        findings.push({
          ...base, kind: 'lossy-cast', ...(declared ? { severity: 'warning' as const } : {}),
          message: `\`${item.column}\`: ${type.type.typeName} into ${target.type} ${loss}`
            + (declared && read
              ? declaredText(read, declared)
              : `; widen the destination column${read ? `, or, if that is intended, declare \`${read}\` in \`lossy\`` : ''}`),
        });
      }
      if (type.type.baseType === 'timestamp' && target.baseType === 'timestamptz' && !cls.timestamps?.source_timezone) {
        findings.push({
          ...base, kind: 'timestamp-without-zone',
          message: `\`${item.column}\` maps a timestamp without time zone into timestamptz, but the class declares no `
            + `\`timestamps.source_timezone\` saying which zone the source's local times are in`,
        });
      }
    }
  }

  return { findings, types, invalidWhere };
}

/** `a.b` read as schema `a`, table `b`, where the catalog has a table named `a.b`: say how to write it. */
function dottedHint(catalog: Catalog, text: string): string {
  const whole = catalog.tables.find((t) => t.name === text);
  return whole ? `; a table named \`${text}\` is written \`${writeTableName(whole.schema, whole.name)}\` (a name with a dot in double quotes)` : '';
}

/** source/destination table and key findings; returns the table when it exists */
function tableFindings(
  findings: Finding[],
  name: string,
  cls: RecordClass,
  side: 'source' | 'destination',
  catalog: Catalog,
  at: (path: (string | number)[]) => { line: number; col: number },
): CatalogTable | undefined {
  const ref = cls[side];
  const table = side === 'source' ? sourceTableOf(catalog, cls) : destinationTableOf(catalog, cls);
  if (!table) {
    const ambiguous = matchCount(catalog, ref.table) > 1;
    findings.push({
      class: name, kind: `${side}-table-missing`, severity: 'error',
      message: ambiguous
        ? `${side} table \`${ref.table}\` names more than one table; qualify it as schema.table`
        : `${side} table \`${ref.table}\` does not exist in the ${side} database${dottedHint(catalog, ref.table)}`,
      ...at(['classes', name, side, 'table']),
    });
    return undefined;
  }
  (ref.key ?? []).forEach((column, i) => {
    if (!table.columns.some((c) => c.name === column)) {
      findings.push({
        class: name, column, kind: `${side}-key-missing`, severity: 'error',
        message: `${side} key column \`${column}\` is not a column of ${table.qualified}`,
        ...at(['classes', name, side, 'key', i]),
      });
    }
  });
  return table;
}

const typeKey = (oid: number, typmod: number) => `${oid}/${typmod}`;

interface ResolvedType {
  type: ExpressionType;
  /** pg_catalog types the base type converts to in assignment (implicit or assignment casts) */
  casts: string[];
}

/** One pg_type query for every (oid, typmod) described: names, domain bases, categories, casts. */
async function resolveTypes(source: QueryRunner, fields: Field[]): Promise<Map<string, ResolvedType>> {
  const pairs = new Map<string, [number, number]>();
  for (const f of fields) pairs.set(typeKey(f.dataTypeID, f.dataTypeModifier), [f.dataTypeID, f.dataTypeModifier]);
  const resolved = new Map<string, ResolvedType>();
  if (pairs.size === 0) return resolved;
  const oids = [...pairs.values()].map(([o]) => Math.trunc(o));
  const typmods = [...pairs.values()].map(([, t]) => Math.trunc(t));
  const results = await runSimple(source, `BEGIN READ ONLY;\n${TYPES_SQL(oids, typmods)};\nROLLBACK`).catch(async (e) => {
    await runSimple(source, 'ROLLBACK').catch(() => undefined);
    throw e;
  });
  for (const row of results[1]?.rows ?? []) {
    const r = row as unknown as TypeRow;
    const type: ExpressionType = {
      typeOid: Number(r.oid),
      typeName: r.name,
      typmod: Number(r.typmod),
      baseType: r.base,
      baseTypmod: Number(r.base_typmod),
      category: r.category,
    };
    resolved.set(typeKey(type.typeOid, type.typmod), { type, casts: r.casts ?? [] });
  }
  return resolved;
}

interface TypeRow {
  oid: string | number;
  typmod: number;
  name: string;
  base: string;
  base_typmod: number;
  category: string;
  casts: string[] | null;
}

// The arrays are integers produced here, never plan text.
const TYPES_SQL = (oids: number[], typmods: number[]) => `
WITH RECURSIVE wanted(oid, typmod) AS (
  SELECT * FROM unnest('{${oids.join(',')}}'::pg_catalog.oid[], '{${typmods.join(',')}}'::pg_catalog.int4[])
),
chain AS (
  SELECT w.oid AS root, w.typmod AS root_typmod, t.oid, t.typtype, t.typbasetype,
         CASE WHEN w.typmod <> -1 THEN w.typmod ELSE t.typtypmod END AS typmod
    FROM wanted w JOIN pg_catalog.pg_type t ON t.oid = w.oid
  UNION ALL
  SELECT c.root, c.root_typmod, t.oid, t.typtype, t.typbasetype,
         CASE WHEN c.typmod <> -1 THEN c.typmod ELSE t.typtypmod END
    FROM chain c JOIN pg_catalog.pg_type t ON t.oid = c.typbasetype
   WHERE c.typtype = 'd'
)
SELECT c.root::pg_catalog.int8 AS oid,
       c.root_typmod AS typmod,
       pg_catalog.format_type(c.root, c.root_typmod) AS name,
       b.typname::text AS base,
       c.typmod AS base_typmod,
       b.typcategory::text AS category,
       ARRAY(SELECT DISTINCT tt.typname::text
               FROM pg_catalog.pg_cast k
               JOIN pg_catalog.pg_type tt ON tt.oid = k.casttarget
              WHERE k.castsource = b.oid AND k.castcontext IN ('a', 'i')
                AND tt.typnamespace = 'pg_catalog'::pg_catalog.regnamespace) AS casts
  FROM chain c JOIN pg_catalog.pg_type b ON b.oid = c.oid
 WHERE c.typtype <> 'd'`;
