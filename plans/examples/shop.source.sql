-- The corner shop's old database, as plans/examples/shop.yaml expects it (schema public), with a
-- few rows. Load it into an empty database:  psql "$SOURCE_DATABASE_URL" -f plans/examples/shop.source.sql
CREATE TABLE public.customers (
  id integer PRIMARY KEY,
  email text NOT NULL,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  newsletter_token text
);

CREATE TABLE public.products (
  sku text PRIMARY KEY,
  title text NOT NULL,
  price numeric(10,2) NOT NULL,
  stock integer NOT NULL DEFAULT 0,
  discontinued boolean NOT NULL DEFAULT false
);

CREATE TABLE public.orders (
  id integer PRIMARY KEY,
  customer_id integer NOT NULL REFERENCES public.customers (id),
  placed_at timestamptz NOT NULL,
  status text NOT NULL,
  total numeric(12,2) NOT NULL
);

CREATE TABLE public.order_lines (
  order_id integer NOT NULL REFERENCES public.orders (id),
  line_no integer NOT NULL,
  sku text NOT NULL REFERENCES public.products (sku),
  quantity integer NOT NULL,
  unit_price numeric(10,2) NOT NULL,
  PRIMARY KEY (order_id, line_no)
);

CREATE TABLE public.sessions (
  id text PRIMARY KEY,
  customer_id integer,
  expires_at timestamptz NOT NULL
);

CREATE FUNCTION public.order_total(integer) RETURNS numeric
  LANGUAGE sql STABLE
  AS $$ SELECT coalesce(sum(unit_price * quantity), 0) FROM public.order_lines WHERE order_id = $1 $$;

CREATE VIEW public.low_stock AS SELECT sku, title, stock FROM public.products WHERE stock < 5 AND NOT discontinued;

CREATE FUNCTION public.decrement_stock() RETURNS trigger
  LANGUAGE plpgsql
  AS $$ BEGIN UPDATE public.products SET stock = stock - NEW.quantity WHERE sku = NEW.sku; RETURN NEW; END $$;
CREATE TRIGGER decrement_stock AFTER INSERT ON public.order_lines FOR EACH ROW EXECUTE FUNCTION public.decrement_stock();

INSERT INTO public.customers (id, email, name, created_at, newsletter_token) VALUES
  (1, 'Ada@example.com', 'Ada Lovelace', '2024-01-05 10:00+00', 'n-1'),
  (2, 'grace@example.com', 'Grace Hopper', '2024-02-11 16:30+00', NULL);
INSERT INTO public.products (sku, title, price, stock, discontinued) VALUES
  ('TEA-1', 'Green tea', 4.50, 40, false),
  ('MUG-2', 'Blue mug', 9.90, 3, false),
  ('OLD-9', 'Paper calendar 2023', 5.00, 0, true);
INSERT INTO public.orders (id, customer_id, placed_at, status, total) VALUES
  (100, 1, '2024-03-01 09:15+00', 'paid', 18.90),
  (101, 2, '2024-03-02 12:00+00', 'shipped', 5.00);
ALTER TABLE public.order_lines DISABLE TRIGGER decrement_stock;
INSERT INTO public.order_lines (order_id, line_no, sku, quantity, unit_price) VALUES
  (100, 1, 'TEA-1', 2, 4.50),
  (100, 2, 'MUG-2', 1, 9.90),
  (101, 1, 'OLD-9', 1, 5.00);
ALTER TABLE public.order_lines ENABLE TRIGGER decrement_stock;
INSERT INTO public.sessions (id, customer_id, expires_at) VALUES ('s-1', 1, now() + interval '1 day');
