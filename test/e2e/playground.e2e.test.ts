// The playground as a user runs it: `--once --recorded` (recorded traffic as root; the real non-root
// run is playground-nonroot.e2e.test.ts) exits 0 after
// showing the counts; the kernel playground keeps running until Ctrl-C and then removes every
// namespace, link, process and folder it made; so does a SIGTERM half-way through start-up.
import { afterEach, describe, expect, it } from 'vitest';
import { expectNothingLeft, kernelLeftovers, PlaygroundRun, statusColumns } from './playground-run.js';

let current: PlaygroundRun | undefined;

afterEach(() => {
  current?.kill();
});

describe('the playground', () => {
  it('--once on recorded traffic shows the would-deny count, verdicts, describe and the fix, exits 0, leaves nothing', async () => {
    const run = (current = new PlaygroundRun(['--once', '--recorded']));
    expect(await run.exited).toBe(0);
    expect(run.output).toMatch(/replayed 8 recorded flow observations/);
    expect(statusColumns(run.output)).toEqual(['6', '10']);
    expect(run.output).toMatch(/WouldDeny .*frontend/);
    expect(run.output).toMatch(/web\/frontend \(10\.252\.7\.2\)\s+shop\/payments \(10\.252\.7\.3\)\s+TCP\/8080\s+Ingress\s+6/);
    expect(run.output).toMatch(/kubectl kguardian audit promote payments-isolation -n shop/);
    await expectNothingLeft(run);
  }, 300_000);

  it('on the kernel, runs until SIGINT, then removes every netns, link, process and folder it made', async () => {
    const run = (current = new PlaygroundRun([]));
    await run.waitForLine(/the playground is running/);
    expect(statusColumns(run.output)).toEqual(['6', '10']);
    const prefix = run.made().prefix;
    expect(await kernelLeftovers(prefix)).toHaveLength(9); // bridge, 4 netns, 4 host-side veths
    run.signal('SIGINT');
    expect(await run.exited).toBe(130);
    expect(await kernelLeftovers(prefix)).toEqual([]);
    await expectNothingLeft(run);
  }, 300_000);

  it('SIGTERM half-way through start-up still removes everything', async () => {
    const run = (current = new PlaygroundRun([]));
    await run.waitForLine(/starting the broker/);
    run.signal('SIGTERM');
    expect(await run.exited).toBe(143);
    expect(await kernelLeftovers(run.made().prefix)).toEqual([]);
    await expectNothingLeft(run);
  }, 300_000);
});
