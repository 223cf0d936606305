/**
 * Help examples as data: each command exports its list and its builder adds it with
 * withExamples, so plugin/help.test.ts can check that every command shows examples and that
 * every flag an example uses is declared on that command.
 */
import type { Argv } from 'yargs';

/** A command line (`$0` stands for `kubectl kguardian`) and what it does. */
export type Example = readonly [command: string, description: string];

export function withExamples<T>(y: Argv<T>, examples: readonly Example[]): Argv<T> {
  return examples.reduce((acc, [command, description]) => acc.example(command, description), y);
}
