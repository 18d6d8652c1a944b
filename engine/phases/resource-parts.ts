// Resource shapes more than one phase builds: a class's copy attributes, its capture, a go-live hook.
import type { Phase, Plan, RecordClass } from '../plan/types.js';
import type { Resource } from './phase-module.js';

export function copyAttributes(cls: RecordClass): Record<string, unknown> {
  return {
    source_table: cls.source.table,
    destination_table: cls.destination.table,
    key: cls.source.key,
    destination_key: cls.destination.key,
    columns: cls.columns,
    where: cls.where ?? null,
    timestamps: cls.timestamps ?? null,
  };
}

export function classes(plan: Plan): [string, RecordClass][] {
  return Object.entries(plan.classes);
}

export function captureResources(plan: Plan, phase: Phase): Resource[] {
  return classes(plan).map(([name, cls]) => ({
    address: `class.${name}.capture`, phase, attributes: { table: cls.source.table, key: cls.source.key },
    replaceOn: ['table', 'key'], path: ['classes', name],
  }));
}

export function isCapture(address: string): boolean {
  return /^class\.[^.]+\.capture$/.test(address);
}

export function hook(name: 'switch_reads' | 'switch_writes', plan: Plan, phase: Phase): Resource {
  return { address: `hook.${name}`, phase, attributes: { run: plan.go_live?.[name]?.run ?? null }, path: ['go_live', name] };
}
