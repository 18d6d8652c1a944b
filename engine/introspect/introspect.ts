// Reads what cutover needs of one database's catalog in a constant number of queries, whatever the
// number of tables: server facts (plus at most one follow-up the server's version or privileges
// call for), tables with columns, keys and indexes, triggers, the other custom code, integrations.
// Six or seven queries in all; never one per table.
//
// The queries run one after another on the caller's session. For a catalog read from a single
// snapshot, call it inside a REPEATABLE READ transaction.
import type { Catalog, CatalogTable, CustomCodeObject } from './catalog.js';
import type { QueryRunner } from '../db/query-runner.js';
import { CUSTOM_CODE_SQL, customCodeFromRow, type CustomCodeRow } from './sql/custom-code.js';
import {
  INTEGRATIONS_SQL,
  INTEGRATIONS_WITHOUT_SUBSCRIPTIONS_SQL,
  integrationsFromRow,
  type IntegrationsRow,
} from './sql/integrations.js';
import { KEYS_SQL, applyKeys, type KeyRow } from './sql/keys.js';
import { SERVER_SQL, serverFactsFromRows, serverFollowUpSql, type ServerFollowUpRow, type ServerRow } from './sql/server.js';
import { TABLES_SQL, tableFromRow, type TableRow } from './sql/tables.js';
import { TRIGGERS_SQL, applyTrigger, triggerAsCustomCode, type TriggerRow } from './sql/triggers.js';

export type { QueryRunner };

const INSUFFICIENT_PRIVILEGE = '42501';

export async function introspect(client: QueryRunner, schemas: string[]): Promise<Catalog> {
  const server = await readServer(client);

  const tableRows = (await client.query<TableRow>(TABLES_SQL, [schemas])).rows;
  const keyRows = (await client.query<KeyRow>(KEYS_SQL, [schemas])).rows;
  const triggerRows = (await client.query<TriggerRow>(TRIGGERS_SQL, [schemas])).rows;
  const codeRows = (await client.query<CustomCodeRow>(CUSTOM_CODE_SQL, [schemas])).rows;
  const integrations = integrationsFromRow(await readIntegrations(client));

  const byOid = new Map<number, CatalogTable>();
  const tables = tableRows.map((row) => {
    const table = tableFromRow(row);
    byOid.set(Number(row.table_oid), table);
    return table;
  });

  const keysByOid = new Map<number, KeyRow[]>();
  for (const row of keyRows) {
    const oid = Number(row.table_oid);
    const list = keysByOid.get(oid);
    if (list) list.push(row);
    else keysByOid.set(oid, [row]);
  }
  for (const [oid, rows] of keysByOid) {
    const table = byOid.get(oid);
    if (table) applyKeys(table, rows);
  }

  const customCode: CustomCodeObject[] = [];
  for (const row of triggerRows) {
    const table = byOid.get(Number(row.table_oid));
    if (table) applyTrigger(table, row);
    const code = triggerAsCustomCode(row);
    if (code) customCode.push(code);
  }
  customCode.push(...codeRows.map(customCodeFromRow));
  customCode.sort((a, b) => compare(a.address, b.address));

  return { server, tables, customCode, integrations };
}

async function readServer(client: QueryRunner): Promise<Catalog['server']> {
  const row = (await client.query<ServerRow>(SERVER_SQL)).rows[0]!;
  const followUp = serverFollowUpSql(row);
  const extra = followUp ? (await client.query<ServerFollowUpRow>(followUp)).rows[0] : undefined;
  return serverFactsFromRows(row, extra);
}

async function readIntegrations(client: QueryRunner): Promise<IntegrationsRow> {
  try {
    return (await client.query<IntegrationsRow>(INTEGRATIONS_SQL)).rows[0]!;
  } catch (e) {
    if ((e as { code?: string }).code !== INSUFFICIENT_PRIVILEGE) throw e;
    return (await client.query<IntegrationsRow>(INTEGRATIONS_WITHOUT_SUBSCRIPTIONS_SQL)).rows[0]!;
  }
}

/** Code-point order, the same on every machine (localeCompare is not). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
