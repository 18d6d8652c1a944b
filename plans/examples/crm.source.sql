-- The legacy CRM's database, as plans/examples/crm.yaml expects it (schema public), with a few
-- rows. Load it into an empty database (the event trigger needs a superuser):
--   psql "$SOURCE_DATABASE_URL" -f plans/examples/crm.source.sql
-- Timestamps are `timestamp without time zone` in Berlin local time, as the old app wrote them.
CREATE TABLE public.account (
  account_id integer PRIMARY KEY,
  name text NOT NULL,
  industry text,
  owner_email text NOT NULL,
  created_at timestamp NOT NULL,
  fax text
);

CREATE TABLE public.contact (
  contact_id integer PRIMARY KEY,
  account_id integer NOT NULL REFERENCES public.account (account_id),
  first_name text NOT NULL,
  last_name text NOT NULL,
  email text NOT NULL,
  phone text,
  stage text NOT NULL,
  preferred_language text,             -- added by the accommodated exception CHG-2211 (already run here)
  created_at timestamp NOT NULL,
  deleted_at timestamp,
  legacy_score integer
);

CREATE TABLE public.invoice (
  invoice_id integer PRIMARY KEY,
  account_id integer NOT NULL REFERENCES public.account (account_id),
  invoice_number text,
  issued_on timestamp NOT NULL,
  total numeric(12,2) NOT NULL,
  currency text NOT NULL,
  status text NOT NULL
);

CREATE TABLE public.activity_log (
  id bigint PRIMARY KEY,
  occurred_at timestamp NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  subject_type text NOT NULL,
  subject_id bigint NOT NULL,
  ip_address inet
);

CREATE TABLE public.document (
  document_id integer PRIMARY KEY,
  contact_id integer NOT NULL REFERENCES public.contact (contact_id),
  file_name text NOT NULL,
  storage_path text NOT NULL,
  sha256 text NOT NULL,
  uploaded_at timestamp NOT NULL,
  thumbnail_png bytea
);

CREATE TABLE public.schema_migrations (version text PRIMARY KEY);
CREATE TABLE public.import_staging (line integer, raw text);
CREATE TABLE public.contact_backup_2021 (LIKE public.contact);

-- The old numbering rule: INV-<year>-<six digits>.
CREATE SEQUENCE public.invoice_number_seq;
CREATE FUNCTION public.assign_invoice_number() RETURNS trigger
  LANGUAGE plpgsql
  AS $$ BEGIN
    IF NEW.invoice_number IS NULL THEN
      NEW.invoice_number := 'INV-' || to_char(NEW.issued_on, 'YYYY') || '-' || lpad(nextval('public.invoice_number_seq')::text, 6, '0');
    END IF;
    RETURN NEW;
  END $$;
CREATE TRIGGER assign_invoice_number BEFORE INSERT ON public.invoice FOR EACH ROW EXECUTE FUNCTION public.assign_invoice_number();

CREATE VIEW public.open_deals_by_owner AS
  SELECT a.owner_email, count(*) AS open_contacts
  FROM public.contact c JOIN public.account a USING (account_id)
  WHERE c.deleted_at IS NULL AND c.stage NOT IN ('Customer', 'Lost')
  GROUP BY a.owner_email;

ALTER TABLE public.contact ENABLE ROW LEVEL SECURITY;
CREATE POLICY contacts_by_owner ON public.contact
  USING (account_id IN (SELECT account_id FROM public.account WHERE owner_email = current_user));

CREATE FUNCTION public.account_health(integer, date) RETURNS integer
  LANGUAGE sql STABLE
  AS $$ SELECT count(*)::integer FROM public.activity_log WHERE subject_type = 'account' AND subject_id = $1 AND occurred_at >= $2 $$;

CREATE FUNCTION public.log_ddl() RETURNS event_trigger
  LANGUAGE plpgsql
  AS $$ BEGIN RAISE NOTICE 'DDL: %', tg_tag; END $$;
CREATE EVENT TRIGGER log_ddl ON ddl_command_end EXECUTE FUNCTION public.log_ddl();

INSERT INTO public.account (account_id, name, industry, owner_email, created_at, fax) VALUES
  (1, ' Nordlicht GmbH ', 'logistics', 'Priya.Natarajan@example.com', '2019-03-31 02:30:00', '+49 30 1234'),
  (2, 'Havel Bau AG', 'construction', 'jonas.weber@example.com', '2020-10-25 02:30:00', NULL);
INSERT INTO public.contact (contact_id, account_id, first_name, last_name, email, phone, stage, created_at, deleted_at, legacy_score) VALUES
  (10, 1, 'Lena', 'Fischer', 'Lena.Fischer@nordlicht.example', '+49 30 5550', 'Customer', '2021-06-01 09:00:00', NULL, 71),
  (11, 1, 'Tom', 'Becker', 'tom.becker@nordlicht.example', NULL, 'Lead', '2022-01-15 14:20:00', NULL, 12),
  (12, 2, 'Eva', 'Klein', 'eva.klein@havel.example', NULL, 'Qualified', '2023-04-04 11:11:00', '2024-01-01 00:00:00', 3);
INSERT INTO public.invoice (invoice_id, account_id, invoice_number, issued_on, total, currency, status) VALUES
  (100, 1, 'INV-2024-000001', '2024-02-01 10:00:00', 1250.00, 'eur', 'paid'),
  (101, 2, 'INV-2024-000002', '2024-03-01 10:00:00', 980.50, 'EUR', 'sent'),
  (102, 2, NULL, '2024-03-05 10:00:00', 10.00, 'EUR', 'draft');
INSERT INTO public.activity_log (id, occurred_at, actor, action, subject_type, subject_id, ip_address) VALUES
  (48213, '2026-10-25 01:30:00', 'lena.fischer', 'delete', 'contact', 13, '192.0.2.10'),
  (51877, '2026-11-02 08:14:09', 'tom.becker', 'sign_in', 'user', 11, '192.0.2.11');
INSERT INTO public.document (document_id, contact_id, file_name, storage_path, sha256, uploaded_at) VALUES
  (1, 10, 'contract.pdf', 'contacts/10/contract.pdf', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', '2024-02-01 10:05:00');
