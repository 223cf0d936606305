/** `flows export` flag checking: each bad value is refused before the broker is contacted, exit 2, one line naming the flag. */
import { describe, expect, it } from 'vitest';
import { memoryIO } from '../io.js';
import { runCli } from '../main.js';

describe('flows export flags', () => {
  it.each([
    { args: ['-o', 'xml'], message: '-o/--output: "xml" is not one of jsonl, json, yaml' },
    { args: ['-A', '-n', 'prod'], message: '-A/--all-namespaces and -n/--namespace cannot be used together' },
    { args: ['--since', 'yesterday'], message: '--since: "yesterday" is not a duration' },
    { args: ['--since', '-1h'], message: '--since: "-1h" is not a duration' },
    { args: ['--token', 'a', '--token-file', 'f'], message: '--token and --token-file cannot be used together' },
  ])('$args is refused: $message', async ({ args, message }) => {
    const io = memoryIO();
    expect(await runCli(['flows', 'export', '--broker-url', 'http://127.0.0.1:1', ...args], io)).toBe(2);
    expect(io.err().split('\n')[0]).toMatch(new RegExp(`^error: ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(io.out()).toBe('');
  });

  it('an unreachable broker is exit 1 with the next step', async () => {
    const io = memoryIO();
    expect(await runCli(['flows', 'export', '-A', '--broker-url', 'http://127.0.0.1:1'], io)).toBe(1);
    expect(io.err()).toMatch(/cannot reach the broker at http:\/\/127\.0\.0\.1:1 /);
  });

  it('flows alone names the subcommand', async () => {
    const io = memoryIO();
    expect(await runCli(['flows'], io)).toBe(2);
    expect(io.err()).toContain('name a flows subcommand: export');
  });
});
