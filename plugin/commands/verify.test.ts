/**
 * `verify` flag checking: each bad combination is refused before anything is contacted, exit 2 and
 * a message naming the flag. (The command runs against a real broker in verify.int.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { memoryIO } from '../io.js';
import { runCli } from '../main.js';

describe('verify flags', () => {
  it.each([
    { args: [], message: 'name a NetworkPolicy, or give --all (every NetworkPolicy of the namespace) or -A (every namespace)' },
    { args: ['web', '--all'], message: 'give a NetworkPolicy NAME or --all/-A, not both (got "web")' },
    { args: ['-A', '-n', 'prod'], message: '-A/--all-namespaces and -n/--namespace cannot be used together' },
    { args: ['--all', '--since', 'yesterday'], message: '--since: "yesterday" is not a duration' },
    { args: ['--all', '-o', 'wide'], message: '-o/--output: "wide" is not one of table, json, yaml' },
  ])('$args is refused: $message', async ({ args, message }) => {
    const io = memoryIO();
    expect(await runCli(['verify', '--broker-url', 'http://127.0.0.1:1', ...args], io)).toBe(2);
    expect(io.err()).toContain(message);
    expect(io.out()).toBe('');
  });
});
