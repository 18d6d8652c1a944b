-- Relay, the new CRM, as plans/examples/crm.yaml expects it (schemas crm and billing), empty:
-- cutover copies the rows. Load it into an empty database:
--   psql "$DESTINATION_DATABASE_URL" -f plans/examples/crm.destination.sql
CREATE SCHEMA crm;
CREATE SCHEMA billing;

CREATE TYPE crm.lifecycle_stage AS ENUM ('lead', 'qualified', 'customer', 'lost');

CREATE TABLE crm.accounts (
  id integer PRIMARY KEY,
  name text NOT NULL,
  industry text,
  owner_email text NOT NULL,
  created_at timestamptz NOT NULL
);

-- No foreign key to crm.accounts: Relay shards them (the plan lists the relationship instead).
CREATE TABLE crm.contacts (
  id integer PRIMARY KEY,
  account_id integer NOT NULL,
  first_name text NOT NULL,
  last_name text NOT NULL,
  full_name text GENERATED ALWAYS AS (first_name || ' ' || last_name) STORED,
  email text NOT NULL,
  phone text,
  lifecycle_stage crm.lifecycle_stage NOT NULL,
  preferred_language text,
  created_at timestamptz NOT NULL
);

CREATE TABLE billing.invoices (
  id integer PRIMARY KEY,
  account_id integer NOT NULL REFERENCES crm.accounts (id),
  number text NOT NULL,
  issued_at timestamptz NOT NULL,
  total_minor bigint NOT NULL,
  currency char(3) NOT NULL,
  status text NOT NULL
);

CREATE SEQUENCE billing.invoice_number_seq;
CREATE FUNCTION billing.assign_number() RETURNS trigger
  LANGUAGE plpgsql
  AS $$ BEGIN
    IF NEW.number IS NULL THEN
      NEW.number := 'INV-' || to_char(NEW.issued_at, 'YYYY') || '-' || lpad(nextval('billing.invoice_number_seq')::text, 6, '0');
    END IF;
    RETURN NEW;
  END $$;
CREATE TRIGGER assign_number BEFORE INSERT ON billing.invoices FOR EACH ROW EXECUTE FUNCTION billing.assign_number();

CREATE TABLE crm.audit_events (
  id bigint PRIMARY KEY,
  occurred_at timestamptz NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  subject_type text NOT NULL,
  subject_id bigint NOT NULL
);

CREATE TABLE crm.documents (
  id integer PRIMARY KEY,
  contact_id integer NOT NULL REFERENCES crm.contacts (id),
  file_name text NOT NULL,
  path text NOT NULL,
  sha256 text NOT NULL,
  uploaded_at timestamptz NOT NULL
);

CREATE VIEW crm.open_deals_by_owner AS
  SELECT a.owner_email, count(*) AS open_contacts
  FROM crm.contacts c JOIN crm.accounts a ON a.id = c.account_id
  WHERE c.lifecycle_stage NOT IN ('customer', 'lost')
  GROUP BY a.owner_email;

ALTER TABLE crm.contacts ENABLE ROW LEVEL SECURITY;
CREATE POLICY contacts_by_owner ON crm.contacts
  USING (account_id IN (SELECT id FROM crm.accounts WHERE owner_email = current_user));
