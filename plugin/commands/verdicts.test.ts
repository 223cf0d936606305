/**
 * `verdicts` flag checking: each bad value is refused before anything is contacted, with exit
 * code 2 and a message naming the flag. (The command itself runs against a real broker in
 * verdicts.int.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { memoryIO } from '../io.js';
import { runCli } from '../main.js';

describe('verdicts flags', () => {
  it.each([
    { args: ['-A', '-n', 'prod'], message: '-A/--all-namespaces and -n/--namespace cannot be used together' },
    { args: ['--cluster-scoped', '-A'], message: '--cluster-scoped cannot be used with -n or -A' },
    { args: ['--verdict', 'Deny'], message: '--verdict: "Deny" is not one of WouldDeny, Allow' },
    { args: ['--direction', 'sideways'], message: '--direction: "sideways" is not one of Ingress, Egress' },
    { args: ['--state', 'reset'], message: '--state: "reset" is not one of established, attempt, refused, seen' },
    { args: ['--since', '1 hour'], message: '--since: "1 hour" is not a duration' },
    { args: ['--since', '0m'], message: '--since: "0m" is zero; it must be greater than zero' },
    { args: ['--since', '0s'], message: '--since: "0s" is zero; it must be greater than zero, such as 15m, 1h30m or 7d' },
    { args: ['-n', 'Bad_NS'], message: `-n/--namespace: "Bad_NS" is not a valid namespace name: use lower-case letters, digits and '-' (no upper case), starting and ending with a letter or digit, such as prod or team-a (a DNS-1123 label)` },
    { args: ['--namespace', 'prod-'], message: '-n/--namespace: "prod-" is not a valid namespace name' },
    { args: ['-n', 'a'.repeat(64)], message: `-n/--namespace: "${'a'.repeat(64)}" is 64 characters long; a namespace name has at most 63` },
    { args: ['--broker-namespace', 'Kguardian'], message: '--broker-namespace: "Kguardian" is not a valid namespace name' },
    { args: ['--limit', '0'], message: '--limit 0 is out of range; give the number of rows, from 1 to 1000000' },
    { args: ['--limit', '2.5'], message: '--limit "2.5" is not a whole number' },
    { args: ['-o', 'xml'], message: '-o/--output: "xml" is not one of table, wide, json, yaml' },
    { args: ['--broker-url', 'localhost:9090'], message: '--broker-url: must be an http:// or https:// URL' },
    { args: ['--broker-url', 'not a url'], message: '--broker-url: "not a url" is not a URL' },
    { args: ['--token', 'a', '--token-file', 'f'], message: '--token and --token-file cannot be used together' },
  ])('$args is refused: $message', async ({ args, message }) => {
    const io = memoryIO();
    const where = args.includes('--broker-url') ? [] : ['--broker-url', 'http://127.0.0.1:1'];
    expect(await runCli(['verdicts', ...where, ...args], io)).toBe(2);
    expect(io.err()).toContain(message);
    expect(io.out()).toBe('');
  });

  it('an unreachable broker is exit 1 with the next step', async () => {
    const io = memoryIO();
    expect(await runCli(['verdicts', '-A', '--broker-url', 'http://127.0.0.1:1'], io)).toBe(1);
    expect(io.err()).toMatch(/cannot reach the broker at http:\/\/127\.0\.0\.1:1 .*--broker-url/);
  });

  it('--token-file that does not exist names the flag and the file', async () => {
    const io = memoryIO();
    expect(await runCli(['verdicts', '-A', '--broker-url', 'http://127.0.0.1:1', '--token-file', '/nonexistent/token'], io)).toBe(1);
    expect(io.err()).toContain('--token-file: cannot read /nonexistent/token: ENOENT');
  });
});
