// What cutover observes of one database: the parts of its catalog a migration depends on.
// Produced by `introspect` in a constant number of catalog queries, whatever the number of tables.
import { Failure } from '../failure.js';
import { readTableName } from '../plan/plan-names.js';

export interface CatalogColumn {
  name: string;
  /** format_type(): `character varying(40)`, `numeric(10,2)`, `timestamp without time zone`, `storefront.status` */
  type: string;
  /** pg_type.typname of the base type (domains resolved): `varchar`, `numeric`, `timestamp`, `int4`, an enum's name */
  baseType: string;
  /** pg_type.typcategory: N numeric, S string, D date/time, E enum, B boolean, U user, A array, … */
  category: string;
  notNull: boolean;
  hasDefault: boolean;
  generated: boolean;
  identity: boolean;
  /** varchar(n) / char(n) length */
  maxLength: number | null;
  /** numeric(p,s) */
  precision: number | null;
  scale: number | null;
  /** labels of an enum type, in order */
  enumLabels: string[] | null;
  /** the CHECKs of the column's domain and of the domains under it, innermost first */
  domainChecks?: DomainCheck[];
}

export interface DomainCheck {
  name: string;
  /** the domain, as format_type() names it */
  domain: string;
  /** pg_get_constraintdef(): `CHECK ((VALUE > 0))` */
  definition: string;
}

export interface CatalogForeignKey {
  name: string;
  columns: string[];
  /** `schema.table`, as a plan writes it (engine/plan/plan-names.ts) */
  references: string;
  referencedColumns: string[];
  deferrable: boolean;
}

export interface CatalogTable {
  schema: string;
  name: string;
  /** `schema.table` as a plan writes it (engine/plan/plan-names.ts): unambiguous whatever the names,
   * so it serves as a key; quoteQualified() turns it into SQL */
  qualified: string;
  kind: 'table' | 'partitioned' | 'foreign';
  columns: CatalogColumn[];
  primaryKey: string[] | null;
  uniqueIndexes: { name: string; columns: string[]; partial: boolean }[];
  foreignKeys: CatalogForeignKey[];
  checks: { name: string; definition: string }[];
  /** user triggers on the table (not internal foreign-key triggers) */
  triggers: { name: string; enabled: boolean; definition: string }[];
  /** the planner's estimate (pg_class.reltuples, or 0 when never analysed) */
  estimatedRows: number;
  bytes: number;
  /** `schema.table` (as `qualified`) of the partitioned parent when this is a partition */
  partitionOf: string | null;
  /** inheritance parents (not partitioning) */
  inheritsFrom: string[];
}

export type CustomCodeKind =
  | 'trigger' | 'function' | 'procedure' | 'view' | 'materialized view' | 'rule' | 'policy' | 'event trigger';

export interface CustomCodeObject {
  kind: CustomCodeKind;
  /** the object in the plan's custom-code grammar: `trigger public.invoice_line.update_invoice_total` */
  address: string;
  /** its definition text, hashed into the fingerprint */
  definition: string;
}

export interface Integrations {
  roles: string[];
  publications: string[];
  subscriptions: string[];
  replicationSlots: string[];
  foreignServers: string[];
  extensions: string[];
}

export interface ServerFacts {
  /** server_version_num */
  version: number;
  versionText: string;
  database: string;
  currentUser: string;
  superuser: boolean;
  /** `TimeZone` of the database or role default (what applications see), not cutover's pinned UTC */
  defaultTimezone: string;
  /** may SET session_replication_role (superuser, rds_superuser, or GRANT SET ON PARAMETER) */
  canSetReplicationRole: boolean;
  /** may CREATE EVENT TRIGGER (superuser only in core PostgreSQL) */
  canCreateEventTrigger: boolean;
}

export interface Catalog {
  server: ServerFacts;
  /** tables in the schemas asked for; partitions are listed with partitionOf set */
  tables: CatalogTable[];
  customCode: CustomCodeObject[];
  integrations: Integrations;
}

/** The table a plan names (`schema.table`, or a bare `table` unique across the catalog's schemas). */
export function findTable(catalog: Catalog, name: string): CatalogTable | undefined {
  const wanted = readTableName(name);
  if ('error' in wanted) return undefined;
  const matches = catalog.tables.filter((t) => t.name === wanted.name && (wanted.schema === undefined || t.schema === wanted.schema));
  return matches.length === 1 ? matches[0] : undefined;
}

/** A table the plan names, or the Failure a step reports when it is gone: `what` says which step. */
export function requireTable(catalog: Catalog, name: string, side: 'source' | 'destination', what: string): CatalogTable {
  const t = findTable(catalog, name);
  if (!t) {
    throw new Failure('table-missing', `${what}: the ${side} table ${name} does not exist`, 'run `cutover plan` to see what the plan refers to');
  }
  return t;
}
