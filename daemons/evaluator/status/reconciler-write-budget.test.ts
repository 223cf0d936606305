/**
 * The reconciler spends the global write budget (write-limiter.ts) across all policies: with
 * `maxWritesPerSecond` = 3 and ten policies due at once, three are written, the rest wait, and
 * each further second of the (injected) clock lets exactly three more through, however many
 * ticks run meanwhile.
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../runtime/logger.js';
import type { ReplayProgress } from '../../../contracts/replay.js';
import type { SummaryAnswer } from '../../../contracts/summary.js';
import type { BrokerClient } from '../broker-client.js';
import type { AuditPolicyVersion } from '../cluster/model-types.js';
import { createStatusReconciler } from './reconciler.js';
import type { StatusWriter, StoredPolicy } from './status-writer.js';

const policies: AuditPolicyVersion[] = Array.from({ length: 10 }, (_, i) => ({
  uid: `uid-${i}`, kind: 'AuditNetworkPolicy', namespace: 'prod', name: `p-${i}`, generation: 1, problems: [],
}));

async function until(what: string, f: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!f()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('status reconciler write budget', () => {
  it('writes at most maxWritesPerSecond per second of the clock over all policies', async () => {
    let t = 1_000_000;
    let nowCalls = 0;
    const now = (): number => {
      nowCalls++;
      return t;
    };
    const writes: string[] = [];
    const writer: StatusWriter = {
      read: (v) => Promise.resolve({ uid: v.uid, generation: v.generation, resourceVersion: '1', status: {} }),
      write: (v, build) => {
        const status = build({ uid: v.uid, generation: v.generation, resourceVersion: '1', status: {} } satisfies StoredPolicy);
        if (status === null) return Promise.resolve('skipped');
        writes.push(v.uid);
        return Promise.resolve('written');
      },
    };
    const broker: BrokerClient = {
      summary: () => Promise.resolve({ since: '', until: '', allow: 1, wouldDeny: 0, unidentifiedPeers: 0, topOffenders: [] } as SummaryAnswer),
      // Still running when created: a new policy's step writes once (Replaying).
      createReplay: (v) => Promise.resolve({ id: v.uid, state: 'Running' } as ReplayProgress),
      // Complete when polled: that step writes once (the synced status).
      getReplay: (id) => Promise.resolve({ id, state: 'Complete' } as ReplayProgress),
    };
    const reconciler = createStatusReconciler({
      model: { auditPolicies: () => policies, onAuditPolicyChange: () => () => undefined },
      broker,
      writer,
      events: { observe: () => Promise.resolve(), forget: () => undefined, reset: () => undefined },
      window: { text: '1h', ms: 3_600_000 },
      statusIntervalMs: 3_600_000,
      logger: silentLogger,
      now,
      tickMs: 1,
      pollMs: 1,
      maxWritesPerSecond: 3,
    });
    const ticks = async (n: number): Promise<void> => {
      const target = nowCalls + n;
      await until(`${n} clock reads`, () => nowCalls >= target);
    };

    reconciler.start();
    try {
      await until('the first writes', () => writes.length >= 3);
      // The clock stands still: the budget is spent, the seven others wait however often it ticks.
      await ticks(200);
      expect(writes).toHaveLength(3);

      // A third of a second refills one token: one more step, one more write.
      t += 334;
      await until('one more write', () => writes.length >= 4);
      await ticks(200);
      expect(writes).toHaveLength(4);

      // A whole second: the bucket is full again (3), not more, though ten policies are due.
      t += 5000;
      await until('three more writes', () => writes.length >= 7);
      await ticks(200);
      expect(writes).toHaveLength(7);

      // Everyone is served in the end: ten Replaying writes and ten synced ones.
      for (let i = 0; i < 20 && writes.length < 20; i++) {
        t += 1000;
        const target = Math.min(20, writes.length + 3);
        await until(`${target} writes`, () => writes.length >= target);
      }
      expect(writes).toHaveLength(20);
      expect(new Set(writes).size).toBe(10);
    } finally {
      await reconciler.stop();
    }
  });

  it('serves the policy that has waited longest first, so a new policy is not starved by busy ones', async () => {
    let t = 1_000_000;
    let nowCalls = 0;
    const now = (): number => {
      nowCalls++;
      return t;
    };
    const reconciled = (v: AuditPolicyVersion): StoredPolicy['status'] => ({
      observedGeneration: v.generation,
      conditions: [{ type: 'Synced', status: 'True', observedGeneration: v.generation, lastTransitionTime: '', reason: 'Reconciled', message: '' }],
    });
    const writes: string[] = [];
    const writer: StatusWriter = {
      read: (v) => Promise.resolve({ uid: v.uid, generation: v.generation, resourceVersion: '1', status: {} }),
      write: (v, build) => {
        const stored = { uid: v.uid, generation: v.generation, resourceVersion: '1', status: v.uid.startsWith('uid-') ? reconciled(v) : {} };
        if (build(stored) === null) return Promise.resolve('skipped');
        writes.push(v.uid);
        return Promise.resolve('written');
      },
    };
    let allow = 0;
    const broker: BrokerClient = {
      // Counts that change on every read: each busy policy wants a write every status interval.
      summary: () => Promise.resolve({ since: '', until: '', allow: ++allow, wouldDeny: 0, unidentifiedPeers: 0, topOffenders: [] } as SummaryAnswer),
      createReplay: (v) => Promise.resolve({ id: v.uid, state: 'Complete' } as ReplayProgress),
      getReplay: (id) => Promise.resolve({ id, state: 'Complete' } as ReplayProgress),
    };
    let announce: ((v: AuditPolicyVersion, deleted: boolean) => void) | undefined;
    const reconciler = createStatusReconciler({
      model: {
        auditPolicies: () => policies,
        onAuditPolicyChange: (l) => {
          announce = l;
          return () => undefined;
        },
      },
      broker,
      writer,
      events: { observe: () => Promise.resolve(), forget: () => undefined, reset: () => undefined },
      window: { text: '1h', ms: 3_600_000 },
      statusIntervalMs: 100,
      refreshMaxAgeMs: 100,
      logger: silentLogger,
      now,
      tickMs: 1,
      pollMs: 1,
      maxWritesPerSecond: 3,
    });
    reconciler.start();
    try {
      await until('the first writes', () => writes.length >= 3);
      const newcomer: AuditPolicyVersion = { uid: 'new-1', kind: 'AuditNetworkPolicy', namespace: 'prod', name: 'new', generation: 1, problems: [] };
      announce?.(newcomer, false);
      // Ten busy policies want a write every 100 ms and only three fit in a second: the newcomer,
      // due since it appeared, must still get its turn within a few seconds.
      for (let i = 0; i < 5 && !writes.includes('new-1'); i++) {
        t += 1000;
        const target = nowCalls + 200;
        await until('200 clock reads', () => nowCalls >= target);
      }
      expect(writes).toContain('new-1');
    } finally {
      await reconciler.stop();
    }
  });
});
