-- The corner shop's new database, as plans/examples/shop.yaml expects it (schema shop), empty:
-- cutover copies the rows. Load it into an empty database:
--   psql "$DESTINATION_DATABASE_URL" -f plans/examples/shop.destination.sql
CREATE SCHEMA shop;

CREATE TYPE shop.order_status AS ENUM ('new', 'paid', 'shipped', 'cancelled');

CREATE TABLE shop.customers (
  id integer PRIMARY KEY,
  email text NOT NULL,
  name text NOT NULL,
  created_at timestamptz NOT NULL
);

CREATE TABLE shop.products (
  sku text PRIMARY KEY,
  title text NOT NULL,
  price_cents integer NOT NULL,
  stock integer NOT NULL,
  active boolean NOT NULL
);

CREATE TABLE shop.orders (
  id integer PRIMARY KEY,
  customer_id integer NOT NULL,
  placed_at timestamptz NOT NULL,
  status shop.order_status NOT NULL,
  total_cents bigint NOT NULL
);

CREATE TABLE shop.order_lines (
  order_id integer NOT NULL REFERENCES shop.orders (id),
  line_number integer NOT NULL,
  sku text NOT NULL REFERENCES shop.products (sku),
  quantity integer NOT NULL,
  unit_price_cents integer NOT NULL,
  PRIMARY KEY (order_id, line_number)
);

CREATE FUNCTION shop.order_total(bigint) RETURNS bigint
  LANGUAGE sql STABLE
  AS $$ SELECT coalesce(sum(unit_price_cents * quantity), 0)::bigint FROM shop.order_lines WHERE order_id = $1 $$;
