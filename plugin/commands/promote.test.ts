/** promote and promote-cluster without a cluster: flag checks that come before any API call (--help: plugin/help.test.ts). */
import { describe, expect, it } from 'vitest';
import { memoryIO } from '../io.js';
import { runCli } from '../main.js';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIO();
  // A kubeconfig that cannot exist: these must fail (or print) before connecting.
  const code = await runCli(['--kubeconfig', '/nonexistent/kubeconfig', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

describe('promote and promote-cluster flags', () => {
  it.each([
    { args: ['audit', 'promote-cluster'], message: 'name an AuditClusterNetworkPolicy: audit promote-cluster NAME' },
    { args: ['audit', 'promote-cluster', 'p', '--delete-audit'], message: '--delete-audit needs --apply' },
    { args: ['audit', 'promote', 'p', '-n', 'x', '--verify', '5m'], message: '--verify needs --apply: there is nothing enforced to verify otherwise' },
    { args: ['audit', 'promote', 'p', '-n', 'x', '--apply', '--dry-run', '--verify', '5m'], message: '--verify and --dry-run cannot be used together' },
    { args: ['audit', 'promote', 'p', '-n', 'x', '--apply', '--verify', 'soon'], message: '--verify: "soon" is not a duration; use numbers with s, m, h or d, such as 15m, 1h30m or 7d' },
    { args: ['audit', 'promote-cluster', 'p', '--min-quiet', 'soon'], message: '--min-quiet: "soon" is not a duration; use numbers with s, m, h or d, such as 15m, 1h30m or 7d' },
    // The one grammar, more than zero, as --since: checking or being quiet for no time at all is a slip.
    { args: ['audit', 'promote', 'p', '-n', 'x', '--apply', '--verify', '0s'], message: '--verify: "0s" is zero; it must be greater than zero' },
    { args: ['audit', 'promote-cluster', 'p', '--min-quiet', '0'], message: '--min-quiet: "0" is zero; it must be greater than zero' },
    { args: ['audit', 'promote-cluster', 'p', '--min-quiet', '1x'], message: '--min-quiet: "1x" is not a duration; use numbers with s, m, h or d, such as 15m, 1h30m or 7d' },
    { args: ['audit', 'promote-cluster', 'p', '-o', 'name', '--output-dir', 'out'], message: '-o name prints names only; --output-dir writes whole policies' },
    { args: ['audit', 'promote', 'p', '-n', 'prod', '-o', 'name', '--output-dir', 'out'], message: '-o name prints names only; --output-dir writes whole policies' },
    { args: ['audit', 'promote', 'p', '-n', 'prod', '-o', 'table'], message: '-o/--output: "table" is not one of yaml, json, name' },
  ])('$args exits 2', async ({ args, message }) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
  });
});
