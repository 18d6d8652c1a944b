// introspect() against a real server: a source schema with every kind of table, column and custom
// code the catalog describes, the exclusions (RI triggers, _RETURN rules, extension objects,
// cutover's own), server facts, a constant number of queries, and the source fingerprint.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalog, CatalogColumn, CatalogTable } from '../../engine/introspect/catalog.js';
import { fingerprintDrift, sourceFingerprint, type FingerprintParts } from '../../engine/introspect/fingerprint.js';
import { introspect, type QueryRunner } from '../../engine/introspect/introspect.js';
import { adminUrl, databaseName, databaseUrl, dropFreshDatabases, freshDatabase, withClient } from '../support/databases.js';

const SCHEMAS = ['public', 'sales'];

let url: string;
/** the fresh database, through the superuser connection (event triggers, roles, extensions) */
let admin: string;
let available: Set<string>;
let catalog: Catalog;
const roles: string[] = [];

function uniqueRole(prefix: string): string {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  roles.push(name);
  return name;
}

const SETUP = `
CREATE SCHEMA sales;
CREATE TABLE sales.region (region_id integer PRIMARY KEY, name text NOT NULL);

CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
ALTER TYPE mood ADD VALUE 'meh' BEFORE 'ok';
CREATE DOMAIN amount AS numeric(12,2) CHECK (VALUE >= 0);
CREATE DOMAIN credit_amount AS amount;

CREATE TABLE customer (
  customer_id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email varchar(20) NOT NULL,
  first_name text,
  last_name text,
  full_name text GENERATED ALWAYS AS (first_name || ' ' || last_name) STORED,
  balance numeric(10,2) NOT NULL DEFAULT 0,
  credit amount,
  credit_limit credit_amount,
  mood mood,
  code char(3),
  tags text[],
  region_id integer REFERENCES sales.region,
  created_at timestamp without time zone DEFAULT now(),
  CONSTRAINT customer_balance_check CHECK (balance >= 0)
);
CREATE UNIQUE INDEX customer_email_key ON customer (email);
CREATE UNIQUE INDEX customer_code_active ON customer (code) WHERE code IS NOT NULL;
CREATE UNIQUE INDEX customer_lower_email ON customer (lower(email));
CREATE INDEX customer_last_name ON customer (last_name);

CREATE TABLE invoice (
  invoice_id integer PRIMARY KEY,
  customer_id integer NOT NULL REFERENCES customer DEFERRABLE INITIALLY DEFERRED,
  total numeric(10,2) NOT NULL,
  invoice_date timestamp without time zone NOT NULL
);
CREATE TABLE invoice_line (
  invoice_id integer REFERENCES invoice,
  line_no integer,
  quantity integer NOT NULL CHECK (quantity > 0),
  unit_price numeric(10,2) NOT NULL,
  PRIMARY KEY (invoice_id, line_no),
  UNIQUE (invoice_id, line_no, quantity) INCLUDE (unit_price)
);

CREATE TABLE measurement (city_id integer NOT NULL, logdate date NOT NULL, peak integer, PRIMARY KEY (city_id, logdate))
  PARTITION BY RANGE (logdate);
CREATE TABLE measurement_2025 PARTITION OF measurement FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE measurement_2026 PARTITION OF measurement FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE reading (id integer PRIMARY KEY, city_id integer, logdate date, FOREIGN KEY (city_id, logdate) REFERENCES measurement);

CREATE TABLE event_log (id bigint PRIMARY KEY, at timestamptz NOT NULL, note text);
CREATE TABLE event_log_archive (archived_at timestamptz) INHERITS (event_log);

CREATE TABLE "Odd Name" ("Mixed Col" integer);
CREATE TABLE playlist_track_backup (playlist_id integer, track_id integer);

CREATE FUNCTION last_day(d timestamp without time zone) RETURNS date LANGUAGE plpgsql AS $$
BEGIN RETURN (date_trunc('month', d) + interval '1 month - 1 day')::date; END $$;
CREATE FUNCTION "Odd Fn"(integer, text) RETURNS text LANGUAGE sql AS $$ SELECT $2 || $1 $$;
CREATE FUNCTION update_invoice_total() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE invoice SET total = (SELECT coalesce(sum(quantity * unit_price), 0) FROM invoice_line WHERE invoice_id = NEW.invoice_id)
   WHERE invoice_id = NEW.invoice_id;
  RETURN NEW;
END $$;
CREATE TRIGGER update_invoice_total AFTER INSERT OR UPDATE ON invoice_line FOR EACH ROW EXECUTE FUNCTION update_invoice_total();
CREATE FUNCTION invoice_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER invoice_audit BEFORE UPDATE ON invoice FOR EACH ROW EXECUTE FUNCTION invoice_audit();
ALTER TABLE invoice DISABLE TRIGGER invoice_audit;
CREATE FUNCTION measurement_guard() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER measurement_guard BEFORE INSERT ON measurement FOR EACH ROW EXECUTE FUNCTION measurement_guard();
CREATE PROCEDURE archive_events(older_than timestamptz) LANGUAGE plpgsql AS $$
BEGIN INSERT INTO event_log_archive (id, at, note, archived_at) SELECT id, at, note, now() FROM ONLY event_log WHERE at < older_than; END $$;
CREATE FUNCTION sum_positive_step(state integer, value integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT state + greatest(value, 0) $$;
CREATE AGGREGATE sum_positive(integer) (SFUNC = sum_positive_step, STYPE = integer, INITCOND = '0');
CREATE FUNCTION sales.region_label(region_id integer) RETURNS text LANGUAGE sql AS $$ SELECT 'region ' || region_id $$;

CREATE VIEW customer_names AS SELECT customer_id, first_name, last_name FROM customer;
CREATE MATERIALIZED VIEW invoice_totals AS SELECT customer_id, sum(total) AS total FROM invoice GROUP BY customer_id;
CREATE RULE backup_no_delete AS ON DELETE TO playlist_track_backup DO INSTEAD NOTHING;
CREATE RULE "Keep It" AS ON UPDATE TO "Odd Name" DO INSTEAD NOTHING;
ALTER TABLE customer ENABLE ROW LEVEL SECURITY;
CREATE POLICY customer_self ON customer FOR SELECT TO PUBLIC USING (email = current_user);

CREATE FUNCTION log_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN NULL; END $$;
CREATE EVENT TRIGGER log_ddl ON ddl_command_end WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE') EXECUTE FUNCTION log_ddl();

-- cutover's own objects: never in the catalog
CREATE SCHEMA cutover;
CREATE TABLE cutover.migrations (name text PRIMARY KEY);
CREATE FUNCTION cutover.block_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN NULL; END $$;
CREATE VIEW cutover.phases AS SELECT name FROM cutover.migrations;
CREATE EVENT TRIGGER cutover_schema_lock ON ddl_command_end EXECUTE FUNCTION cutover.block_ddl();
CREATE TABLE cutover_capture_invoice (id bigint);
CREATE FUNCTION cutover_reject_writes() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER cutover_data_lock BEFORE INSERT OR UPDATE OR DELETE ON invoice FOR EACH STATEMENT EXECUTE FUNCTION cutover_reject_writes();

-- a schema not asked for
CREATE SCHEMA other;
CREATE TABLE other.elsewhere (id integer);
CREATE FUNCTION other.hidden() RETURNS integer LANGUAGE sql AS 'SELECT 1';

CREATE PUBLICATION introspect_pub FOR TABLE invoice;
`;

const EXPECTED_CODE = [
  'event trigger log_ddl',
  'function public.Odd Fn(integer, text)',
  'function public.invoice_audit()',
  'function public.last_day(timestamp without time zone)',
  'function public.log_ddl()',
  'function public.measurement_guard()',
  'function public.sum_positive(integer)',
  'function public.sum_positive_step(integer, integer)',
  'function public.update_invoice_total()',
  'function sales.region_label(integer)',
  'materialized view public.invoice_totals',
  'policy public.customer.customer_self',
  'procedure public.archive_events(timestamp with time zone)',
  'rule public.Odd Name.Keep It',
  'rule public.playlist_track_backup.backup_no_delete',
  'trigger public.invoice.invoice_audit',
  'trigger public.invoice_line.update_invoice_total',
  'trigger public.measurement.measurement_guard',
  'view public.customer_names',
];

function table(name: string, from: Catalog = catalog): CatalogTable {
  const found = from.tables.find((t) => t.qualified === name);
  if (!found) throw new Error(`no table ${name} in ${from.tables.map((t) => t.qualified).join(', ')}`);
  return found;
}

function column(t: CatalogTable, name: string): CatalogColumn {
  const found = t.columns.find((c) => c.name === name);
  if (!found) throw new Error(`no column ${name} in ${t.qualified}`);
  return found;
}

function code(address: string, from: Catalog = catalog) {
  return from.customCode.find((c) => c.address === address);
}

async function read(schemas = SCHEMAS, target = url): Promise<Catalog> {
  return withClient(target, (client) => introspect(client, schemas));
}

beforeAll(async () => {
  // roles are server-wide: creating them on the source server would show as drift in other files'
  // migrations running at the same time, so introspection is tested on the destination server
  url = await freshDatabase('destination', 'introspect');
  admin = databaseUrl(adminUrl('destination'), databaseName(url));
  await withClient(admin, async (client) => {
    available = new Set((await client.query<{ name: string }>('SELECT name FROM pg_available_extensions')).rows.map((r) => r.name));
    await client.query(SETUP);
    if (available.has('citext')) {
      await client.query('CREATE EXTENSION citext');
      await client.query('CREATE TABLE handle (handle citext PRIMARY KEY)');
    }
    if (available.has('postgres_fdw')) {
      await client.query('CREATE EXTENSION postgres_fdw');
      await client.query(`CREATE SERVER legacy_erp FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'erp.invalid', dbname 'erp')`);
      await client.query('CREATE FOREIGN TABLE erp_orders (id integer, amount numeric(8,3)) SERVER legacy_erp');
    }
    await client.query(`INSERT INTO sales.region VALUES (1, 'north');
      INSERT INTO customer (email, first_name, last_name, region_id) SELECT 'c' || g || '@x', 'F', 'L', 1 FROM generate_series(1, 50) g;
      INSERT INTO measurement SELECT g, date '2025-06-01' + g, g FROM generate_series(1, 300) g;
      ANALYZE;`);
  });
  catalog = await read();
});

afterAll(async () => {
  await dropFreshDatabases();
  if (roles.length > 0) {
    await withClient(adminUrl('destination'), async (client) => {
      const version = Number((await client.query(`SELECT current_setting('server_version_num') AS v`)).rows[0].v);
      for (const role of roles) {
        const exists = (await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).rowCount === 1;
        if (!exists) continue;
        // a test that failed half-way may have left its parameter grant behind
        if (version >= 150000) await client.query(`REVOKE SET ON PARAMETER session_replication_role FROM ${client.escapeIdentifier(role)}`);
        await client.query(`DROP ROLE ${client.escapeIdentifier(role)}`);
      }
    });
  }
});

describe('introspect: tables', () => {
  it('lists the ordinary, partitioned and foreign tables of the schemas asked for, partitions included', () => {
    const expected = [
      'public.Odd Name', 'public.customer', 'public.event_log', 'public.event_log_archive', 'public.invoice',
      'public.invoice_line', 'public.measurement', 'public.measurement_2025', 'public.measurement_2026',
      'public.playlist_track_backup', 'public.reading', 'sales.region',
      ...(available.has('citext') ? ['public.handle'] : []),
      ...(available.has('postgres_fdw') ? ['public.erp_orders'] : []),
    ];
    expect(catalog.tables.map((t) => t.qualified).sort()).toEqual(expected.sort());
    expect(table('public.customer')).toMatchObject({ schema: 'public', name: 'customer', kind: 'table' });
    expect(table('public.Odd Name').columns.map((c) => c.name)).toEqual(['Mixed Col']);
  });

  it('leaves out cutover\'s own tables, views and schemas not asked for', async () => {
    const names = catalog.tables.map((t) => t.qualified);
    expect(names).not.toContain('public.cutover_capture_invoice');
    expect(names.some((n) => n.startsWith('cutover.') || n.startsWith('other.'))).toBe(false);
    expect(names).not.toContain('public.customer_names');
    // even when the cutover schema is asked for
    const withCutover = await read([...SCHEMAS, 'cutover']);
    expect(withCutover.tables.map((t) => t.qualified)).toEqual(names);
    expect(withCutover.customCode.map((c) => c.address)).toEqual(catalog.customCode.map((c) => c.address));
  });

  it('reads partitioning and inheritance', () => {
    expect(table('public.measurement')).toMatchObject({ kind: 'partitioned', partitionOf: null, inheritsFrom: [] });
    expect(table('public.measurement_2025')).toMatchObject({ kind: 'table', partitionOf: 'public.measurement', inheritsFrom: [] });
    expect(table('public.measurement_2026').partitionOf).toBe('public.measurement');
    expect(table('public.event_log_archive')).toMatchObject({ partitionOf: null, inheritsFrom: ['public.event_log'] });
    expect(table('public.event_log')).toMatchObject({ partitionOf: null, inheritsFrom: [] });
    expect(table('public.event_log_archive').columns.map((c) => c.name)).toEqual(['id', 'at', 'note', 'archived_at']);
  });

  it('reads every column fact, in column order', () => {
    const customer = table('public.customer');
    expect(customer.columns.map((c) => c.name)).toEqual([
      'customer_id', 'email', 'first_name', 'last_name', 'full_name', 'balance', 'credit', 'credit_limit', 'mood', 'code',
      'tags', 'region_id', 'created_at',
    ]);
    const plain = { notNull: false, hasDefault: false, generated: false, identity: false, maxLength: null, precision: null, scale: null, enumLabels: null };
    expect(column(customer, 'customer_id')).toEqual({
      ...plain, name: 'customer_id', type: 'integer', baseType: 'int4', category: 'N', notNull: true, identity: true,
    });
    expect(column(customer, 'email')).toEqual({
      ...plain, name: 'email', type: 'character varying(20)', baseType: 'varchar', category: 'S', notNull: true, maxLength: 20,
    });
    expect(column(customer, 'full_name')).toEqual({ ...plain, name: 'full_name', type: 'text', baseType: 'text', category: 'S', generated: true });
    expect(column(customer, 'balance')).toEqual({
      ...plain, name: 'balance', type: 'numeric(10,2)', baseType: 'numeric', category: 'N', notNull: true, hasDefault: true, precision: 10, scale: 2,
    });
    // domains resolve to their base type, and carry its typmod and CHECKs (through a domain over a domain too)
    const amountCheck = { name: 'amount_check', domain: 'amount', definition: 'CHECK ((VALUE >= (0)::numeric))' };
    expect(column(customer, 'credit')).toEqual({
      ...plain, name: 'credit', type: 'amount', baseType: 'numeric', category: 'N', precision: 12, scale: 2, domainChecks: [amountCheck],
    });
    expect(column(customer, 'credit_limit')).toEqual({
      ...plain, name: 'credit_limit', type: 'credit_amount', baseType: 'numeric', category: 'N', precision: 12, scale: 2, domainChecks: [amountCheck],
    });
    expect(column(customer, 'mood')).toEqual({
      ...plain, name: 'mood', type: 'mood', baseType: 'mood', category: 'E', enumLabels: ['sad', 'meh', 'ok', 'happy'],
    });
    expect(column(customer, 'code')).toEqual({ ...plain, name: 'code', type: 'character(3)', baseType: 'bpchar', category: 'S', maxLength: 3 });
    expect(column(customer, 'tags')).toEqual({ ...plain, name: 'tags', type: 'text[]', baseType: '_text', category: 'A' });
    expect(column(customer, 'created_at')).toEqual({
      ...plain, name: 'created_at', type: 'timestamp without time zone', baseType: 'timestamp', category: 'D', hasDefault: true,
    });
    expect(column(table('public.event_log'), 'at')).toMatchObject({ type: 'timestamp with time zone', baseType: 'timestamptz', category: 'D' });
    if (available.has('postgres_fdw')) {
      expect(table('public.erp_orders').kind).toBe('foreign');
      expect(column(table('public.erp_orders'), 'amount')).toMatchObject({ precision: 8, scale: 3 });
    }
    if (available.has('citext')) expect(column(table('public.handle'), 'handle')).toMatchObject({ type: 'citext', baseType: 'citext', notNull: true });
  });

  it('reads primary keys in key order, unique indexes, foreign keys and checks', () => {
    const customer = table('public.customer');
    expect(customer.primaryKey).toEqual(['customer_id']);
    // the expression index on lower(email) is left out; the plain index is not unique
    expect(customer.uniqueIndexes).toEqual([
      { name: 'customer_code_active', columns: ['code'], partial: true },
      { name: 'customer_email_key', columns: ['email'], partial: false },
      { name: 'customer_pkey', columns: ['customer_id'], partial: false },
    ]);
    expect(customer.foreignKeys).toEqual([
      { name: 'customer_region_id_fkey', columns: ['region_id'], references: 'sales.region', referencedColumns: ['region_id'], deferrable: false },
    ]);
    expect(customer.checks).toHaveLength(1);
    expect(customer.checks[0]!.name).toBe('customer_balance_check');
    expect(customer.checks[0]!.definition).toMatch(/^CHECK \(balance >= 0(::numeric)?\)$/);

    expect(table('public.invoice').foreignKeys).toEqual([
      { name: 'invoice_customer_id_fkey', columns: ['customer_id'], references: 'public.customer', referencedColumns: ['customer_id'], deferrable: true },
    ]);
    const line = table('public.invoice_line');
    expect(line.primaryKey).toEqual(['invoice_id', 'line_no']);
    // key columns only, not INCLUDE columns
    expect(line.uniqueIndexes).toContainEqual({ name: 'invoice_line_invoice_id_line_no_quantity_unit_price_key', columns: ['invoice_id', 'line_no', 'quantity'], partial: false });
    expect(line.checks.map((c) => c.definition)).toEqual(['CHECK (quantity > 0)']);
    expect(line.foreignKeys.map((f) => f.references)).toEqual(['public.invoice']);

    // a foreign key to a partitioned table is one key, not one per partition
    expect(table('public.reading').foreignKeys).toEqual([
      { name: 'reading_city_id_logdate_fkey', columns: ['city_id', 'logdate'], references: 'public.measurement', referencedColumns: ['city_id', 'logdate'], deferrable: false },
    ]);
    expect(table('public.measurement').primaryKey).toEqual(['city_id', 'logdate']);
    expect(table('public.measurement_2025').primaryKey).toEqual(['city_id', 'logdate']);
    expect(table('public.playlist_track_backup')).toMatchObject({ primaryKey: null, uniqueIndexes: [], foreignKeys: [], checks: [] });
  });

  it('reads user triggers with their state, never the internal foreign-key triggers or cutover\'s own', () => {
    expect(table('public.invoice_line').triggers).toEqual([{
      name: 'update_invoice_total',
      enabled: true,
      definition: 'CREATE TRIGGER update_invoice_total AFTER INSERT OR UPDATE ON public.invoice_line FOR EACH ROW EXECUTE FUNCTION update_invoice_total()',
    }]);
    expect(table('public.invoice').triggers.map((t) => [t.name, t.enabled])).toEqual([['invoice_audit', false]]);
    expect(table('public.customer').triggers).toEqual([]);
    // a partition carries its parent's trigger (it fires there)
    expect(table('public.measurement').triggers.map((t) => t.name)).toEqual(['measurement_guard']);
    expect(table('public.measurement_2025').triggers.map((t) => t.name)).toEqual(['measurement_guard']);
  });

  it('estimates rows and sizes; a partitioned table adds up its partitions', () => {
    expect(table('public.customer').estimatedRows).toBe(50);
    expect(table('public.customer').bytes).toBeGreaterThan(0);
    expect(table('public.invoice').estimatedRows).toBe(0);
    const partitions = table('public.measurement_2025').estimatedRows + table('public.measurement_2026').estimatedRows;
    expect(partitions).toBe(300);
    expect(table('public.measurement').estimatedRows).toBe(300);
    expect(table('public.measurement').bytes).toBe(table('public.measurement_2025').bytes + table('public.measurement_2026').bytes);
  });

  it('estimates a table grown since its last ANALYZE at its size now, as the planner does', async () => {
    await withClient(admin, (client) => client.query(`CREATE SCHEMA growth;
      CREATE TABLE growth.ledger (id int PRIMARY KEY, memo text);
      INSERT INTO growth.ledger SELECT g, 'entry ' || g FROM generate_series(1, 1000) g;
      ANALYZE growth.ledger;
      INSERT INTO growth.ledger SELECT g, 'entry ' || g FROM generate_series(1001, 50000) g;`));
    const grown = (await read(['growth'])).tables.find((t) => t.qualified === 'growth.ledger')!;
    // reltuples still says 1,000; a copy's progress must not read "2,000 rows of about 1,000"
    expect(grown.estimatedRows).toBeGreaterThan(40_000);
    expect(grown.estimatedRows).toBeLessThan(60_000);
  });
});

describe('introspect: custom code', () => {
  it('lists every object in the grammar, exactly, in address order', () => {
    expect(catalog.customCode.map((c) => c.address)).toEqual([...EXPECTED_CODE].sort());
    for (const object of catalog.customCode) expect(object.address.startsWith(`${object.kind} `)).toBe(true);
  });

  it('leaves out _RETURN rules, RI triggers, partition trigger clones, extension objects and cutover\'s own', () => {
    const addresses = catalog.customCode.map((c) => c.address);
    expect(addresses.filter((a) => a.includes('_RETURN'))).toEqual([]);
    expect(addresses.filter((a) => a.includes('RI_ConstraintTrigger'))).toEqual([]);
    expect(addresses.filter((a) => a.includes('measurement_202'))).toEqual([]);
    expect(addresses.filter((a) => a.includes('cutover'))).toEqual([]);
    expect(addresses.filter((a) => /citext|postgres_fdw/.test(a))).toEqual([]);
    expect(addresses.filter((a) => a.includes('other.'))).toEqual([]);
  });

  it('gives each object its definition', () => {
    expect(code('function public.last_day(timestamp without time zone)')!.definition)
      .toMatch(/^CREATE OR REPLACE FUNCTION public\.last_day\(d timestamp without time zone\)[\s\S]*date_trunc/);
    expect(code('procedure public.archive_events(timestamp with time zone)')!.definition).toMatch(/^CREATE OR REPLACE PROCEDURE public\.archive_events/);
    expect(code('function public.sum_positive(integer)')).toEqual({
      kind: 'function',
      address: 'function public.sum_positive(integer)',
      definition: "CREATE AGGREGATE public.sum_positive(integer) (SFUNC = sum_positive_step(integer,integer), STYPE = integer, INITCOND = '0')",
    });
    expect(code('view public.customer_names')).toMatchObject({ kind: 'view' });
    expect(code('view public.customer_names')!.definition).toMatch(/SELECT customer_id,\s+first_name,\s+last_name\s+FROM customer/);
    expect(code('materialized view public.invoice_totals')).toMatchObject({ kind: 'materialized view' });
    expect(code('materialized view public.invoice_totals')!.definition).toMatch(/sum\(total\) AS total/);
    expect(code('rule public.playlist_track_backup.backup_no_delete')).toMatchObject({ kind: 'rule' });
    expect(code('rule public.playlist_track_backup.backup_no_delete')!.definition).toMatch(/ON DELETE TO playlist_track_backup DO INSTEAD NOTHING/);
    expect(code('policy public.customer.customer_self')).toMatchObject({ kind: 'policy' });
    expect(code('policy public.customer.customer_self')!.definition)
      .toMatch(/^CREATE POLICY customer_self ON public\.customer AS PERMISSIVE FOR SELECT TO PUBLIC USING \(.*email.* = CURRENT_USER\)$/);
    expect(code('event trigger log_ddl')).toEqual({
      kind: 'event trigger',
      address: 'event trigger log_ddl',
      definition: "CREATE EVENT TRIGGER log_ddl ON ddl_command_end WHEN TAG IN ('ALTER TABLE', 'CREATE TABLE') EXECUTE FUNCTION public.log_ddl()",
    });
    expect(code('trigger public.invoice.invoice_audit')).toEqual({
      kind: 'trigger',
      address: 'trigger public.invoice.invoice_audit',
      definition: 'CREATE TRIGGER invoice_audit BEFORE UPDATE ON public.invoice FOR EACH ROW EXECUTE FUNCTION invoice_audit()',
    });
  });
});

describe('introspect: integrations and server facts', () => {
  it('reads roles, publications, subscriptions, slots, foreign servers and extensions', async () => {
    const { integrations } = catalog;
    const serverRoles = await withClient(url, async (client) =>
      (await client.query<{ rolname: string }>(`SELECT rolname FROM pg_roles WHERE rolname NOT LIKE 'pg\\_%' ORDER BY rolname`)).rows.map((r) => r.rolname));
    expect(integrations.roles.filter((r) => serverRoles.includes(r))).toEqual(integrations.roles);
    expect(integrations.roles).toContain(catalog.server.currentUser);
    expect(integrations.roles.some((r) => r.startsWith('pg_'))).toBe(false);
    expect(integrations.publications).toEqual(['introspect_pub']);
    expect(integrations.subscriptions).toEqual([]);
    expect(integrations.replicationSlots.every((s) => typeof s === 'string')).toBe(true);
    expect(integrations.foreignServers).toEqual(available.has('postgres_fdw') ? ['legacy_erp'] : []);
    expect(integrations.extensions).toContain('plpgsql 1.0');
    if (available.has('citext')) expect(integrations.extensions.some((e) => /^citext \d+(\.\d+)*$/.test(e))).toBe(true);
  });

  it('reads the server facts', async () => {
    const expected = await withClient(url, async (client) =>
      (await client.query(`SELECT current_setting('server_version_num')::int AS version, version() AS text, current_user AS "user",
                                  (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser`)).rows[0]);
    expect(catalog.server).toMatchObject({
      version: expected.version,
      versionText: expected.text,
      database: databaseName(url),
      currentUser: expected.user,
      superuser: expected.superuser,
    });
    if (expected.superuser) expect(catalog.server).toMatchObject({ canSetReplicationRole: true, canCreateEventTrigger: true });
  });

  it('reports the TimeZone applications get, not the session\'s pinned UTC', async () => {
    const pinned = async (target: string) => {
      const client = new pg.Client({ connectionString: target, options: '-c TimeZone=UTC' });
      await client.connect();
      try {
        expect((await client.query('SHOW TimeZone')).rows[0].TimeZone).toBe('UTC');
        return (await introspect(client, SCHEMAS)).server.defaultTimezone;
      } finally {
        await client.end();
      }
    };
    const db = await freshDatabase('destination', 'introspect_tz');
    // the server's configured zone, as an unpinned session sees it
    const serverZone = await withClient(db, async (client) => (await client.query('SHOW TimeZone')).rows[0].TimeZone as string);
    expect(await pinned(db)).toBe(serverZone);

    const adminDb = databaseUrl(adminUrl('destination'), databaseName(db));
    const user = decodeURIComponent(new URL(db).username);
    await withClient(adminDb, (client) => client.query(`ALTER DATABASE ${client.escapeIdentifier(databaseName(db))} SET timezone = 'America/New_York'`));
    expect(await pinned(db)).toBe('America/New_York');
    // a role's setting in this database wins over the database's
    await withClient(adminDb, (client) =>
      client.query(`ALTER ROLE ${client.escapeIdentifier(user)} IN DATABASE ${client.escapeIdentifier(databaseName(db))} SET timezone = 'Asia/Tokyo'`));
    expect(await pinned(db)).toBe('Asia/Tokyo');
  });

  it('reports what a role without superuser may do', async () => {
    const role = uniqueRole('introspect_app');
    const password = randomBytes(12).toString('hex');
    const adminDb = admin;
    const version = await withClient(adminDb, async (client) => {
      await client.query(`CREATE ROLE ${client.escapeIdentifier(role)} LOGIN PASSWORD '${password}'`);
      return Number((await client.query(`SELECT current_setting('server_version_num') AS v`)).rows[0].v);
    });
    const asRole = new URL(url);
    asRole.username = role;
    asRole.password = password;
    const facts = async () => {
      const client = new pg.Client({ connectionString: asRole.toString(), options: '-c TimeZone=UTC' });
      await client.connect();
      try {
        return await introspect(client, SCHEMAS);
      } finally {
        await client.end();
      }
    };
    const before = await facts();
    expect(before.server).toMatchObject({ currentUser: role, superuser: false, canSetReplicationRole: false, canCreateEventTrigger: false });
    // cannot read pg_file_settings: falls back to log_timezone, never the pinned UTC
    const logZone = await withClient(url, async (client) => (await client.query('SHOW log_timezone')).rows[0].log_timezone as string);
    expect(before.server.defaultTimezone).toBe(logZone);
    // it sees the same tables and code as the owner
    expect(before.tables.map((t) => t.qualified)).toEqual(catalog.tables.map((t) => t.qualified));
    expect(before.customCode).toEqual(catalog.customCode);
    if (version >= 150000) {
      await withClient(adminDb, (client) => client.query(`GRANT SET ON PARAMETER session_replication_role TO ${client.escapeIdentifier(role)}`));
      expect((await facts()).server.canSetReplicationRole).toBe(true);
      await withClient(adminDb, (client) => client.query(`REVOKE SET ON PARAMETER session_replication_role FROM ${client.escapeIdentifier(role)}`));
    }
  });
});

describe('introspect: a constant number of queries', () => {
  function counting(client: pg.Client): { runner: QueryRunner; count: () => number } {
    let count = 0;
    const runner: QueryRunner = {
      query: async <R,>(text: string, values?: unknown[]) => {
        count++;
        return (await client.query(text, values)) as unknown as { rows: R[] };
      },
    };
    return { runner, count: () => count };
  }

  async function queriesFor(tables: number): Promise<{ count: number; catalog: Catalog }> {
    const db = await freshDatabase('destination', 'introspect_n');
    return withClient(db, async (client) => {
      const statements = ['CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;'];
      for (let i = 0; i < tables; i++) {
        statements.push(`CREATE TABLE t${i} (id integer PRIMARY KEY, parent integer ${i > 0 ? `REFERENCES t${i - 1}` : ''},
          label varchar(40) UNIQUE, amount numeric(12,2) CHECK (amount >= 0), at timestamp);
          CREATE TRIGGER touch_${i} BEFORE UPDATE ON t${i} FOR EACH ROW EXECUTE FUNCTION touch();`);
      }
      await client.query(statements.join('\n'));
      const { runner, count } = counting(client);
      const result = await introspect(runner, ['public']);
      return { count: count(), catalog: result };
    });
  }

  it('issues the same number of queries for 200 tables as for 2', async () => {
    const small = await queriesFor(2);
    const large = await queriesFor(200);
    expect(small.catalog.tables).toHaveLength(2);
    expect(large.catalog.tables).toHaveLength(200);
    expect(large.catalog.customCode).toHaveLength(201);
    expect(large.catalog.tables.find((t) => t.name === 't199')!.foreignKeys[0]!.references).toBe('public.t198');
    expect(large.count).toBe(small.count);
    expect(large.count).toBeLessThanOrEqual(8);
  }, 120_000);
});

describe('source fingerprint', () => {
  /** Roles are server-wide: another test file may create one between two reads. */
  const withoutRoles = (lines: string[]) => lines.filter((line) => !line.startsWith('role '));

  it('is stable across introspections and blind to row counts, sizes and the server version', async () => {
    const first = sourceFingerprint(catalog);
    await withClient(admin, (client) => client.query(`INSERT INTO invoice_line SELECT 1, 1, 1, 1 WHERE false;
      INSERT INTO sales.region SELECT g, 'r' || g FROM generate_series(2, 500) g; ANALYZE sales.region;`));
    const again = await read();
    expect(again.tables.find((t) => t.qualified === 'sales.region')!.estimatedRows).toBe(500);
    const second = sourceFingerprint({ ...again, server: { ...again.server, version: 1, versionText: 'other' } });
    expect(withoutRoles(fingerprintDrift(first.parts, second.parts))).toEqual([]);
    if (fingerprintDrift(first.parts, second.parts).length === 0) expect(second.hash).toBe(first.hash);
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    // the parts are plain data that survive a round trip through jsonb
    const parts = JSON.parse(JSON.stringify(first.parts)) as FingerprintParts;
    expect(fingerprintDrift(parts, first.parts)).toEqual([]);
  });

  it('changes when a column is added, a function body changes or a role is created, and says what changed', async () => {
    const before = sourceFingerprint(await read());
    const role = uniqueRole('introspect_etl');
    await withClient(admin, async (client) => {
      await client.query('ALTER TABLE customer ADD COLUMN loyalty_tier text');
      await client.query(`CREATE OR REPLACE FUNCTION last_day(d timestamp without time zone) RETURNS date LANGUAGE plpgsql AS $$
        BEGIN RETURN (date_trunc('month', d) + interval '1 month' - interval '1 day')::date; END $$`);
      await client.query(`CREATE ROLE ${client.escapeIdentifier(role)}`);
      await client.query('ALTER TABLE invoice ENABLE TRIGGER invoice_audit');
      await client.query('ALTER TABLE invoice_line ALTER COLUMN unit_price TYPE numeric(12,2)');
      await client.query(`ALTER TYPE mood ADD VALUE 'ecstatic'`);
    });
    const after = sourceFingerprint(await read());
    expect(after.hash).not.toBe(before.hash);
    const drift = fingerprintDrift(before.parts, after.parts);
    expect(withoutRoles(drift)).toEqual([
      'table public.customer: column mood enum labels changed from (sad, meh, ok, happy) to (sad, meh, ok, happy, ecstatic)',
      'table public.customer: column loyalty_tier added',
      'table public.invoice: trigger invoice_audit enabled',
      'table public.invoice_line: column unit_price type changed from numeric(10,2) to numeric(12,2)',
      'function public.last_day(timestamp without time zone) changed',
    ]);
    expect(drift).toContain(`role ${role} added`);

    await withClient(adminUrl('destination'), (client) => client.query(`DROP ROLE ${client.escapeIdentifier(role)}`));
    const dropped = sourceFingerprint(await read());
    expect(fingerprintDrift(after.parts, dropped.parts)).toContain(`role ${role} removed`);
  });

  it('names every kind of change', () => {
    const base = sourceFingerprint(catalog).parts;
    const changed: FingerprintParts = JSON.parse(JSON.stringify(base));
    delete changed.tables['public.playlist_track_backup'];
    changed.tables['public.new_table'] = changed.tables['sales.region']!;
    const customer = changed.tables['public.customer']!;
    customer.columns = customer.columns.filter((c) => c.name !== 'code').map((c) => (c.name === 'email' ? { ...c, notNull: false } : c));
    customer.primaryKey = ['customer_id', 'email'];
    delete customer.uniqueIndexes['customer_code_active'];
    customer.checks['customer_balance_check'] = 'CHECK (balance > 0)';
    customer.foreignKeys['customer_region_id_fkey']!.deferrable = true;
    delete changed.customCode['view public.customer_names'];
    changed.customCode['trigger public.customer.audit'] = 'CREATE TRIGGER audit …';
    changed.integrations.replicationSlots = ['erp_cdc'];
    changed.integrations.publications = [];
    changed.integrations.extensions = { ...changed.integrations.extensions, plpgsql: '1.1', hstore: '1.8' };
    expect(fingerprintDrift(base, changed)).toEqual([
      'table public.customer: column email is now nullable',
      'table public.customer: column code removed',
      'table public.customer: primary key changed from (customer_id) to (customer_id, email)',
      'table public.customer: unique index customer_code_active removed',
      'table public.customer: foreign key customer_region_id_fkey changed',
      'table public.customer: check customer_balance_check changed',
      'table public.new_table added',
      'table public.playlist_track_backup removed',
      'trigger public.customer.audit added',
      'view public.customer_names removed',
      'publication introspect_pub removed',
      'replication slot erp_cdc added',
      'extension hstore 1.8 added',
      'extension plpgsql updated from 1.0 to 1.1',
    ]);
  });
});
