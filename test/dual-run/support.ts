// The shop the dual-run tests mirror: orders and their lines (lines reference orders, so one source
// transaction writes both), a partitioned table of events written straight into a partition, and a
// status the destination keeps as an enum. A pause lock: writes are refused until dual-run, then
// flow and are mirrored.
import { DUAL_RUN, planHead } from '../round-trip/support.js';

export const SOURCE_SQL = `
CREATE TABLE orders (id int PRIMARY KEY, customer text NOT NULL, status text NOT NULL DEFAULT 'open');
CREATE TABLE order_lines (id int PRIMARY KEY, order_id int NOT NULL REFERENCES orders (id) ON DELETE CASCADE, sku text NOT NULL, qty int NOT NULL);
CREATE TABLE events (id int NOT NULL, at date NOT NULL, what text NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE events_2027 PARTITION OF events FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
INSERT INTO orders SELECT g, 'customer ' || g, 'open' FROM generate_series(1, 200) g;
INSERT INTO order_lines SELECT g, (g % 200) + 1, 'sku-' || (g % 17), g % 5 + 1 FROM generate_series(1, 600) g;
INSERT INTO events SELECT g, DATE '2026-06-01' + (g % 400), 'event ' || g FROM generate_series(1, 300) g;
`;

export const DESTINATION_SQL = `
CREATE SCHEMA shop;
CREATE TYPE shop.order_status AS ENUM ('open', 'paid', 'shipped');
CREATE TABLE shop.orders (id int PRIMARY KEY, customer text NOT NULL, status shop.order_status NOT NULL);
CREATE TABLE shop.order_lines (id int PRIMARY KEY, order_id int NOT NULL REFERENCES shop.orders (id), sku text NOT NULL, qty int NOT NULL);
CREATE TABLE shop.events (id int NOT NULL, at date NOT NULL, what text NOT NULL, PRIMARY KEY (id, at));
`;

export function shopPlan(name: string, o: { target?: string; clock?: string; status?: string } = {}): string {
  const head = planHead({ name, target: o.target ?? 'dual_run', extra: DUAL_RUN });
  return `${o.clock ? head.replace(/^target: .*$/m, (t) => `${t}\nclock: ${o.clock}`) : head}classes:
  orders:
    source: { table: orders, key: [id] }
    destination: { table: shop.orders, key: [id] }
    columns: { id: id, customer: customer, status: "${o.status ?? 'status'}" }
  order_lines:
    source: { table: order_lines, key: [id] }
    destination: { table: shop.order_lines, key: [id] }
    columns: { id: id, order_id: order_id, sku: sku, qty: qty }
  events:
    source: { table: events, key: [id, at] }
    destination: { table: shop.events, key: [id, at] }
    columns: { id: id, at: at, what: what }
`;
}
