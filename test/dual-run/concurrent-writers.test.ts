// The dual-run under load: four sessions write 10,000 mixed changes (orders with their lines in one
// transaction, updates, deletes cascading to lines, key updates, writes straight into a partition),
// holding their transactions open for a moment so commits interleave out of id order. `cutover
// mirror` follows them and is killed with SIGKILL several times, each time started again. A reader
// on the destination meanwhile never sees a line without its order. After the writers stop and a
// last drain, the destination holds exactly the source's rows, the compare is clean, and the
// capture log is empty.
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { names } from '../../engine/lock/object-names.js';
import { endToEndFile } from '../support/cutover-cli.js';
import { count, cutover, expectExit, freshPair, LiveCli, rows } from '../round-trip/support.js';
import { DESTINATION_SQL, shopPlan, SOURCE_SQL } from './support.js';

const NAME = 'shop-load';
const WRITERS = 4;
const CHANGES = 10_000;
const folder = endToEndFile();
afterAll(() => folder.remove());

/** A small seeded generator: the same run every time. */
function random(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
}

const STATUSES = ['open', 'paid', 'shipped'];
const RETRYABLE = new Set(['40P01', '40001', '23503', '23505']);

async function writer(url: string, seed: number, changes: number): Promise<number> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const next = random(seed);
  const pick = (n: number) => Math.floor(next() * n);
  let done = 0;
  try {
    while (done < changes) {
      const op = next();
      const order = pick(2) ? 1 + pick(200) : 100_000 + pick(4000);
      try {
        await db.query('BEGIN');
        if (op < 0.35) {
          const { rows: [o] } = await db.query<{ id: string }>(`INSERT INTO orders (id, customer) VALUES (nextval('ids'), 'writer ${seed}') RETURNING id`);
          // held open a moment: transactions that took later ids commit first
          await db.query('SELECT pg_sleep($1)', [next() * 0.004]);
          for (let i = 0; i <= pick(3); i++) await db.query(`INSERT INTO order_lines VALUES (nextval('ids'), $1, 'sku-' || $2, $3)`, [o!.id, pick(20), 1 + pick(9)]);
        } else if (op < 0.55) {
          await db.query('UPDATE orders SET status = $1 WHERE id = $2', [STATUSES[pick(3)], order]);
        } else if (op < 0.7) {
          await db.query('UPDATE order_lines SET qty = qty + 1 WHERE id = (SELECT id FROM order_lines WHERE order_id = $1 LIMIT 1)', [order]);
        } else if (op < 0.8) {
          await db.query('DELETE FROM orders WHERE id = $1', [order]);
        } else if (op < 0.9) {
          await db.query(`UPDATE order_lines SET id = nextval('ids') WHERE id = (SELECT id FROM order_lines WHERE order_id = $1 LIMIT 1)`, [order]);
        } else {
          const partition = pick(2) === 0 ? 'events_2026' : 'events_2027';
          const day = partition === 'events_2026' ? '2026-08-01' : '2027-08-01';
          await db.query(`INSERT INTO ${partition} VALUES (nextval('ids'), $1, 'by writer ${seed}')`, [day]);
        }
        await db.query('COMMIT');
      } catch (e) {
        await db.query('ROLLBACK');
        if (!RETRYABLE.has((e as { code?: string }).code ?? '')) throw e;
      }
      done++;
    }
  } finally {
    await db.end();
  }
  return done;
}

/** Polls the destination for lines whose order is missing; returns the worst count it saw. */
function orphanWatcher(url: string): { stop(): Promise<number> } {
  let running = true;
  let worst = 0;
  const loop = (async () => {
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      while (running) {
        const { rows: [r] } = await db.query<{ n: string }>(
          'SELECT count(*)::text AS n FROM shop.order_lines l WHERE NOT EXISTS (SELECT 1 FROM shop.orders o WHERE o.id = l.order_id)');
        worst = Math.max(worst, Number(r!.n));
        await new Promise((res) => setTimeout(res, 5));
      }
    } finally {
      await db.end();
    }
  })();
  return { async stop() { running = false; await loop; return worst; } };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the mirror under concurrent writers and kills', () => {
  it('keeps whole transactions, survives SIGKILL, and ends exactly equal', async () => {
    const pair = await freshPair(`${SOURCE_SQL}\nCREATE SEQUENCE ids START 100000;`, DESTINATION_SQL);
    const plan = folder.write('shop.yaml', shopPlan(NAME));
    expectExit(await cutover(['apply', plan, '--auto-approve'], pair.env), 0);

    const env = { ...pair.env, CUTOVER_MIRROR_REPORT_MS: '300' };
    const watcher = orphanWatcher(pair.destination);
    const writing = Promise.all(Array.from({ length: WRITERS }, (_, i) => writer(pair.source, i + 1, CHANGES / WRITERS)));
    let finished = false;
    void writing.then(() => { finished = true; });

    let kills = 0;
    let mirror = new LiveCli(['mirror', plan], env, 300_000);
    while (!finished && kills < 5) {
      await mirror.waitFor(/mirror: .* applied/);
      await sleep(150 + kills * 120);
      if (finished) break;
      mirror.child.kill('SIGKILL');
      expect((await mirror.done).signal).toBe('SIGKILL');
      kills++;
      mirror = new LiveCli(['mirror', plan], env, 300_000);
    }
    expect(await writing).toEqual(Array(WRITERS).fill(CHANGES / WRITERS));
    expect(kills, 'the mirror was killed while the writers ran').toBeGreaterThanOrEqual(2);
    await mirror.waitFor(/mirror: .* applied/);
    mirror.child.kill('SIGTERM');
    const stopped = await mirror.done;
    expectExit(stopped, 0);
    expect(stopped.stdout).toContain('Mirror stopped cleanly');

    expectExit(await cutover(['mirror', plan, '--once'], pair.env), 0);
    expect(await watcher.stop(), 'a line was seen on the destination without its order').toBe(0);

    const lines = (t: string) => `SELECT id, order_id, sku, qty FROM ${t} ORDER BY id`;
    expect(await rows(pair.destination, 'SELECT id, customer, status::text AS status FROM shop.orders ORDER BY id'))
      .toEqual(await rows(pair.source, 'SELECT id, customer, status FROM orders ORDER BY id'));
    expect(await rows(pair.destination, lines('shop.order_lines'))).toEqual(await rows(pair.source, lines('order_lines')));
    expect(await count(pair.destination, 'SELECT count(*) AS n FROM shop.events')).toBe(await count(pair.source, 'SELECT count(*) AS n FROM events'));
    const compared = await cutover(['compare', plan], pair.env);
    expectExit(compared, 0);
    expect(await count(pair.source, `SELECT count(*) AS n FROM cutover.${JSON.stringify(names.captureLog(NAME))}`)).toBe(0);
  }, 300_000);
});
