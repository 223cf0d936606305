/**
 * The status writer and the reconciler's write pacing against the real API server (the test
 * control plane, with the CRDs):
 *   - a 409: the object is changed (its labels) between the writer's read and its patch, so the
 *     patch's resourceVersion is stale; the writer reads again and the second patch lands;
 *   - conflicts that never stop end with the 409 after the configured retries;
 *   - a uid that is no longer the stored one is `gone`, nothing written;
 *   - STATUS_INTERVAL: with counts changing on every summary, a synced policy is written at most
 *     once per interval (on an injected clock; writes counted by status_writes_total and by the
 *     object's resourceVersion on the server).
 */
import { execFileSync } from 'node:child_process';
import { ApiException, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { kubeConfig, kubeconfigPath } from '../../../test/kube/client.js';
import { installCrds } from '../../../test/kube/crds.js';
import { applyManifest } from '../../../test/kube/manifest.js';
import { createTestNamespace } from '../../../test/kube/namespace.js';
import { silentLogger } from '../../../runtime/logger.js';
import type { ReplayProgress } from '../../../contracts/replay.js';
import type { SummaryAnswer } from '../../../contracts/summary.js';
import type { BrokerClient } from '../broker-client.js';
import type { AuditPolicyVersion } from '../cluster/model-types.js';
import { eventually } from '../testing/evaluator-harness.js';
import { createStatusReconciler } from './reconciler.js';
import { createStatusMetrics } from './status-metrics.js';
import { GROUP, VERSION } from '../../../contracts/audit-policy-api.js';
import { createStatusWriter, type StoredPolicy } from './status-writer.js';

let kc: KubeConfig;
let ns: string;

interface RawPolicy {
  metadata: { uid: string; generation: number; resourceVersion: string; labels?: Record<string, string> };
  status?: { observedGeneration?: number; evaluation?: { flowsAllowed: number } };
}

const POLICY = (name: string): string => `
apiVersion: kguardian.dev/v1alpha1
kind: AuditNetworkPolicy
metadata: { name: ${name} }
spec:
  podSelector: { matchLabels: { app: db } }
  policyTypes: [Ingress]
  ingress: [{ from: [{ podSelector: { matchLabels: { app: web } } }] }]
`;

async function getRaw(name: string): Promise<RawPolicy> {
  return (await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: 'auditnetworkpolicies', name })) as RawPolicy;
}

async function createPolicy(name: string): Promise<AuditPolicyVersion> {
  await applyManifest(kc, POLICY(name), ns);
  const raw = await getRaw(name);
  return { uid: raw.metadata.uid, kind: 'AuditNetworkPolicy', namespace: ns, name, generation: raw.metadata.generation, problems: [] };
}

/**
 * Changes the object's labels with kubectl, synchronously: `build` runs between the writer's read
 * and its patch and cannot await, so this is what makes the read stale deterministically.
 */
function relabel(name: string, value: string): void {
  execFileSync(inject('kubectl'), ['--kubeconfig', kubeconfigPath(), 'label', 'auditnetworkpolicy', name, '-n', ns, `race=${value}`, '--overwrite'], { stdio: 'pipe' });
}

beforeAll(async () => {
  kc = kubeConfig();
  await installCrds(kc);
  ns = await createTestNamespace(kc, 'kg-status-writer');
});

describe('status writer against the real API server', () => {
  it('re-reads and succeeds when the object changed between its read and its patch (409 on a stale resourceVersion)', async () => {
    const v = await createPolicy('conflict-once');
    const writer = createStatusWriter(kc);
    const seen: StoredPolicy[] = [];
    const result = await writer.write(v, (stored) => {
      seen.push(stored);
      if (seen.length === 1) relabel(v.name, 'first');
      return { observedGeneration: stored.generation };
    });
    expect(result).toBe('written');
    // Built twice: the first patch met a 409, the second was built from the object read again.
    expect(seen).toHaveLength(2);
    const [first, second] = seen as [StoredPolicy, StoredPolicy];
    expect(second.resourceVersion).not.toBe(first.resourceVersion);
    const after = await getRaw(v.name);
    // Both changes are there: the racing label update was not overwritten, and the status landed.
    expect(after.metadata.labels?.race).toBe('first');
    expect(after.status?.observedGeneration).toBe(v.generation);
  });

  it('gives up with the 409 after conflictRetries re-reads when every read is stale', async () => {
    const v = await createPolicy('conflict-always');
    const writer = createStatusWriter(kc, { conflictRetries: 2 });
    let builds = 0;
    const err = await writer
      .write(v, (stored) => {
        builds++;
        relabel(v.name, String(builds));
        return { observedGeneration: stored.generation };
      })
      .then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ApiException);
    expect((err as ApiException<unknown>).code).toBe(409);
    expect(builds).toBe(3);
    const after = await getRaw(v.name);
    expect(after.metadata.labels?.race).toBe('3');
    expect(after.status?.observedGeneration).toBeUndefined();
  });

  it('drops the write when the stored object has another uid (re-created under the same name)', async () => {
    const v = await createPolicy('recreated');
    const writer = createStatusWriter(kc);
    let builds = 0;
    const result = await writer.write({ ...v, uid: '00000000-0000-0000-0000-000000000000' }, () => {
      builds++;
      return { observedGeneration: 1 };
    });
    expect(result).toBe('gone');
    expect(builds).toBe(0);
    expect((await getRaw(v.name)).status).toBeUndefined();
  });
});

describe('STATUS_INTERVAL bounds the refresh writes of a synced policy', () => {
  it('writes once per interval of the injected clock however often it ticks, even when the counts change on every summary', async () => {
    const v = await createPolicy('paced');
    const intervalMs = 10_000;
    let t = 5_000_000_000;
    let nowCalls = 0;
    const now = (): number => {
      nowCalls++;
      return t;
    };
    let summaries = 0;
    const broker: BrokerClient = {
      summary: () => {
        summaries++;
        // Different counts every time: every refresh has something new to write.
        return Promise.resolve({ since: '', until: '', allow: summaries, wouldDeny: 0, unidentifiedPeers: 0, topOffenders: [] } as SummaryAnswer);
      },
      createReplay: () => Promise.resolve({ id: 'r1', state: 'Complete' } as ReplayProgress),
      getReplay: () => Promise.resolve({ id: 'r1', state: 'Complete' } as ReplayProgress),
    };
    const metrics = createStatusMetrics(new Registry());
    const written = async (): Promise<number> => (await metrics.statusWrites.get()).values.find((x) => x.labels.result === 'written')?.value ?? 0;
    const reconciler = createStatusReconciler({
      model: { auditPolicies: () => [v], onAuditPolicyChange: () => () => undefined },
      broker,
      writer: createStatusWriter(kc),
      events: { observe: () => Promise.resolve(), forget: () => undefined, reset: () => undefined },
      window: { text: '1h', ms: 3_600_000 },
      statusIntervalMs: intervalMs,
      logger: silentLogger,
      metrics,
      now,
      tickMs: 10,
      pollMs: 10,
      // Far above what this test asks: only STATUS_INTERVAL paces it.
      maxWritesPerSecond: 1000,
    });

    /** Lets the reconciler tick at least `n` more times (each tick reads the clock), however slow the machine. */
    const ticks = async (n: number): Promise<void> => {
      const target = nowCalls + n;
      await eventually(`${n} reconciler ticks`, () => Promise.resolve(nowCalls >= target ? true : undefined), 45_000, 20);
    };
    /** The object's resourceVersion and flowsAllowed as the API server has them. */
    const server = async (): Promise<{ rv: string; allowed: number | undefined }> => {
      const raw = await getRaw(v.name);
      return { rv: raw.metadata.resourceVersion, allowed: raw.status?.evaluation?.flowsAllowed };
    };

    reconciler.start();
    try {
      // The Replaying status, then the synced one with the first summary's counts.
      await eventually('the first synced write', async () => ((await written()) === 2 ? true : undefined));
      const first = await server();
      expect(first.allowed).toBe(1);

      // The clock stands still: however many ticks pass, nothing is due.
      await ticks(100);
      expect(await written()).toBe(2);
      expect(summaries).toBe(1);
      expect(await server()).toEqual(first);

      // Just short of the interval: still nothing.
      t += intervalMs - 1;
      await ticks(100);
      expect(await written()).toBe(2);
      expect(summaries).toBe(1);

      // The interval has passed: exactly one refresh, written with the new counts.
      t += 1;
      await eventually('the second refresh write', async () => ((await written()) === 3 ? true : undefined));
      await ticks(100);
      expect(await written()).toBe(3);
      expect(summaries).toBe(2);
      const second = await server();
      expect(second.allowed).toBe(2);
      expect(second.rv).not.toBe(first.rv);

      // And again one interval later, and only then.
      t += intervalMs;
      await eventually('the third refresh write', async () => ((await written()) === 4 ? true : undefined));
      await ticks(100);
      expect(await written()).toBe(4);
      expect(summaries).toBe(3);
      expect((await server()).allowed).toBe(3);
    } finally {
      await reconciler.stop();
    }
  });
});
