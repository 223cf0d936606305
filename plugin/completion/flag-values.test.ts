/**
 * The value table completion relies on must know every flag that takes a value: read from each
 * command's own --help (the options yargs declares), not from a second list.
 */
import { describe, expect, it } from 'vitest';
import { memoryIO } from '../io.js';
import { runCli } from '../main.js';
import { commandOf, flagValue } from './flag-values.js';

/** Each option of a --help text: its spellings and the yargs type shown after the description (examples, after them, are not options). */
function optionsOf(help: string): { flags: string[]; type: string }[] {
  const out: { flags: string[]; type: string }[] = [];
  for (const line of (help.split('\nExamples:')[0] ?? '').split('\n')) {
    const start = /^\s{2,6}((?:-[A-Za-z], )?--[a-z][a-z-]*)\s/.exec(line);
    if (start?.[1] !== undefined) out.push({ flags: start[1].split(', '), type: '' });
    const last = out.at(-1);
    const type = /\[(string|number|boolean|array)\]/.exec(line)?.[1];
    if (last && last.type === '' && type !== undefined) last.type = type;
  }
  return out;
}

describe('COMMAND_FLAGS', () => {
  it.each([{ command: ['verdicts'] }, { command: ['describe'] }, { command: ['audit', 'test'] }, { command: ['audit', 'promote'] }, { command: ['audit', 'promote-cluster'] }, { command: ['gen', 'networkpolicy'] }, { command: ['flows', 'export'] }, { command: ['verify'] }])('knows every value flag of $command', async ({ command }) => {
    const io = memoryIO();
    expect(await runCli([...command, '--help'], io)).toBe(0);
    const options = optionsOf(io.out());
    expect(options.length).toBeGreaterThan(5);
    const key = commandOf(command);
    expect(key).toBe(command.join(' '));
    expect(commandOf(['gen', 'netpol'])).toBe('gen networkpolicy');
    for (const { flags, type } of options) {
      if (flags.includes('--help')) continue;
      for (const flag of flags) {
        // A flag that takes a value needs an entry; a boolean must not have one (its next word is a positional).
        expect({ flag, known: flagValue(key, flag) !== undefined }).toEqual({ flag, known: type !== 'boolean' });
      }
    }
  });
});
