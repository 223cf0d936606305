/**
 * The playground's stack for the e2e test: the control plane and PostgreSQL come from the vitest
 * global setups (inject), the pods get a /24 of their own in 10.253.0.0/16 (away from the
 * playground's 10.252.7 and test/netns's 10.250), and everything else is started and cleaned up
 * exactly as the playground does it.
 */
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { createDatabase } from '../../daemons/broker/testing/broker-process.js';
import { Cleanup } from '../../playground/cleanup.js';
import { startStack, type Stack } from '../../playground/stack.js';

/** The chart's default (agent.bucketMs), so the latency measured is the one a cluster gets. */
export const BUCKET_MS = 10_000;

export async function startE2eStack(cleanup: Cleanup): Promise<{ stack: Stack; runDir: string }> {
  const runDir = mkdtempSync(join(tmpdir(), 'kg-e2e-'));
  cleanup.add(`remove ${runDir}`, () => { rmSync(runDir, { recursive: true, force: true }); });
  const databaseUrl = await createDatabase(inject('databaseUrl'), 'kg_e2e');
  const stack = await startStack(
    {
      runDir,
      mode: 'kernel',
      subnet: `10.253.${randomInt(1, 255)}`,
      controlPlane: { kubeconfig: inject('kubeconfig'), kubectl: inject('kubectl') },
      databaseUrl,
      bucketMs: BUCKET_MS,
      // As the chart runs it: two replicas, one Lease; the test checks only the leader writes status.
      evaluatorReplicas: 2,
    },
    cleanup,
  );
  return { stack, runDir };
}
