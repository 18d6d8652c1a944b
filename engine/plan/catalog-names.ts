// The validated plan with every name as the catalog has it: column and schema names decoded
// (`"Order Id"` → `Order Id`), tables and custom-code entries in their canonical text. Done once,
// after validation, so the engine compares and quotes names without knowing how a plan writes them.
import { canonicalAddress } from './custom-code-address.js';
import { canonicalTableName, nameOf } from './plan-names.js';
import type { Plan, RecordClass, TableRef } from './types.js';

function keysOf<T>(map: Record<string, T> | undefined): Record<string, T> | undefined {
  return map && Object.fromEntries(Object.entries(map).map(([k, v]) => [nameOf(k), v]));
}

function tableRef(ref: TableRef): TableRef {
  return { ...ref, table: canonicalTableName(ref.table), key: ref.key.map(nameOf) };
}

function recordClass(cls: RecordClass): RecordClass {
  return {
    ...cls,
    source: tableRef(cls.source),
    destination: tableRef(cls.destination),
    columns: keysOf(cls.columns)!,
    ...(cls.dropped && { dropped: keysOf(cls.dropped) }),
    ...(cls.reverse && { reverse: keysOf(cls.reverse) }),
    ...(cls.lossy && { lossy: keysOf(cls.lossy) }),
    ...(cls.computed && { computed: keysOf(cls.computed) }),
    ...(cls.relationships && { relationships: cls.relationships.map((r) => ({ ...r, columns: r.columns.map(nameOf) })) }),
    ...(cls.money && { money: { ...cls.money, amount: nameOf(cls.money.amount), currency: nameOf(cls.money.currency), date: nameOf(cls.money.date) } }),
    ...(cls.audit && { audit: { ...cls.audit, order_by: cls.audit.order_by.map(nameOf) } }),
    ...(cls.files && {
      files: {
        ...cls.files, path: nameOf(cls.files.path), destination_path: nameOf(cls.files.destination_path),
        ...(cls.files.checksum !== undefined && { checksum: nameOf(cls.files.checksum) }),
      },
    }),
  };
}

/** `class.column` with the column decoded. */
function mapsToOf(text: string): string {
  const dot = text.indexOf('.');
  return dot < 0 ? text : `${text.slice(0, dot)}.${nameOf(text.slice(dot + 1))}`;
}

export function withCatalogNames(plan: Plan): Plan {
  return {
    ...plan,
    source: { ...plan.source, schemas: plan.source.schemas.map(nameOf) },
    ...(plan.state?.schema !== undefined && { state: { ...plan.state, schema: nameOf(plan.state.schema) } }),
    ...(plan.lock?.exceptions && {
      lock: { ...plan.lock, exceptions: plan.lock.exceptions.map((e) => (e.maps_to === undefined ? e : { ...e, maps_to: mapsToOf(e.maps_to) })) },
    }),
    classes: Object.fromEntries(Object.entries(plan.classes).map(([name, cls]) => [name, recordClass(cls)])),
    ...(plan.ignore && { ignore: plan.ignore.map((i) => ({ ...i, table: canonicalTableName(i.table) })) }),
    ...(plan.custom_code && {
      custom_code: plan.custom_code.map((e) => ({
        ...e, source: canonicalAddress(e.source),
        ...(e.reimplemented !== undefined && { reimplemented: canonicalAddress(e.reimplemented) }),
      })),
    }),
  };
}
