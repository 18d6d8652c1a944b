// Whether the type of a mapping expression fits the destination column it fills. The spec is
// silent; decided here:
// - compatible: the same base type (domains resolved on both sides); a bare literal (`'USD'`,
//   `NULL`) which PostgreSQL types from its target; any type into a string-category column (the
//   automatic I/O conversion PostgreSQL allows in assignment); a string or enum into an enum (the
//   copy transports labels as text; preflight's `outside-enum` checks the values); array into array
//   (element types are not compared); any pair with an implicit or assignment cast in the source's
//   pg_cast to the pg_catalog type of that name. Anything else is `type-incompatible`: an explicit
//   cast in the expression says what is meant, and is then checked like any other expression.
// - lossy: among compatible pairs, those whose declared types prove that the conversion can change
//   a value: a fractional type into an integer; a wider integer into a narrower one; numeric(p,s)
//   into a numeric with fewer integer or fractional digits; an integer with more digits than a
//   numeric(p,s) holds; a float into numeric(p,s) with fewer significant digits than the float
//   carries (15 for double precision, 6 for real); float8 into real, numeric or bigint into a
//   float that cannot hold it exactly; varchar(n) into a shorter varchar/char; a timestamp into
//   date or time; fractional seconds into a type with fewer. A narrower destination is not a
//   mistake while the data fits, so preflight judges all of these by the values (the rows that
//   do not fit are errors, a `narrowing` warning gives the headroom otherwise), as it does for
//   unbounded source types (text, numeric without typmod) into bounded columns. Only a timestamp
//   into a time of day, which changes every value, is `lossy-cast` here: an error, or a warning
//   when `lossy` declares the source column the mapping reads.
import type { CatalogColumn } from '../introspect/catalog.js';
import { plural } from '../words.js';

/** The type of a mapping expression's result, as the source database resolves it. */
export interface ExpressionType {
  typeOid: number;
  /** format_type(oid, typmod): `numeric(12,2)`, `timestamp without time zone` */
  typeName: string;
  typmod: number;
  /** pg_type.typname of the base type, domains resolved: `numeric`, `timestamp`, an enum's name */
  baseType: string;
  /** the base type's typmod (a domain's own when the expression has none) */
  baseTypmod: number;
  /** pg_type.typcategory of the base type */
  category: string;
}

const BARE_LITERAL = /^\s*(null|'(?:[^']|'')*')\s*$/i;

/** Whether a value of type `type` may be stored in `target` (see the rules at the top). */
export function assignable(type: ExpressionType, casts: readonly string[], target: CatalogColumn, expression = ''): boolean {
  if (BARE_LITERAL.test(expression)) return true;
  if (type.baseType === target.baseType) return true;
  if (type.baseType === 'unknown') return true;
  if (target.category === 'S') return true;
  if (target.category === 'E' && (type.category === 'S' || type.category === 'E')) return true;
  if (target.category === 'A' && type.category === 'A') return true;
  return casts.includes(target.baseType);
}

const INTEGER_RANK: Record<string, number> = { int2: 1, int4: 2, int8: 3 };
const INTEGER_DIGITS: Record<string, number> = { int2: 5, int4: 10, int8: 19 };
const FRACTIONAL = new Set(['numeric', 'float4', 'float8', 'money']);
const FLOAT_DIGITS: Record<string, number> = { float4: 6, float8: 15 };
const DATETIME = new Set(['timestamp', 'timestamptz']);

export function numericTypmod(typmod: number): { precision: number; scale: number } | null {
  if (typmod < 4) return null;
  const packed = typmod - 4;
  return { precision: (packed >> 16) & 0xffff, scale: (((packed & 0x7ff) ^ 1024) - 1024) };
}

/** fractional-second digits of a timestamp/time type: its typmod, or 6 without one */
export function secondsPrecision(typmod: number): number {
  return typmod >= 0 ? typmod : 6;
}

export function targetSecondsPrecision(target: CatalogColumn): number {
  const m = /^(?:timestamp|time)\((\d+)\)/.exec(target.type);
  return m ? Number(m[1]) : 6;
}

/**
 * Whether preflight judges a lossy pair by its data (columns.ts: the values that do not fit are
 * errors, a warning gives the headroom when all do); the rest (a timestamp into a time of day)
 * change every value and are reported here.
 */
export function checkedByData(type: ExpressionType, target: CatalogColumn): boolean {
  return !(DATETIME.has(type.baseType) && (target.baseType === 'time' || target.baseType === 'timetz'));
}

/** Why storing a `type` value into `target` can change it, or null when it cannot (see the top). */
export function lossiness(type: ExpressionType, target: CatalogColumn): string | null {
  const from = type.baseType;
  const to = target.baseType;
  if (from === to) {
    if (from === 'numeric' && target.precision !== null && target.scale !== null) {
      const n = numericTypmod(type.baseTypmod);
      if (n && (n.scale > target.scale || n.precision - n.scale > target.precision - target.scale)) {
        return n.scale > target.scale
          ? `rounds values to ${plural(target.scale, 'decimal place')}`
          : `holds fewer integer digits (${target.precision - target.scale} instead of ${n.precision - n.scale})`;
      }
    }
    if ((from === 'varchar' || from === 'bpchar') && target.maxLength !== null && type.baseTypmod >= 4 && type.baseTypmod - 4 > target.maxLength) {
      return `holds ${target.maxLength} characters instead of ${type.baseTypmod - 4}`;
    }
    if ((DATETIME.has(from) || from === 'time' || from === 'timetz') && targetSecondsPrecision(target) < secondsPrecision(type.baseTypmod)) {
      return `rounds fractional seconds to ${targetSecondsPrecision(target)} digits`;
    }
    return null;
  }
  if (INTEGER_RANK[to] !== undefined) {
    if (FRACTIONAL.has(from)) return 'drops the fractional part';
    if (INTEGER_RANK[from] !== undefined && INTEGER_RANK[from]! > INTEGER_RANK[to]!) return 'can overflow';
    return null;
  }
  if (to === 'numeric' && target.precision !== null && target.scale !== null) {
    const integerDigits = target.precision - target.scale;
    if (INTEGER_DIGITS[from] !== undefined && INTEGER_DIGITS[from]! > integerDigits) return 'can overflow';
    if (FLOAT_DIGITS[from] !== undefined && target.precision < FLOAT_DIGITS[from]!) {
      return `keeps ${target.precision} significant digits of the ${FLOAT_DIGITS[from]} a ${from === 'float8' ? 'double precision' : 'real'} carries`;
    }
    return null;
  }
  if (to === 'float4' && (from === 'float8' || from === 'numeric' || from === 'int8' || from === 'int4')) return 'loses precision';
  if (to === 'float8' && (from === 'numeric' || from === 'int8')) return 'loses precision';
  if ((to === 'varchar' || to === 'bpchar') && (from === 'varchar' || from === 'bpchar')
      && target.maxLength !== null && type.baseTypmod >= 4 && type.baseTypmod - 4 > target.maxLength) {
    return `holds ${target.maxLength} characters instead of ${type.baseTypmod - 4}`;
  }
  if (DATETIME.has(from) && (to === 'date' || to === 'time' || to === 'timetz')) {
    return to === 'date' ? 'drops the time of day' : 'drops the date';
  }
  if (DATETIME.has(from) && DATETIME.has(to) && targetSecondsPrecision(target) < secondsPrecision(type.baseTypmod)) {
    return `rounds fractional seconds to ${targetSecondsPrecision(target)} digits`;
  }
  return null;
}
