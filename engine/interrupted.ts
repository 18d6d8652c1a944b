// A request to stop, from whoever runs the engine (the CLI turns Ctrl-C into one): the engine
// checks it only at checkpoints (between changes, between copy batches), so what it stops after
// is committed and the next apply resumes from there.

/** Thrown at a checkpoint once the stop signal is raised; not an error, so never wrapped as one. */
export class Interrupted extends Error {
  constructor() {
    super('interrupted at a checkpoint');
    this.name = 'Interrupted';
  }
}

export function isInterrupted(e: unknown): e is Interrupted {
  return e instanceof Interrupted;
}

/** At a checkpoint: stop here when asked to. */
export function checkpoint(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new Interrupted();
}
