// `timestamp` → `timestamptz` through a declared `source_timezone`: New York wall times copied to the
// instants they denote — winter (EST, -5) and summer (EDT, -4) times, the fall-back overlap under
// `ambiguous: earlier` and `later`, the spring-forward gap under `nonexistent: forward`, and the
// edges of both transitions — checked directly in the destination, with parity passed.
import { describe, expect, it } from 'vitest';
import { endToEndFile } from '../support/cutover-cli.js';
import { cutover, expectExit, freshPair, parityResults, planHead, rows } from './support.js';

const NAME = 'punch-clock';

/** local wall time in New York → the instant, under policy earlier / later */
const CASES: [id: number, local: string | null, earlier: string | null, later: string | null][] = [
  [1, '2026-01-15 08:00:00', '2026-01-15T13:00:00.000000Z', '2026-01-15T13:00:00.000000Z'], // winter, EST
  [2, '2026-07-15 08:00:00', '2026-07-15T12:00:00.000000Z', '2026-07-15T12:00:00.000000Z'], // summer, EDT
  [3, '2026-11-01 01:30:00', '2026-11-01T05:30:00.000000Z', '2026-11-01T06:30:00.000000Z'], // overlap
  [4, '2026-11-01 01:00:00', '2026-11-01T05:00:00.000000Z', '2026-11-01T06:00:00.000000Z'], // overlap, first instant
  [5, '2026-11-01 01:59:59.999999', '2026-11-01T05:59:59.999999Z', '2026-11-01T06:59:59.999999Z'], // overlap, last instant
  [6, '2026-11-01 00:59:59', '2026-11-01T04:59:59.000000Z', '2026-11-01T04:59:59.000000Z'], // before the overlap, EDT
  [7, '2026-11-01 02:00:00', '2026-11-01T07:00:00.000000Z', '2026-11-01T07:00:00.000000Z'], // after it, EST
  [8, '2026-03-08 02:30:00', '2026-03-08T07:30:00.000000Z', '2026-03-08T07:30:00.000000Z'], // gap: forward
  [9, '2026-03-08 01:59:59', '2026-03-08T06:59:59.000000Z', '2026-03-08T06:59:59.000000Z'], // before the gap, EST
  [10, '2026-03-08 03:00:00', '2026-03-08T07:00:00.000000Z', '2026-03-08T07:00:00.000000Z'], // after it, EDT
  [11, null, null, null],
];

const values = CASES.map(([id, local]) => `(${id}, ${local === null ? 'NULL' : `'${local}'`})`).join(', ');

const SOURCE_SQL = `
CREATE TABLE punches_east (id int PRIMARY KEY, punched timestamp);
CREATE TABLE punches_west (id int PRIMARY KEY, punched timestamp);
INSERT INTO punches_east VALUES ${values};
INSERT INTO punches_west VALUES ${values};
`;

const DESTINATION_SQL = `
CREATE SCHEMA hr;
CREATE TABLE hr.punches_earlier (id int PRIMARY KEY, punched_at timestamptz);
CREATE TABLE hr.punches_later (id int PRIMARY KEY, punched_at timestamptz);
`;

const PLAN = `${planHead({ name: NAME })}classes:
  punches_earlier:
    source: { table: punches_east, key: [id] }
    destination: { table: hr.punches_earlier, key: [id] }
    columns: { id: id, punched_at: punched }
    timestamps: { source_timezone: America/New_York, ambiguous: earlier, nonexistent: forward }
  punches_later:
    source: { table: punches_west, key: [id] }
    destination: { table: hr.punches_later, key: [id] }
    columns: { id: id, punched_at: punched }
    timestamps: { source_timezone: America/New_York, ambiguous: later, nonexistent: forward }
`;

const folder = endToEndFile();

describe('timestamps converted through a declared zone', () => {
  it('land on the instants the wall times denote, under each policy', async () => {
    const pair = await freshPair(SOURCE_SQL, DESTINATION_SQL);
    const apply = await cutover(['apply', folder.write('punches.yaml', PLAN), '--auto-approve'], pair.env);
    expectExit(apply, 0);
    expect(apply.stdout).toContain('Apply complete! Phase round_tripped reached.');

    const instants = (table: string) => rows<{ id: number; at: string | null }>(pair.destination,
      `SELECT id, to_char(punched_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at FROM hr.${table} ORDER BY id`);
    expect(await instants('punches_earlier')).toEqual(CASES.map(([id, , earlier]) => ({ id, at: earlier })));
    expect(await instants('punches_later')).toEqual(CASES.map(([id, , , later]) => ({ id, at: later })));

    const parity = await parityResults(pair.destination, NAME);
    expect(parity.get('punches_earlier')).toMatchObject({ passed: true, sourceRows: CASES.length, differences: [] });
    expect(parity.get('punches_later')).toMatchObject({ passed: true, sourceRows: CASES.length, differences: [] });
  }, 60_000);
});
