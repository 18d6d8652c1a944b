// Anchors: instants known from outside the databases (a log line, an email) for a few audit rows.
// Comparing both sides through the same declared `source_timezone` cannot catch a wrong
// declaration (both sides are shifted alike); an anchor can. Each anchor names a row by its SOURCE
// key and the UTC instant it must carry; the destination row is found through the mapping of the
// destination key (the source row's mapped, normalised destination key), and its first
// `timestamptz` column of `order_by` must hold exactly that instant.
//
// Two statements, whatever the number of anchors: one on the source (source keys → destination
// keys, through `columns`), one on the destination (destination keys → the instant, compared in
// SQL so that microseconds count and no client time zone is involved).
import type { QueryRunner } from '../../db/query-runner.js';
import { quoteIdent, tableFromItem } from '../../db/sql-identifiers.js';
import type { CatalogColumn, CatalogTable } from '../../introspect/catalog.js';
import type { AuditSection, RecordClass } from '../../plan/types.js';
import { destinationValue, familyOf, keyText, sampleKey, type ParityShape } from '../parity/normalise.js';

export interface AnchorOutcome {
  /** the anchor as written: source key and instant */
  key: unknown[];
  utc: string;
  status: 'ok' | 'mismatch' | 'missing';
  /** the destination key found through the mapping, when the source row exists */
  destinationKey?: unknown[];
  /** the canonical expected and found instants (`2026-03-08T07:30:00Z`) */
  expected?: string;
  found?: string | null;
  /** found − expected, as PostgreSQL prints an interval (`05:00:00`, `-01:00:00`) */
  offBy?: string;
  reason?: string;
}

/** Destination key types compared by a typed equality (so the key's index can be used). */
const TYPED_KEY = new Set(['int2', 'int4', 'int8', 'numeric', 'text', 'varchar', 'bpchar', 'uuid', 'date']);

/** An anchor's instant as text with a zone: YAML may have given a Date; a bare time means UTC. */
export function anchorInstant(utc: unknown): string | null {
  if (utc instanceof Date) return Number.isNaN(utc.getTime()) ? null : utc.toISOString();
  if (typeof utc !== 'string' || Number.isNaN(Date.parse(utc.replace(' ', 'T')))) return null;
  return /([zZ]|[+-]\d\d(:?\d\d)?)$/.test(utc.trim()) ? utc.trim() : `${utc.trim()}Z`;
}

/** The first `timestamptz` column of `order_by`, which anchors are checked against. */
export function anchorColumn(audit: AuditSection, destination: CatalogTable): CatalogColumn | undefined {
  for (const name of audit.order_by) {
    const c = destination.columns.find((x) => x.name === name);
    if (c?.baseType === 'timestamptz') return c;
  }
  return undefined;
}

const UTC_TEXT = (v: string) => `(replace(to_char((${v}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), '.000000', '') || 'Z')`;

export async function checkAnchors(
  source: QueryRunner, destination: QueryRunner, cls: RecordClass, shape: ParityShape,
  sourceTable: CatalogTable, destinationTable: CatalogTable, instant: CatalogColumn,
): Promise<AnchorOutcome[]> {
  const anchors = cls.audit?.anchors ?? [];
  const outcomes: AnchorOutcome[] = anchors.map((a) => ({ key: a.key, utc: String((a.utc as unknown) instanceof Date ? (a.utc as unknown as Date).toISOString() : a.utc), status: 'ok' }));
  const sourceKey = cls.source.key;
  const lookups: { i: number; key: unknown[]; utc: string }[] = [];
  anchors.forEach((a, i) => {
    const utc = anchorInstant(a.utc);
    if (!Array.isArray(a.key) || a.key.length !== sourceKey.length) {
      Object.assign(outcomes[i]!, { status: 'missing', reason: `the anchor key has ${Array.isArray(a.key) ? a.key.length : 0} value(s) but the source key (${sourceKey.join(', ')}) has ${sourceKey.length}` });
    } else if (utc === null) {
      Object.assign(outcomes[i]!, { status: 'mismatch', reason: `\`${String(a.utc)}\` is not an instant (write it as 2026-03-08T07:30:00Z)`, found: null });
    } else {
      lookups.push({ i, key: a.key, utc });
    }
  });
  if (lookups.length === 0) return outcomes;

  // source: the anchors' source keys → their mapped destination keys
  const match = sourceKey.map((k, j) => {
    const type = sourceTable.columns.find((c) => c.name === k)?.type ?? 'text';
    return `src.${quoteIdent(k)} = (a.v ->> ${j})::${type}`;
  }).join(' AND ');
  const { rows: mapped } = await source.query<{ i: number; k: string }>(
    `SELECT a.i::int AS i, ${keyText(shape.source)} AS k
       FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS a(v, i)
       JOIN ${tableFromItem(sourceTable)} AS src ON ${match}`,
    [JSON.stringify(lookups.map((l) => l.key.map((v) => (v === null ? null : String(v)))))]);
  const found = new Map<number, string>();
  for (const r of mapped) found.set(lookups[Number(r.i) - 1]!.i, r.k);

  const wanted: { i: number; k: string; utc: string }[] = [];
  for (const l of lookups) {
    const k = found.get(l.i);
    if (k === undefined) {
      Object.assign(outcomes[l.i]!, { status: 'missing', reason: `no source row of ${sourceTable.qualified} has key ${JSON.stringify(l.key)}` });
    } else {
      outcomes[l.i]!.destinationKey = sampleKey(k, shape.keyKinds);
      wanted.push({ i: l.i, k, utc: l.utc });
    }
  }
  if (wanted.length === 0) return outcomes;

  // destination: those keys → the instant they carry
  const keyMatch = cls.destination.key.map((name, j) => {
    const c = destinationTable.columns.find((x) => x.name === name)!;
    const family = familyOf(c);
    const value = `(a.k::json ->> ${j})`;
    if (family.kind === 'builtin' && TYPED_KEY.has(family.base)) return `dst.${quoteIdent(name)} = ${value}::${family.cast}`;
    return `${destinationValue(c, `dst.${quoteIdent(name)}`)} = ${value}`;
  }).join(' AND ');
  const column = `dst.${quoteIdent(instant.name)}`;
  const { rows } = await destination.query<{ i: number; expected: string; found: string | null; same: boolean | null; off_by: string | null }>(
    `SELECT a.i, ${UTC_TEXT('a.utc::timestamptz')} AS expected,
            CASE WHEN ${column} IS NULL THEN NULL ELSE ${UTC_TEXT(column)} END AS found,
            (${column} = a.utc::timestamptz) AS same, (${column} - a.utc::timestamptz)::text AS off_by
       FROM json_to_recordset($1::json) AS a(i int, k text, utc text)
       JOIN ${tableFromItem(destinationTable)} AS dst ON ${keyMatch}`,
    [JSON.stringify(wanted)]);
  const seen = new Set<number>();
  for (const r of rows) {
    seen.add(r.i);
    const o = outcomes[r.i]!;
    o.expected = r.expected;
    o.found = r.found;
    if (r.same !== true) {
      o.status = 'mismatch';
      o.offBy = r.off_by ?? undefined;
      o.reason = r.found === null
        ? `${destinationTable.qualified}.${instant.name} is NULL, expected ${r.expected}`
        : `${destinationTable.qualified}.${instant.name} holds ${r.found}, expected ${r.expected} (off by ${r.off_by})`;
    }
  }
  for (const w of wanted) {
    if (seen.has(w.i)) continue;
    Object.assign(outcomes[w.i]!, {
      status: 'missing',
      reason: `no destination row of ${destinationTable.qualified} has key ${JSON.stringify(outcomes[w.i]!.destinationKey)} (mapped from source key ${JSON.stringify(anchors[w.i]!.key)})`,
    });
  }
  return outcomes;
}
