// The file adapter for plans: reads the file and hands its text to the pure loader.
import { readFileSync } from 'node:fs';
import { Failure } from '../failure.js';
import type { Environment } from './interpolate.js';
import { loadPlanText, type LoadedPlan } from './load-plan.js';

/** A plan (or saved plan) file's text, or a Failure naming the file: never a raw system error. */
export function readPlanText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Failure('plan.not-found', `no plan file at ${file}`, 'check the path; plans usually live in plans/');
    if (code === 'EISDIR') throw new Failure('plan.not-a-file', `${file} is a folder, not a plan file`, 'name the YAML file inside it');
    throw new Failure('plan.unreadable', `cannot read ${file}: ${code ?? (e as Error).message}`);
  }
}

export function readPlan(file: string, env: Environment): LoadedPlan {
  return loadPlanText(file, readPlanText(file), env);
}
