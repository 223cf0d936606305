/**
 * Puts the scenario into the API server: the CRDs, the namespaces, and one Pod per netns "pod",
 * bound to the control plane's node with status.podIP = the namespace's address (written through
 * the status subresource, as a kubelet would), so the agent and the evaluator resolve identities.
 */
import { CoreV1Api, V1Namespace, V1ObjectMeta, type KubeConfig } from '@kubernetes/client-node';
import { createRunningPod, TEST_NODE } from '../test/kube/pods.js';
import type { Kubectl } from './kubectl.js';
import { REPO_ROOT } from './paths.js';
import type { ScenarioPod } from './scenario.js';

export { TEST_NODE };

const CRDS = ['auditnetworkpolicies.kguardian.dev', 'auditclusternetworkpolicies.kguardian.dev'];

export async function installCrds(kubectl: Kubectl): Promise<void> {
  await kubectl.ok(['apply', '-f', `${REPO_ROOT}crds/auditnetworkpolicies.yaml`, '-f', `${REPO_ROOT}crds/auditclusternetworkpolicies.yaml`]);
  await kubectl.ok(['wait', '--for', 'condition=Established', '--timeout', '60s', ...CRDS.map((c) => `crd/${c}`)]);
}

/** Creates a namespace (if absent) and waits for its default ServiceAccount, which Pods need. */
export async function ensureNamespace(kc: KubeConfig, name: string): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const existing = await core.listNamespace({ fieldSelector: `metadata.name=${name}` });
  if (existing.items.length === 0) await core.createNamespace({ body: Object.assign(new V1Namespace(), { metadata: Object.assign(new V1ObjectMeta(), { name }) }) });
  for (let i = 0; i < 200; i++) {
    const sa = await core.listNamespacedServiceAccount({ namespace: name, fieldSelector: 'metadata.name=default' });
    if (sa.items.length > 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`namespace ${name} got no default ServiceAccount within 20 s`);
}

/** Registers the pod with its address; returns its uid. */
export async function registerPod(kc: KubeConfig, pod: ScenarioPod, ip: string): Promise<string> {
  const created = await createRunningPod(kc, pod.namespace, pod.name, [ip], { labels: pod.labels });
  return created.metadata?.uid ?? '';
}

export interface PolicyStatus {
  generation: number;
  observedGeneration: number | undefined;
  synced: boolean;
  wouldDeny: number | undefined;
  allowed: number | undefined;
}

interface RawPolicy {
  metadata?: { generation?: number };
  status?: {
    observedGeneration?: number;
    conditions?: { type: string; status: string }[];
    evaluation?: { flowsWouldDeny?: number; flowsAllowed?: number };
  };
}

export async function policyStatus(kubectl: Kubectl, namespace: string, name: string): Promise<PolicyStatus> {
  const p = JSON.parse(await kubectl.ok(['get', 'kganp', name, '-n', namespace, '-o', 'json'])) as RawPolicy;
  return {
    generation: p.metadata?.generation ?? 0,
    observedGeneration: p.status?.observedGeneration,
    synced: p.status?.conditions?.some((c) => c.type === 'Synced' && c.status === 'True') ?? false,
    wouldDeny: p.status?.evaluation?.flowsWouldDeny,
    allowed: p.status?.evaluation?.flowsAllowed,
  };
}

/** Polls the policy's status until `done` holds; resolves with the last status either way. */
export async function waitForStatus(kubectl: Kubectl, namespace: string, name: string, done: (s: PolicyStatus) => boolean, timeoutMs: number): Promise<{ status: PolicyStatus; met: boolean }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await policyStatus(kubectl, namespace, name);
    if (done(status)) return { status, met: true };
    if (Date.now() > deadline) return { status, met: false };
    await new Promise((r) => setTimeout(r, 250));
  }
}
