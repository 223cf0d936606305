/**
 * The live model against the real test API server: objects created through the API reach the
 * model through its informers, and the verdicts follow. Pods never run here: tests write their
 * status (IPs) and the EndpointSlices themselves (test/kube/pods.ts).
 */
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeConfig } from '../../../test/kube/client.js';
import { installCrds } from '../../../test/kube/crds.js';
import { applyManifest } from '../../../test/kube/manifest.js';
import { createTestNamespace, deleteTestNamespace } from '../../../test/kube/namespace.js';
import { createEndpointSlice, createRunningPod } from '../../../test/kube/pods.js';
import { createClusterModel, type EvaluateItem, type LiveClusterModel } from './cluster-model.js';
import type { FlowEvaluation, NamedEnd } from './engine.js';

async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function item(src: NamedEnd, dst: NamedEnd, port: number, at = Date.now()): EvaluateItem {
  return { id: 1, observedAt: new Date(at).toISOString(), count: 1, direction: 'Ingress', flow: { src, dst, protocol: 'TCP', port } };
}

function judge(model: LiveClusterModel, i: EvaluateItem): FlowEvaluation {
  const out = model.evaluate([i]);
  if (out.status !== 'ok') throw new Error(out.status);
  return out.results[0]!.evaluation;
}

function verdictsOf(e: FlowEvaluation): string[] {
  return e.verdicts.map((v) => `${v.kind} ${v.policy} ${v.verdict}`);
}

async function deletePod(kc: KubeConfig, namespace: string, name: string): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  await core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0 });
  for (let i = 0; i < 200; i++) {
    const left = await core.listNamespacedPod({ namespace, fieldSelector: `metadata.name=${name}` });
    if (left.items.length === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`pod ${namespace}/${name} was not deleted`);
}

const pg = [{ name: 'pg', containerPort: 5432 }];

describe('the live cluster model', () => {
  let kc: KubeConfig;
  let ns: string;
  let blue: string;
  let model: LiveClusterModel;

  beforeAll(async () => {
    kc = kubeConfig();
    await installCrds(kc);
    ns = await createTestNamespace(kc, 'kg-model');
    blue = await createTestNamespace(kc, 'kg-model-blue');
    model = createClusterModel(kc, { backoffMs: 50, maxBackoffMs: 500 });
    await model.start();
  });

  afterAll(async () => {
    await model.stop();
    await deleteTestNamespace(kc, ns);
    await deleteTestNamespace(kc, blue);
  });

  it('is synced once every informer has listed', () => {
    expect(model.synced()).toBe(true);
  });

  it('judges pods against an AuditNetworkPolicy applied through the API, refs with uid and generation', async () => {
    await createRunningPod(kc, ns, 'api', ['10.250.0.5'], { labels: { app: 'api' } });
    await createRunningPod(kc, ns, 'web', ['10.250.0.6'], { labels: { app: 'web' } });
    await createRunningPod(kc, ns, 'db', ['10.250.0.7'], { labels: { app: 'db' }, ports: pg });
    const [anp] = await applyManifest(
      kc,
      `apiVersion: kguardian.dev/v1alpha1
kind: AuditNetworkPolicy
metadata: { name: db-ingress }
spec:
  podSelector: { matchLabels: { app: db } }
  policyTypes: [Ingress]
  ingress: [{ from: [{ podSelector: { matchLabels: { app: api } } }], ports: [{ port: pg }] }]
`,
      ns,
    );
    const allowed = await until('the policy to reach the model', () => {
      const e = judge(model, item({ ip: '10.250.0.5' }, { ip: '10.250.0.7' }, 5432));
      return e.verdicts.length > 0 && e;
    });
    expect(allowed.verdicts[0]).toMatchObject({ verdict: 'Allow', ref: { kind: 'AuditNetworkPolicy', namespace: ns, name: 'db-ingress', uid: anp?.metadata?.uid, generation: 1 } });
    expect(verdictsOf(judge(model, item({ ip: '10.250.0.6' }, { ip: '10.250.0.7' }, 5432)))).toEqual([`AuditNetworkPolicy ${ns}/db-ingress WouldDeny`]);
    expect(model.auditPolicies()).toContainEqual({ uid: anp?.metadata?.uid, kind: 'AuditNetworkPolicy', namespace: ns, name: 'db-ingress', generation: 1, problems: [] });
  });

  it('resolves a reused IP to the pod that owned it at the flow time', async () => {
    await until('api in the model', () => judge(model, item({ ip: '10.250.0.5' }, { ip: '10.250.0.7' }, 5432)).src?.pod === 'api');
    const whileApi = Date.now();
    await deletePod(kc, ns, 'api');
    await new Promise((r) => setTimeout(r, 1100)); // creation timestamps have one-second resolution
    await createRunningPod(kc, ns, 'intruder', ['10.250.0.5'], { labels: { app: 'intruder' } });
    const now = await until('the new owner in the model', () => {
      const e = judge(model, item({ ip: '10.250.0.5' }, { ip: '10.250.0.7' }, 5432));
      return e.src?.pod === 'intruder' && e;
    });
    expect(verdictsOf(now)).toEqual([`AuditNetworkPolicy ${ns}/db-ingress WouldDeny`]);
    const old = judge(model, item({ ip: '10.250.0.5' }, { ip: '10.250.0.7' }, 5432, whileApi));
    expect(old.src).toEqual({ namespace: ns, pod: 'api' });
    expect(verdictsOf(old)).toEqual([`AuditNetworkPolicy ${ns}/db-ingress Allow`]);
  });

  it('judges a flow to a Service ClusterIP as one to its backend on the target port', async () => {
    const svc = await kc.makeApiClient(CoreV1Api).createNamespacedService({
      namespace: ns,
      body: { metadata: { name: 'db' }, spec: { selector: { app: 'db' }, ports: [{ name: 'sql', port: 80, targetPort: 'pg' }] } },
    });
    const clusterIP = svc.spec?.clusterIP ?? '';
    await createEndpointSlice(kc, ns, 'db', [{ pod: 'db', ip: '10.250.0.7' }], [{ name: 'sql', port: 5432 }]);
    const e = await until('the Service in the model', () => {
      const r = judge(model, item({ ip: '10.250.0.6' }, { ip: clusterIP }, 80));
      return r.dst !== null && r;
    });
    expect(e.dst).toEqual({ namespace: ns, pod: 'db' });
    expect(e.notes).toContain(`destination ${clusterIP}:80/TCP is Service ${ns}/db; judged as its one ready backend, ${ns}/db:5432`);
    expect(verdictsOf(e)).toEqual([`AuditNetworkPolicy ${ns}/db-ingress WouldDeny`]);
  });

  it('follows a namespace relabel into an AuditClusterNetworkPolicy\'s selection', async () => {
    await createRunningPod(kc, blue, 'svc', ['10.250.1.1'], { labels: { app: 'svc' } });
    await applyManifest(
      kc,
      `apiVersion: kguardian.dev/v1alpha1
kind: AuditClusterNetworkPolicy
metadata: { name: ${blue}-deny }
spec:
  namespaceSelector: { matchLabels: { team: ${blue} } }
  podSelector: {}
  policyTypes: [Ingress]
`,
    );
    await until('the cluster policy in the model', () => model.auditPolicies().some((p) => p.name === `${blue}-deny`));
    const flow = item({ ip: '10.250.0.6' }, { ip: '10.250.1.1' }, 8080);
    // No verdict before the relabel means something only once the model holds the pod it selects.
    await until('svc in the model', () => judge(model, flow).dst?.pod === 'svc');
    expect(verdictsOf(judge(model, flow))).toEqual([]);
    await kc.makeApiClient(CoreV1Api).patchNamespace({ name: blue, body: [{ op: 'add', path: '/metadata/labels/team', value: blue }] });
    const after = await until('the relabel in the model', () => {
      const e = judge(model, flow);
      return e.verdicts.length > 0 && e;
    });
    expect(verdictsOf(after)).toEqual([`AuditClusterNetworkPolicy ${blue}-deny WouldDeny`]);
    await kc.makeApiClient(CoreV1Api).patchNamespace({ name: blue, body: [{ op: 'remove', path: '/metadata/labels/team' }] });
    await until('the label removal in the model', () => judge(model, flow).verdicts.length === 0);
  });

  it('finds on relist what changed while the watches were down, without rebuilding or duplicating anything', async () => {
    await createRunningPod(kc, ns, 'doomed', ['10.250.0.9'], { labels: { app: 'doomed' } });
    await until('doomed in the model', () => judge(model, item({ ip: '10.250.0.9' }, { ip: '10.250.0.7' }, 5432)).src?.pod === 'doomed');
    const quiet = model.index.state.version;
    await model.resync();
    await until('the relist', () => model.synced());
    await new Promise((r) => setTimeout(r, 500));
    // Other test files share the API server, so a few changes may land meanwhile; a relist that
    // rebuilt the world would bump the version once per object (hundreds).
    expect(model.index.state.version - quiet).toBeLessThan(model.stats().pods / 4);

    await model.resync(async () => {
      await deletePod(kc, ns, 'doomed');
      await createRunningPod(kc, ns, 'newcomer', ['10.250.0.10'], { labels: { app: 'api' } });
    });
    await until('the newcomer after relist', () => judge(model, item({ ip: '10.250.0.10' }, { ip: '10.250.0.7' }, 5432)).src?.pod === 'newcomer');
    const gone = judge(model, item({ ip: '10.250.0.9' }, { ip: '10.250.0.7' }, 5432));
    expect(gone.src).toBeNull();
    // Nothing duplicated: the model holds as many pods as the API server lists (other test files
    // may add or remove pods meanwhile, so compare until both agree).
    const core = kc.makeApiClient(CoreV1Api);
    let listed = -1;
    await until('the model and the API server agree on the pods', async () => {
      const items = (await core.listPodForAllNamespaces()).items;
      listed = items.filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed').length;
      return model.stats().pods === listed;
    });
    expect(model.stats().pods).toBe(listed);
  });
});
