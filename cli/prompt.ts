// Questions to a person at the terminal. Commands get answers through callbacks, so tests and
// --auto-approve answer without one; without a terminal, a question is an error naming the flag.
import { createInterface } from 'node:readline/promises';
import { Failure } from '../engine/failure.js';
import type { Terminal } from './terminal.js';

/** The answer typed, or undefined when the person pressed Ctrl-C, closed the input, or the process
 * got SIGINT. */
export async function ask(question: string): Promise<string | undefined> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  let onSignal = () => {};
  const interrupted = new Promise<undefined>((resolve) => {
    onSignal = () => resolve(undefined);
    rl.once('SIGINT', onSignal); // Ctrl-C typed while readline owns the terminal
    rl.once('close', onSignal); // the input ended (Ctrl-D, a closed pipe)
    process.once('SIGINT', onSignal); // a signal sent from elsewhere
  });
  // closing the interface rejects a pending question; that is the interrupted case, not an error
  const answered = rl.question(question).catch(() => undefined);
  try {
    const answer = await Promise.race([answered, interrupted]);
    if (answer === undefined) process.stdout.write('\n');
    return answer?.trim();
  } finally {
    process.off('SIGINT', onSignal);
    rl.close();
  }
}

export async function confirmYes(term: Terminal, flag: string, question: string, explanation: string): Promise<boolean> {
  if (!term.interactive) {
    throw new Failure('apply.needs-approval', `there is no terminal to confirm on, so nothing was changed`, `review the plan above and pass ${flag} to apply it without asking`);
  }
  term.out(`\n${term.color.bold(question)}\n  ${explanation}\n  Only 'yes' will be accepted to approve.\n\n`);
  return (await ask('  Enter a value: ')) === 'yes';
}

/** Type-to-confirm for what cannot be taken back lightly: only the exact name goes ahead. */
export async function confirmTypedName(term: Terminal, flag: string, name: string, question: string, explanation: string): Promise<boolean> {
  if (!term.interactive) {
    throw new Failure('needs-approval', `there is no terminal to confirm on, so nothing was changed`, `pass ${flag} to go ahead without asking`);
  }
  term.out(`\n${term.color.bold(question)}\n  ${explanation}\n  Type the plan's name, ${term.color.bold(name)}, to confirm.\n\n`);
  return (await ask('  Plan name: ')) === name;
}
