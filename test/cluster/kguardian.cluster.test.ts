/**
 * kguardian on a real cluster, installed as docs/install.md tells a user: every pod of the chart
 * Ready (broker, two evaluators, the agent DaemonSet with the documented securityContext,
 * PostgreSQL with its claim bound).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { requireRoot } from '../netns/require-root.js';
import type { Cluster } from './testing/cluster.js';
import { sharedCluster } from './testing/shared.js';

requireRoot('the real-cluster tests');

let cluster: Cluster;

// The project's global setup (testing/setup.ts) brought the cluster up and installed kguardian.
beforeAll(async () => {
  ({ cluster } = await sharedCluster());
});

interface Container { name: string; image: string; securityContext?: Record<string, unknown> }
interface Pod {
  metadata: { name: string; labels?: Record<string, string> };
  spec: { hostNetwork?: boolean; containers: Container[]; volumes?: { name: string; persistentVolumeClaim?: { claimName: string } }[] };
  status: { phase: string; conditions?: { type: string; status: string }[] };
}

async function kguardianPods(): Promise<Pod[]> {
  return (await cluster.json<{ items: Pod[] }>(['-n', 'kguardian', 'get', 'pods'])).items;
}

function component(pod: Pod): string {
  return pod.metadata.labels?.['app.kubernetes.io/component'] ?? pod.metadata.name;
}

describe('helm install of deploy/helm/kguardian with the locally built images', () => {
  it('runs every pod Ready: one broker, two evaluators, one agent, one PostgreSQL', async () => {
    const pods = await kguardianPods();
    const counts: Record<string, number> = {};
    for (const pod of pods) {
      expect(pod.status.conditions?.find((c) => c.type === 'Ready')?.status, pod.metadata.name).toBe('True');
      counts[component(pod)] = (counts[component(pod)] ?? 0) + 1;
    }
    expect(counts).toEqual({ broker: 1, evaluator: 2, agent: 1, postgresql: 1 });
    for (const pod of pods) {
      for (const c of pod.spec.containers) expect(c.image.startsWith('kguardian.local/'), c.image).toBe(true);
    }
  });

  it('runs the agent with the documented securityContext: uid 0, not privileged, only BPF, PERFMON and NET_ADMIN', async () => {
    const agent = (await kguardianPods()).find((p) => component(p) === 'agent');
    expect(agent?.spec.hostNetwork).toBe(true);
    expect(agent?.spec.containers[0]?.securityContext).toMatchObject({
      privileged: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'], add: ['BPF', 'PERFMON', 'NET_ADMIN'] },
    });
  });

  it('keeps PostgreSQL data on a bound claim of the default StorageClass', async () => {
    const pvcs = await cluster.json<{ items: { metadata: { name: string }; spec: { storageClassName: string }; status: { phase: string } }[] }>(
      ['-n', 'kguardian', 'get', 'pvc']);
    expect(pvcs.items.map((p) => [p.spec.storageClassName, p.status.phase])).toEqual([['local', 'Bound']]);
  });
});
