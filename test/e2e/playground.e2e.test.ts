// The playground as a user runs it: `--once --recorded` (recorded traffic as root; the real non-root
// run is playground-nonroot.e2e.test.ts) exits 0 after showing the counts; the kernel playground
// shows the counts, verdicts and describe, its suggested fix and promote commands work as printed,
// and it keeps running until Ctrl-C, then removes every namespace, link, eBPF program, tracefs
// mount, process and folder it made; so does a SIGTERM half-way through start-up.
import { afterEach, describe, expect, it } from 'vitest';
import { waitForStatus } from '../../playground/cluster.js';
import { kubectlFor, type Kubectl } from '../../playground/kubectl.js';
import { FIXED_POLICY_FILE, POLICY } from '../../playground/scenario.js';
import { tracefsMountsAt } from '../../playground/tracefs.js';
import { EXIT } from '../../plugin/errors.js';
import { expectNothingLeft, kernelLeftovers, PlaygroundRun, statusColumns } from './playground-run.js';

let current: PlaygroundRun | undefined;

afterEach(() => {
  current?.kill();
});

/** kubectl as the playground's "Try it yourself" lines set it up (its KUBECONFIG, its kubectl, bin/ on PATH). */
function suggestedKubectl(output: string): Kubectl {
  const kubeconfig = /export KUBECONFIG=(\S+) PATH=\$PWD\/bin:\$PATH/.exec(output)?.[1];
  const binary = /alias kubectl=(\S+)/.exec(output)?.[1];
  if (!kubeconfig || !binary) throw new Error(`no "Try it yourself" lines in:\n${output}`);
  return kubectlFor(binary, kubeconfig);
}

const ROWS = {
  verdicts: [/Ingress\s+web\/frontend\s+shop\/payments\s+8080\/TCP\s+WouldDeny\s/, /Egress\s+shop\/payments\s+kube-system\/coredns\s+53\/UDP\s+Allow\s/, /Egress\s+shop\/payments\s+shop\/database\s+5432\/TCP\s+Allow\s/],
  describe: [/Sync:\s+generation 1, observed 1 \(in sync\)/, /Flows:\s+13 evaluated, 7 allowed, 6 would be denied/, /web\/frontend \(10\.252\.7\.2\)\s+shop\/payments \(10\.252\.7\.3\)\s+8080\/TCP\s+Ingress\s+6\s/, /Safe to promote:\s+no/],
};

describe('the playground', () => {
  it('--once on recorded traffic shows the would-deny count, verdicts, describe and the fix, exits 0, leaves nothing', async () => {
    const run = (current = new PlaygroundRun(['--once', '--recorded']));
    expect(await run.exited).toBe(0);
    expect(run.output).toMatch(/replayed 8 recorded flow observations/);
    expect(statusColumns(run.output)).toEqual(['6', '7']);
    expect(run.output).toMatch(/WouldDeny .*frontend/);
    expect(run.output).toMatch(/web\/frontend \(10\.252\.7\.2\)\s+shop\/payments \(10\.252\.7\.3\)\s+8080\/TCP\s+Ingress\s+6/);
    expect(run.output).toMatch(/kubectl kguardian audit promote payments-isolation -n shop/);
    // It started the web view and checked that it answers before printing its URL.
    expect(run.output).toMatch(/the Would-Deny web view \(kubectl kguardian ui -n shop, run by the playground; it stops when the playground exits\): http:\/\/127\.0\.0\.1:\d+\/ui\//);
    await expectNothingLeft(run);
  }, 300_000);

  it('on the kernel: counts, verdicts, describe; the printed fix and promote work; after SIGINT no netns, link, eBPF program, tracefs mount, process or folder is left', async () => {
    const tracefsBefore = tracefsMountsAt();
    const run = (current = new PlaygroundRun([]));
    await run.waitForLine(/the playground is running/);
    expect(statusColumns(run.output)).toEqual(['6', '7']);
    for (const row of [...ROWS.verdicts, ...ROWS.describe]) expect(run.output).toMatch(row);

    // The suggested commands, as printed: promote is refused while 6 flows would be denied, the
    // fix brings WOULD-DENY to 0 at generation 2, then promote yields a NetworkPolicy the API server takes.
    const kubectl = suggestedKubectl(run.output);
    const refused = await kubectl.run(['kguardian', 'audit', 'promote', POLICY.name, '-n', POLICY.namespace]);
    expect(refused.code).toBe(EXIT.unsafe);
    await kubectl.ok(['apply', '-f', FIXED_POLICY_FILE]);
    const fixed = await waitForStatus(kubectl, POLICY.namespace, POLICY.name, (st) => st.observedGeneration === 2 && st.synced && st.wouldDeny === 0, 60_000);
    expect({ observed: fixed.status.observedGeneration, wouldDeny: fixed.status.wouldDeny, allowed: fixed.status.allowed }).toEqual({ observed: 2, wouldDeny: 0, allowed: 13 });
    const np = await kubectl.ok(['kguardian', 'audit', 'promote', POLICY.name, '-n', POLICY.namespace]);
    expect(np).toMatch(/kind: NetworkPolicy/);
    expect(await kubectl.ok(['apply', '-f', '-'], np)).toMatch(/networkpolicy.networking.k8s.io\/payments-isolation created/);

    // The web view's URL, printed by the playground: the page, the policy and its verdicts, read as the user.
    const view = /the Would-Deny web view \(kubectl kguardian ui -n shop, run by the playground\): (http:\/\/127\.0\.0\.1:\d+\/ui\/)$/m.exec(run.output)?.[1];
    expect(view).toBeDefined();
    const page = await fetch(view ?? '');
    expect({ status: page.status, type: page.headers.get('content-type') }).toMatchObject({ status: 200, type: expect.stringMatching(/^text\/html/) as unknown });
    expect(await (await fetch(new URL('/ui/api/policies', view))).text()).toContain('"name":"payments-isolation"');
    expect(await (await fetch(new URL('/audit/verdicts?namespace=shop&policy=payments-isolation&verdict=WouldDeny', view))).text()).toContain('"pod":"frontend"');

    const made = run.made();
    expect(made.programs.length).toBeGreaterThan(0);
    const running = await kernelLeftovers(made, tracefsBefore);
    expect(running.filter((l) => l.startsWith(made.prefix ?? '?'))).toHaveLength(9); // bridge, 4 netns, 4 host-side veths
    expect(running.filter((l) => / attached to /.test(l)).length).toBeGreaterThan(0); // kg_udp_* on the cgroup v2 root
    expect(running.filter((l) => / loaded$/.test(l))).toHaveLength(made.programs.length);
    run.signal('SIGINT');
    expect(await run.exited).toBe(130);
    expect(await kernelLeftovers(made, tracefsBefore)).toEqual([]);
    await expect(fetch(view ?? '')).rejects.toThrow();
    await expectNothingLeft(run);
  }, 300_000);

  it('SIGTERM half-way through start-up still removes everything', async () => {
    const tracefsBefore = tracefsMountsAt();
    const run = (current = new PlaygroundRun([]));
    await run.waitForLine(/starting the broker/);
    run.signal('SIGTERM');
    expect(await run.exited).toBe(143);
    expect(await kernelLeftovers(run.made(), tracefsBefore)).toEqual([]);
    await expectNothingLeft(run);
  }, 300_000);
});
