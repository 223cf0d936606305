/**
 * `describe` against the real API server: golden text for an AuditNetworkPolicy with
 * offenders and Events from both Event APIs, and for an AuditClusterNetworkPolicy that lags
 * its spec; the structured form; the kind spellings; and the errors (not found, RBAC on the
 * policy, RBAC on Events only).
 */
import { CoreV1Api, EventsV1Api, RbacAuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';
import yaml from 'js-yaml';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { kubeConfig, kubeconfigPath } from '../../test/kube/client.js';
import { installCrds } from '../../test/kube/crds.js';
import { createTestNamespace } from '../../test/kube/namespace.js';
import type { DescribeModel } from '../describe/model.js';
import { GROUP } from '../../contracts/audit-policy-api.js';
import { ACNP, ANP, type AuditPolicy, type Offender } from '../kube/objects.js';
import { BROKEN_PIPE_EXIT } from '../broken-pipe.js';
import { memoryIO } from '../io.js';
import { runCli } from '../main.js';
import { runWithClosedPipe } from '../testing/closed-pipe.js';
import { cli, createAudit, evaluatedStatus, isoAgo, patchAudit, serviceAccountKubeconfig, writeStatus } from '../testing/test-cluster.js';

const MINUTE = 60_000;
let kc: KubeConfig;
let ns: string;

const run = (args: string[]): ReturnType<typeof cli> => cli(kubeconfigPath(), args);

// Offender endpoints are data in the status; their namespaces need not exist.
const OFFENDERS: Offender[] = [
  { source: { namespace: 'web', pod: 'web-6c4d', ip: '10.244.1.7' }, destination: { namespace: 'prod', pod: 'payments-0' }, port: 8080, protocol: 'TCP', direction: 'Ingress', count: 12, lastSeen: isoAgo(7 * MINUTE), states: { refused: 9, attempt: 3 } },
  { source: { namespace: 'prod', pod: 'payments-0' }, destination: { ip: '203.0.113.9' }, port: 443, protocol: 'TCP', direction: 'Egress', count: 2, lastSeen: isoAgo(50 * MINUTE), states: { attempt: 2 } },
];

const SPEC = {
  podSelector: { matchLabels: { app: 'payments' } },
  policyTypes: ['Ingress', 'Egress'],
  ingress: [{ from: [{ podSelector: { matchLabels: { tier: 'frontend' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
  egress: [
    { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }] },
  ],
};

async function withEvents(p: AuditPolicy): Promise<void> {
  const namespace = p.metadata.namespace ?? 'default';
  const ref = { apiVersion: `${GROUP}/v1alpha1`, kind: p.kind, name: p.metadata.name, namespace: p.metadata.namespace, uid: p.metadata.uid };
  await kc.makeApiClient(CoreV1Api).createNamespacedEvent({
    namespace,
    body: {
      metadata: { name: `${p.metadata.name}.core` },
      involvedObject: ref,
      type: 'Warning',
      reason: 'WouldDeny',
      message: 'web/web-6c4d -> prod/payments-0 8080/TCP would be denied',
      count: 12,
      firstTimestamp: new Date(Date.now() - 30 * MINUTE),
      lastTimestamp: new Date(Date.now() - 10 * MINUTE),
      source: { component: 'kguardian-evaluator' },
    },
  });
  await kc.makeApiClient(EventsV1Api).createNamespacedEvent({
    namespace,
    body: {
      metadata: { name: `${p.metadata.name}.events` },
      regarding: ref,
      type: 'Normal',
      reason: 'Evaluated',
      note: 'Evaluated generation 1 over the last 15m',
      action: 'Evaluate',
      // MicroTime wants six fractional digits, which the client's Date serialisation does not give.
      eventTime: isoAgo(20 * MINUTE).replace('Z', '.000000Z') as unknown as Date,
      reportingController: 'kguardian.dev/evaluator',
      reportingInstance: 'evaluator-0',
    },
  });
}

beforeAll(async () => {
  kc = kubeConfig();
  await installCrds(kc);
});

beforeEach(async () => {
  ns = await createTestNamespace(kc, 'describe');
});

describe('describe', () => {
  it('an AuditNetworkPolicy with offenders and Events from both Event APIs (golden)', async () => {
    const created = await createAudit(kc, ANP, { metadata: { name: 'payments', namespace: ns, labels: { team: 'payments' } }, spec: SPEC });
    const p = await writeStatus(kc, ANP, created, evaluatedStatus(1, { wouldDeny: 14, offenders: OFFENDERS, degraded: '2 flows had a peer with no known pod.' }));
    await withEvents(p);
    const r = await run(['describe', 'payments', '-n', ns]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    await expect(r.out.replaceAll(ns, 'NAMESPACE')).toMatchFileSnapshot('__golden__/describe.anp.txt');
  });

  it.each([{ columns: 60 }, { columns: 100 }, { columns: 120 }])('every line fits $columns columns, the command to copy too (split with line continuations)', async ({ columns }) => {
    const created = await createAudit(kc, ANP, { metadata: { name: 'payments', namespace: ns, labels: { team: 'payments' } }, spec: SPEC });
    const p = await writeStatus(kc, ANP, created, evaluatedStatus(1, { wouldDeny: 14, offenders: OFFENDERS, degraded: '2 flows had a peer with no known pod, so the counts of this policy may be lower than they will be once it is enforced.' }));
    await withEvents(p);
    const io = { ...memoryIO(), env: { COLUMNS: String(columns) } };
    expect(await runCli(['--kubeconfig', kubeconfigPath(), 'describe', 'payments', '-n', ns], io)).toBe(0);
    const long = io.out().split('\n').filter((l) => l.length > columns);
    expect(long).toEqual([]);
    // Wrapped, not cut: the whole message is still there.
    expect(io.out().replace(/\s+/g, ' ')).toContain('2 flows had a peer with no known pod, so the counts of this policy may be lower than they will be once it is enforced.');
  });

  it('an AuditClusterNetworkPolicy whose evaluation lags its spec (golden)', async () => {
    const name = `platform-${ns}`;
    const created = await createAudit(kc, ACNP, { metadata: { name }, spec: { namespaceSelector: { matchLabels: { team: 'platform' } }, podSelector: {}, policyTypes: ['Ingress'] } });
    await writeStatus(kc, ACNP, created, evaluatedStatus(1));
    await patchAudit(kc, ACNP, created, { spec: { policyTypes: ['Ingress', 'Egress'] } });
    const r = await run(['describe', 'kgacnp', name]);
    expect(r.code).toBe(0);
    await expect(r.out.replaceAll(ns, 'NAMESPACE')).toMatchFileSnapshot('__golden__/describe.acnp.txt');
  });

  it.each([{ form: ['kganp', 'payments'] }, { form: ['kganp/payments'] }, { form: ['auditnetworkpolicy/payments'] }])('accepts $form', async ({ form }) => {
    await createAudit(kc, ANP, { metadata: { name: 'payments', namespace: ns }, spec: SPEC });
    const r = await run(['describe', ...form, '-n', ns]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Name:             payments\nNamespace:        ${ns}\n`);
  });

  it('-o json and -o yaml carry each top offender\'s count per connection state, as the status holds it', async () => {
    const created = await createAudit(kc, ANP, { metadata: { name: 'payments', namespace: ns }, spec: SPEC });
    await writeStatus(kc, ANP, created, evaluatedStatus(1, { wouldDeny: 14, offenders: OFFENDERS }));
    const model = JSON.parse((await run(['describe', 'payments', '-n', ns, '-o', 'json'])).out) as DescribeModel;
    expect(model.topOffenders.map((o) => [o.source.pod, o.count, o.states])).toEqual([['web-6c4d', 12, { refused: 9, attempt: 3 }], ['payments-0', 2, { attempt: 2 }]]);
    expect((yaml.load((await run(['describe', 'payments', '-n', ns, '-o', 'yaml'])).out) as DescribeModel).topOffenders).toEqual(model.topOffenders);
  });

  it('-o json gives the structured form, with the promote verdict of the safety gate', async () => {
    const created = await createAudit(kc, ANP, { metadata: { name: 'payments', namespace: ns }, spec: SPEC });
    await writeStatus(kc, ANP, created, evaluatedStatus(1));
    const r = await run(['describe', 'payments', '-n', ns, '-o', 'json']);
    const model = JSON.parse(r.out) as DescribeModel;
    expect(model).toMatchObject({
      kind: 'AuditNetworkPolicy',
      podSelector: 'app=payments',
      generation: 1,
      observedGeneration: 1,
      synced: true,
      evaluation: { window: '15m', flowsWouldDeny: 0 },
      promotion: { safe: true, problems: [] },
    });
    expect(model.ingress).toEqual([{ rule: 0, peers: "pods tier=frontend in the policy's namespace", ports: '8080/TCP' }]);
    const asYaml = await run(['describe', 'payments', '-n', ns, '-o', 'yaml']);
    expect(yaml.load(asYaml.out)).toEqual(model);
  });

  it.each([{ output: 'text' }, { output: 'json' }])('`describe -o $output | true` exits quietly (141)', async ({ output }) => {
    const created = await createAudit(kc, ANP, { metadata: { name: 'payments', namespace: ns }, spec: SPEC });
    await writeStatus(kc, ANP, created, evaluatedStatus(1, { wouldDeny: 14, offenders: OFFENDERS }));
    const r = await runWithClosedPipe(['describe', 'payments', '-n', ns, '-o', output, '--kubeconfig', kubeconfigPath()], { close: 'start' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(BROKEN_PIPE_EXIT);
  });
});

describe('describe errors', () => {
  it('not found: names the namespace searched and suggests -A', async () => {
    const r = await run(['describe', 'nope', '-n', ns]);
    expect(r).toEqual({ code: 1, out: '', err: `error: AuditNetworkPolicy "nope" not found in namespace "${ns}" (context kg). List them with 'kubectl get kganp -A', or pass -n NAMESPACE.\n` });
  });

  it('RBAC forbids reading the policy: names verb and resource', async () => {
    const sa = await serviceAccountKubeconfig(kc, ns, 'nobody');
    const r = await cli(sa, ['describe', 'payments']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`error: forbidden: you may not get auditnetworkpolicies.kguardian.dev "payments" in namespace "${ns}" (context sa).`);
  });

  it('RBAC forbids Events only: describes the policy and says why Events are missing', async () => {
    await createAudit(kc, ANP, { metadata: { name: 'payments', namespace: ns }, spec: SPEC });
    const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({ namespace: ns, body: { metadata: { name: 'reader' }, rules: [{ apiGroups: [GROUP], resources: [ANP.plural], verbs: ['get'] }] } });
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: { metadata: { name: 'reader' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' }, subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: ns }] },
    });
    const sa = await serviceAccountKubeconfig(kc, ns, 'reader');
    const r = await cli(sa, ['describe', 'payments']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Events:           events could not be read in namespace ${ns} (context sa): `);
  });
});
