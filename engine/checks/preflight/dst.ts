// Local times that a daylight-saving transition makes nonexistent (the spring-forward gap) or
// ambiguous (the fall-back overlap), as SQL predicates over a `timestamp without time zone` value t
// read in zone tz. Neither depends on the session's TimeZone.
//
// Gap: PostgreSQL reads a nonexistent local time with the offset in force before the transition,
// so converting it to an instant and back does not give t again:
//     (t AT TIME ZONE tz) AT TIME ZONE tz <> t
//
// Overlap: t is ambiguous when a second instant, besides the one PostgreSQL picks (u), shows the
// same local time. That instant has the UTC offset in force on the other side of the transition.
// The offsets a few hours before and after u are the candidates (every transition in the tz
// database shifts clocks by less than three hours); for each offset o, the instant whose local time
// would be t is (t - o) read as UTC. t is ambiguous when such an instant differs from u and really
// shows t. This handles transitions of any size, not only one hour, in either direction.
import { quoteLiteral } from '../../db/sql-identifiers.js';

const WINDOW = `interval '3 hours'`;

/** the UTC offset in force at instant x (timestamptz) in zone z, as an interval */
function offsetAt(x: string, z: string): string {
  return `((${x}) AT TIME ZONE ${z} - (${x}) AT TIME ZONE 'UTC')`;
}

/** true when local time t (timestamp without time zone) does not exist in zone tz */
export function gapPredicate(t: string, timezone: string): string {
  const z = quoteLiteral(timezone);
  return `(((${t}) AT TIME ZONE ${z}) AT TIME ZONE ${z} <> (${t}))`;
}

/** true when local time t (timestamp without time zone) occurs twice in zone tz */
export function overlapPredicate(t: string, timezone: string): string {
  const z = quoteLiteral(timezone);
  const u = `((${t}) AT TIME ZONE ${z})`;
  const candidate = (o: string) => `(((${t}) - ${o}) AT TIME ZONE 'UTC')`;
  const side = (shift: '-' | '+') => {
    const c = candidate(offsetAt(`${u} ${shift} ${WINDOW}`, z));
    return `(${c} <> ${u} AND (${c}) AT TIME ZONE ${z} = (${t}))`;
  };
  return `(${side('-')} OR ${side('+')})`;
}
