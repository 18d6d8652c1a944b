// The source fingerprint recorded at `locked`: sha256 over the canonical form of what the
// migration depends on — tables (columns, keys, indexes, foreign keys, checks, trigger states),
// custom code (address and definition) and integrations. Volatile facts (row estimates, sizes, the
// server version) are left out, so only a change someone made moves it.
//
// The canonical parts are kept beside the hash (state stores them), so a later check can say what
// changed: `table public.customer: column loyalty_tier added`, `role etl_user added`.
import type { Catalog, CatalogTable } from './catalog.js';
import { canonicalJson, sha256 } from '../hash.js';

export interface FingerprintColumn {
  name: string;
  type: string;
  notNull: boolean;
  hasDefault: boolean;
  generated: boolean;
  identity: boolean;
  /** an enum's labels, in order: a label added is a change in what the column holds */
  enumLabels?: string[];
}

export interface FingerprintTable {
  kind: CatalogTable['kind'];
  /** in table order */
  columns: FingerprintColumn[];
  primaryKey: string[] | null;
  /** by name */
  uniqueIndexes: Record<string, { columns: string[]; partial: boolean }>;
  foreignKeys: Record<string, { columns: string[]; references: string; referencedColumns: string[]; deferrable: boolean }>;
  checks: Record<string, string>;
  /** trigger name → enabled; the definitions are custom code */
  triggers: Record<string, boolean>;
  partitionOf: string | null;
  inheritsFrom: string[];
}

export interface FingerprintIntegrations {
  roles: string[];
  publications: string[];
  subscriptions: string[];
  replicationSlots: string[];
  foreignServers: string[];
  /** name → version */
  extensions: Record<string, string>;
}

export interface FingerprintParts {
  /** by qualified name */
  tables: Record<string, FingerprintTable>;
  /** address → definition */
  customCode: Record<string, string>;
  integrations: FingerprintIntegrations;
}

export function sourceFingerprint(catalog: Catalog): { hash: string; parts: FingerprintParts } {
  const parts: FingerprintParts = {
    tables: byKey(catalog.tables, (t) => t.qualified, tableParts),
    customCode: byKey(catalog.customCode, (c) => c.address, (c) => c.definition),
    integrations: {
      roles: sorted(catalog.integrations.roles),
      publications: sorted(catalog.integrations.publications),
      subscriptions: sorted(catalog.integrations.subscriptions),
      replicationSlots: sorted(catalog.integrations.replicationSlots),
      foreignServers: sorted(catalog.integrations.foreignServers),
      extensions: Object.fromEntries(sorted(catalog.integrations.extensions).map(splitExtension)),
    },
  };
  // canonicalJson sorts object keys; every list above is sorted or in a meaningful order
  return { hash: sha256(canonicalJson(parts)), parts };
}

function tableParts(table: CatalogTable): FingerprintTable {
  return {
    kind: table.kind,
    columns: table.columns.map((c) => ({
      name: c.name, type: c.type, notNull: c.notNull, hasDefault: c.hasDefault, generated: c.generated, identity: c.identity,
      ...(c.enumLabels ? { enumLabels: c.enumLabels } : {}),
    })),
    primaryKey: table.primaryKey,
    uniqueIndexes: byKey(table.uniqueIndexes, (u) => u.name, (u) => ({ columns: u.columns, partial: u.partial })),
    foreignKeys: byKey(table.foreignKeys, (f) => f.name, (f) => ({
      columns: f.columns, references: f.references, referencedColumns: f.referencedColumns, deferrable: f.deferrable,
    })),
    checks: byKey(table.checks, (c) => c.name, (c) => c.definition),
    triggers: byKey(table.triggers, (t) => t.name, (t) => t.enabled),
    partitionOf: table.partitionOf,
    inheritsFrom: table.inheritsFrom,
  };
}

/** What changed between two fingerprints, one human line each; empty when nothing did. */
export function fingerprintDrift(before: FingerprintParts, after: FingerprintParts): string[] {
  return [
    ...keyedDrift(before.tables, after.tables, (name) => `table ${name}`, tableDrift),
    ...keyedDrift(before.customCode, after.customCode, (address) => address, (address, a, b) => (a === b ? [] : [`${address} changed`])),
    ...integrationsDrift(before.integrations, after.integrations),
  ];
}

function tableDrift(name: string, before: FingerprintTable, after: FingerprintTable): string[] {
  const lines: string[] = [];
  const say = (what: string) => lines.push(`table ${name}: ${what}`);
  if (before.kind !== after.kind) say(`kind changed from ${before.kind} to ${after.kind}`);

  const beforeColumns = new Map(before.columns.map((c) => [c.name, c]));
  const afterColumns = new Map(after.columns.map((c) => [c.name, c]));
  for (const [column, b] of beforeColumns) {
    const a = afterColumns.get(column);
    if (!a) { say(`column ${column} removed`); continue; }
    if (a.type !== b.type) say(`column ${column} type changed from ${b.type} to ${a.type}`);
    if (a.notNull !== b.notNull) say(`column ${column} ${a.notNull ? 'is now NOT NULL' : 'is now nullable'}`);
    if (a.hasDefault !== b.hasDefault) say(`column ${column} default ${a.hasDefault ? 'added' : 'removed'}`);
    if (a.generated !== b.generated) say(`column ${column} ${a.generated ? 'is now generated' : 'is no longer generated'}`);
    if (a.identity !== b.identity) say(`column ${column} ${a.identity ? 'is now an identity column' : 'is no longer an identity column'}`);
    if (a.type === b.type && list(a.enumLabels ?? null) !== list(b.enumLabels ?? null)) {
      say(`column ${column} enum labels changed from (${list(b.enumLabels ?? null)}) to (${list(a.enumLabels ?? null)})`);
    }
  }
  for (const column of afterColumns.keys()) if (!beforeColumns.has(column)) say(`column ${column} added`);
  const order = (columns: FingerprintColumn[], keep: Set<string>) => columns.map((c) => c.name).filter((c) => keep.has(c)).join(',');
  const common = new Set([...beforeColumns.keys()].filter((c) => afterColumns.has(c)));
  if (order(before.columns, common) !== order(after.columns, common)) say('column order changed');

  if (list(before.primaryKey) !== list(after.primaryKey)) {
    say(before.primaryKey === null ? `primary key (${list(after.primaryKey)}) added`
      : after.primaryKey === null ? `primary key (${list(before.primaryKey)}) removed`
      : `primary key changed from (${list(before.primaryKey)}) to (${list(after.primaryKey)})`);
  }
  lines.push(...keyedDrift(before.uniqueIndexes, after.uniqueIndexes, (n) => `table ${name}: unique index ${n}`, changedIf((n) => `table ${name}: unique index ${n} changed`)));
  lines.push(...keyedDrift(before.foreignKeys, after.foreignKeys, (n) => `table ${name}: foreign key ${n}`, changedIf((n) => `table ${name}: foreign key ${n} changed`)));
  lines.push(...keyedDrift(before.checks, after.checks, (n) => `table ${name}: check ${n}`, changedIf((n) => `table ${name}: check ${n} changed`)));
  for (const [trigger, enabled] of Object.entries(after.triggers)) {
    const was = before.triggers[trigger];
    if (was !== undefined && was !== enabled) say(`trigger ${trigger} ${enabled ? 'enabled' : 'disabled'}`);
  }
  if (before.partitionOf !== after.partitionOf) {
    say(after.partitionOf === null ? `no longer a partition of ${before.partitionOf}`
      : before.partitionOf === null ? `now a partition of ${after.partitionOf}`
      : `now a partition of ${after.partitionOf} instead of ${before.partitionOf}`);
  }
  if (list(before.inheritsFrom) !== list(after.inheritsFrom)) {
    say(`inheritance changed from (${list(before.inheritsFrom)}) to (${list(after.inheritsFrom)})`);
  }
  return lines;
}

function integrationsDrift(before: FingerprintIntegrations, after: FingerprintIntegrations): string[] {
  const lines: string[] = [];
  const named: [keyof Omit<FingerprintIntegrations, 'extensions'>, string][] = [
    ['roles', 'role'], ['publications', 'publication'], ['subscriptions', 'subscription'],
    ['replicationSlots', 'replication slot'], ['foreignServers', 'foreign server'],
  ];
  for (const [field, noun] of named) {
    const b = new Set(before[field]);
    const a = new Set(after[field]);
    for (const name of after[field]) if (!b.has(name)) lines.push(`${noun} ${name} added`);
    for (const name of before[field]) if (!a.has(name)) lines.push(`${noun} ${name} removed`);
  }
  lines.push(...keyedDrift(before.extensions, after.extensions,
    (name, version) => `extension ${name} ${version}`,
    (name, b, a) => (a === b ? [] : [`extension ${name} updated from ${b} to ${a}`])));
  return lines;
}

/** Added, removed and changed entries of two records keyed by name, in name order. */
function keyedDrift<T>(
  before: Record<string, T>,
  after: Record<string, T>,
  label: (key: string, value: T) => string,
  changed: (key: string, before: T, after: T) => string[],
): string[] {
  const keys = sorted([...new Set([...Object.keys(before), ...Object.keys(after)])]);
  return keys.flatMap((key) => {
    if (!(key in after)) return [`${label(key, before[key] as T)} removed`];
    if (!(key in before)) return [`${label(key, after[key] as T)} added`];
    return changed(key, before[key] as T, after[key] as T);
  });
}

function changedIf<T>(line: (key: string) => string): (key: string, before: T, after: T) => string[] {
  return (key, before, after) => (canonicalJson(before) === canonicalJson(after) ? [] : [line(key)]);
}

function byKey<T, V>(items: readonly T[], key: (item: T) => string, value: (item: T) => V): Record<string, V> {
  return Object.fromEntries(items.map((item) => [key(item), value(item)]));
}

function sorted(items: readonly string[]): string[] {
  return [...items].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function list(items: readonly string[] | null): string {
  return items === null ? '' : items.join(', ');
}

/** `citext 1.6` → [`citext`, `1.6`] */
function splitExtension(text: string): [string, string] {
  const at = text.lastIndexOf(' ');
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
}
