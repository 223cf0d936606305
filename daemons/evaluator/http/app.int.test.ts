/**
 * POST /evaluate authenticated against the real API server: ServiceAccount tokens, RBAC on
 * `evaluations.kguardian.dev` (cluster-scoped, verb create), TokenReview and SubjectAccessReview
 * through the broker's authenticator, and the live model behind it (409 on a stale `only`).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeConfig } from '../../../test/kube/client.js';
import { installCrds } from '../../../test/kube/crds.js';
import { applyManifest } from '../../../test/kube/manifest.js';
import { createTestNamespace, deleteTestNamespace } from '../../../test/kube/namespace.js';
import { createRunningPod } from '../../../test/kube/pods.js';
import { cachingAuthenticator } from '../../../runtime/auth/caching-authenticator.js';
import { kubernetesReviews } from '../../../runtime/auth/kubernetes-reviews.js';
import { systemClock } from '../../../runtime/clock.js';
import { silentLogger } from '../../../runtime/logger.js';
import { createClusterModel, type LiveClusterModel } from '../cluster/cluster-model.js';
import { createEvaluatorMetrics } from '../metrics.js';
import { createEvaluatorApp } from './app.js';
import { serviceAccountToken } from '../../../test/kube/service-account-token.js';

const tokenFor = serviceAccountToken;

describe('POST /evaluate with Kubernetes auth and the live model', () => {
  let kc: KubeConfig;
  let ns: string;
  let model: LiveClusterModel;
  let app: ReturnType<typeof createEvaluatorApp>;
  let uid = '';
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    kc = kubeConfig();
    await installCrds(kc);
    ns = await createTestNamespace(kc, 'kg-eval-http');
    await applyManifest(
      kc,
      `apiVersion: v1
kind: ServiceAccount
metadata: { name: broker }
---
apiVersion: v1
kind: ServiceAccount
metadata: { name: nobody }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: namespaced-evaluations }
rules: [{ apiGroups: [kguardian.dev], resources: [evaluations], verbs: [create] }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: nobody-namespaced }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: namespaced-evaluations }
subjects: [{ kind: ServiceAccount, name: nobody, namespace: ${ns} }]
`,
      ns,
    );
    await applyManifest(
      kc,
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: ${ns}-evaluations }
rules: [{ apiGroups: [kguardian.dev], resources: [evaluations], verbs: [create] }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: ${ns}-broker-evaluates }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${ns}-evaluations }
subjects: [{ kind: ServiceAccount, name: broker, namespace: ${ns} }]
`,
    );
    for (const sa of ['broker', 'nobody']) tokens[sa] = await tokenFor(kc, ns, sa);
    await createRunningPod(kc, ns, 'a', ['10.251.0.1'], { labels: { app: 'a' } });
    const [anp] = await applyManifest(
      kc,
      `apiVersion: kguardian.dev/v1alpha1
kind: AuditNetworkPolicy
metadata: { name: deny-a }
spec: { podSelector: { matchLabels: { app: a } }, policyTypes: [Ingress] }
`,
      ns,
    );
    uid = anp?.metadata?.uid ?? '';
    model = createClusterModel(kc);
    await model.start();
    const auth = cachingAuthenticator(kubernetesReviews(kc), { clock: systemClock, ttlMs: 1, negativeTtlMs: 1 });
    app = createEvaluatorApp({ model, auth, metrics: createEvaluatorMetrics(), logger: silentLogger });
  }, 180_000);

  afterAll(async () => {
    await model.stop();
    await deleteTestNamespace(kc, ns);
  });

  // Stamped when it is sent, as the agent stamps what it has just seen. The model resolves an
  // address to the pod that held it at the flow's time: a flow stamped when this file is
  // collected, before beforeAll creates pod a, can be older than the pod by more than the allowed
  // clock skew (5 s) on a busy machine, and then belongs to no pod and gets no verdict.
  const flow = (): Record<string, unknown> => ({
    id: 1, observedAt: new Date().toISOString(), count: 1, direction: 'Ingress',
    flow: { src: { ip: '192.0.2.1' }, dst: { ip: '10.251.0.1' }, protocol: 'TCP', port: 80 },
  });
  const post = async (body: unknown, token?: string): Promise<Response> =>
    app.request('/evaluate', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }) },
      body: JSON.stringify(body),
    });

  it.each([
    { who: 'no token', token: undefined, status: 401 },
    { who: 'a token the API server does not know', token: 'not-a-real-token', status: 401 },
    // create on evaluations in its own namespace only: the check is cluster-wide
    { who: 'a ServiceAccount allowed only in its namespace', token: 'nobody', status: 403 },
    { who: 'the broker\'s ServiceAccount', token: 'broker', status: 200 },
  ])('$who: $status', async ({ token, status }) => {
    const res = await post({ flows: [flow()] }, token === undefined ? undefined : (tokens[token] ?? token));
    expect(res.status).toBe(status);
  });

  it('judges with the live model, and answers 409 naming the held generation for a stale only', async () => {
    const res = await post({ flows: [flow()], only: { uid, generation: 1 } }, tokens.broker);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { results: { dst: unknown; verdicts: { verdict: string; ref: { uid: string } }[] }[] };
    expect(body.results[0]).toMatchObject({ dst: { namespace: ns, pod: 'a' }, verdicts: [{ verdict: 'WouldDeny', ref: { uid } }] });
    const stale = await post({ flows: [flow()], only: { uid, generation: 7 } }, tokens.broker);
    expect(stale.status).toBe(409);
    expect(await stale.json()).toMatchObject({ field: 'only.generation', current: 1 });
  });

  it('refuses a malformed body with 400 only after authenticating', async () => {
    expect((await post({ flows: [{ ...flow(), count: 0 }] })).status).toBe(401);
    const bad = await post({ flows: [{ ...flow(), count: 0 }] }, tokens.broker);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'flows[0].count', index: 0 });
  });
});
