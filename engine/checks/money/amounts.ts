// Money amounts as exact integers of minor units (BigInt), never floats. Databases hand totals over
// as text already rounded to `minor_units` decimals; a bank statement's amounts are parsed from
// their decimal text and rounded the same way PostgreSQL's round(numeric, n) does: half away
// from zero.

const DECIMAL = /^([+-])?(\d+)(?:\.(\d*))?$|^([+-])?\.(\d+)$/;

/**
 * A decimal string in major units → minor units, rounded half away from zero to `minorUnits`
 * decimals. Returns null when the text is not a plain decimal (`12`, `-3.5`, `+0.125`, `.5`).
 */
export function toMinor(text: string, minorUnits: number): bigint | null {
  const m = DECIMAL.exec(text.trim());
  if (!m) return null;
  const sign = (m[1] ?? m[4]) === '-' ? -1n : 1n;
  const whole = m[2] ?? '0';
  const fraction = m[3] ?? m[5] ?? '';
  const kept = fraction.slice(0, minorUnits).padEnd(minorUnits, '0');
  const rest = fraction.slice(minorUnits);
  let magnitude = BigInt(whole + kept);
  if (rest.length > 0 && rest[0]! >= '5') magnitude += 1n;
  return sign * magnitude;
}

/** minor units → major-unit decimal text with exactly `minorUnits` decimals: 1234n, 2 → `12.34` */
export function formatMinor(value: bigint, minorUnits: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(minorUnits + 1, '0');
  const whole = minorUnits === 0 ? digits : digits.slice(0, digits.length - minorUnits);
  const fraction = minorUnits === 0 ? '' : `.${digits.slice(digits.length - minorUnits)}`;
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

/** SQL numeric literal for 10^-minorUnits (`0.01` for 2), to scale minor units to major exactly */
export function minorScale(minorUnits: number): string {
  return minorUnits === 0 ? '1' : `0.${'0'.repeat(minorUnits - 1)}1`;
}

/** A valid calendar date written YYYY-MM-DD. */
export function isIsoDay(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}
