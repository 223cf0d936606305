// The chart against a real API server (the test control plane, Kubernetes 1.36): every rendered
// object of every value combination, and the plain manifests, pass `kubectl apply
// --dry-run=server --validate=strict` (defaulting, schema, admission) once the CRDs are installed for
// real. Then the RBAC is applied for real, and SubjectAccessReviews ask the API server what each
// ServiceAccount may do: exactly the checks the broker and the evaluator make.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeConfig, kubeconfigPath, kubectl } from '../test/kube/client.js';
import { installCrds } from '../test/kube/crds.js';
import { createTestNamespace, deleteTestNamespace } from '../test/kube/namespace.js';
import { CHART, REPO, find, helmWithValues, parseObjects, renderChart, type K8sObject } from './testing/helm.js';

const combinations: { title: string; values: object }[] = [
  { title: 'default values', values: {} },
  { title: 'an external database', values: { database: { type: 'external', external: { existingSecret: 'pg-url' } } } },
  { title: 'one evaluator', values: { evaluator: { replicas: 1 } } },
  { title: 'three evaluators', values: { evaluator: { replicas: 3 } } },
  { title: 'node CIDRs and extra peers', values: { networkPolicy: { nodeCIDRs: ['10.0.0.0/16', 'fd00::/64'], extraFrom: [{ namespaceSelector: {} }] } } },
  { title: 'CAP_SYS_RESOURCE, a Localhost seccomp profile, pull secrets', values: { agent: { sysResource: true, seccompProfile: { type: 'Localhost', localhostProfile: 'kguardian-agent.json' } }, imagePullSecrets: [{ name: 'regcred' }] } },
];

async function dryRun(yamlText: string): Promise<{ code: number; applied: string[]; stderr: string }> {
  const r = await kubectl(['apply', '--dry-run=server', '--validate=strict', '-f', '-'], yamlText);
  return { code: r.code, applied: r.stdout.split('\n').filter((l) => l.includes('(server dry run)')), stderr: r.stderr };
}

describe('the chart on a real API server', () => {
  const kc = kubeConfig();
  let ns = '';
  beforeAll(async () => {
    await installCrds(kc);
    ns = await createTestNamespace(kc, 'helm');
  });
  afterAll(async () => {
    if (ns) await deleteTestNamespace(kc, ns);
  });

  it.each(combinations)('kubectl apply --dry-run=server accepts every object: $title', async ({ values }) => {
    const text = await renderChart(values, ns);
    const { code, applied, stderr } = await dryRun(text);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(applied).toHaveLength(parseObjects(text).length);
  });

  it('a broken object is refused, so the dry run does validate', async () => {
    const text = (await renderChart({}, ns)).replace('dnsPolicy: ClusterFirstWithHostNet', 'dnsPolicy: ClusterFirstWithHostNet\n      hostNetworking: true');
    const { code, stderr } = await dryRun(text);
    expect(code).not.toBe(0);
    expect(stderr).toContain('unknown field "spec.template.spec.hostNetworking"');
  });

  it('the plain manifests apply as they are, CRDs included', async () => {
    const ensure = await kubectl(['create', 'namespace', 'kguardian']);
    expect(ensure.code === 0 || ensure.stderr.includes('AlreadyExists')).toBe(true);
    const text = readFileSync(join(REPO, 'deploy', 'manifests', 'kguardian.yaml'), 'utf8');
    const { code, applied, stderr } = await dryRun(text);
    expect(stderr.split('\n').filter((l) => l && !l.includes('last-applied-configuration'))).toEqual([]);
    expect(code).toBe(0);
    expect(applied).toHaveLength(parseObjects(text).length);
  });
});

interface AccessRow {
  who: 'agent' | 'broker' | 'evaluator' | 'reader';
  verb: string;
  resource: string;
  group: string;
  /** Omitted: cluster-wide. "release": the release namespace. */
  namespace?: string;
  subresource?: string;
  /** The object's name; "broker": the chart's broker Service. */
  name?: string;
  allowed: boolean;
}

const KG = 'kguardian.dev';
const access: AccessRow[] = [
  { who: 'agent', verb: 'create', resource: 'flows', group: KG, allowed: true },
  { who: 'agent', verb: 'watch', resource: 'pods', group: '', allowed: true },
  { who: 'agent', verb: 'get', resource: 'auditverdicts', group: KG, allowed: false },
  { who: 'agent', verb: 'get', resource: 'secrets', group: '', namespace: 'release', allowed: false },
  { who: 'broker', verb: 'create', resource: 'evaluations', group: KG, allowed: true },
  { who: 'broker', verb: 'create', resource: 'tokenreviews', group: 'authentication.k8s.io', allowed: true },
  { who: 'broker', verb: 'create', resource: 'subjectaccessreviews', group: 'authorization.k8s.io', allowed: true },
  { who: 'broker', verb: 'list', resource: 'pods', group: '', allowed: false },
  { who: 'broker', verb: 'create', resource: 'flows', group: KG, allowed: false },
  { who: 'evaluator', verb: 'create', resource: 'replays', group: KG, allowed: true },
  { who: 'evaluator', verb: 'get', resource: 'auditverdicts', group: KG, namespace: 'prod', allowed: true },
  { who: 'evaluator', verb: 'patch', resource: 'auditnetworkpolicies', subresource: 'status', group: KG, namespace: 'prod', allowed: true },
  { who: 'evaluator', verb: 'update', resource: 'auditnetworkpolicies', group: KG, namespace: 'prod', allowed: false },
  { who: 'evaluator', verb: 'watch', resource: 'endpointslices', group: 'discovery.k8s.io', allowed: true },
  { who: 'evaluator', verb: 'create', resource: 'events', group: 'events.k8s.io', namespace: 'prod', allowed: true },
  { who: 'evaluator', verb: 'update', resource: 'leases', group: 'coordination.k8s.io', namespace: 'release', allowed: true },
  // Leader election is confined to the release namespace.
  { who: 'evaluator', verb: 'update', resource: 'leases', group: 'coordination.k8s.io', namespace: 'kube-system', allowed: false },
  { who: 'evaluator', verb: 'create', resource: 'evaluations', group: KG, allowed: false },
  // A user bound to verdict-reader in one namespace (here the release's) reads verdicts and the audit
  // policies there and nowhere else.
  { who: 'reader', verb: 'get', resource: 'auditverdicts', group: KG, namespace: 'release', allowed: true },
  { who: 'reader', verb: 'get', resource: 'auditverdicts', group: KG, namespace: 'prod', allowed: false },
  { who: 'reader', verb: 'list', resource: 'auditnetworkpolicies', group: KG, namespace: 'release', allowed: true },
  { who: 'reader', verb: 'get', resource: 'auditnetworkpolicies', group: KG, namespace: 'release', allowed: true },
  { who: 'reader', verb: 'list', resource: 'auditnetworkpolicies', group: KG, namespace: 'prod', allowed: false },
  { who: 'reader', verb: 'update', resource: 'auditnetworkpolicies', group: KG, namespace: 'release', allowed: false },
  // Bound to broker-access in the release namespace: what the plugin's port-forward to the broker needs.
  { who: 'reader', verb: 'get', resource: 'services', group: '', namespace: 'release', name: 'broker', allowed: true },
  { who: 'reader', verb: 'get', resource: 'services', group: '', namespace: 'release', name: 'kubernetes', allowed: false },
  { who: 'reader', verb: 'list', resource: 'endpointslices', group: 'discovery.k8s.io', namespace: 'release', allowed: true },
  { who: 'reader', verb: 'list', resource: 'pods', group: '', namespace: 'release', allowed: true },
  { who: 'reader', verb: 'create', resource: 'pods', subresource: 'portforward', group: '', namespace: 'release', allowed: true },
  { who: 'reader', verb: 'get', resource: 'pods', subresource: 'portforward', group: '', namespace: 'release', allowed: true },
  { who: 'reader', verb: 'create', resource: 'pods', subresource: 'exec', group: '', namespace: 'release', allowed: false },
  { who: 'reader', verb: 'create', resource: 'pods', subresource: 'portforward', group: '', namespace: 'prod', allowed: false },
  { who: 'reader', verb: 'get', resource: 'secrets', group: '', namespace: 'release', allowed: false },
];

describe('RBAC on a real API server', () => {
  const kc = kubeConfig();
  const release = `kg${randomBytes(3).toString('hex')}`;
  let ns = '';
  beforeAll(async () => {
    ns = await createTestNamespace(kc, 'helm-rbac');
    const rbac = parseObjects(await renderChart({}, ns, release))
      .filter((o) => /^(Cluster)?Role(Binding)?$/.test(o.kind) || o.kind === 'ServiceAccount');
    // The two bindings docs/install.md tells users to make.
    const bindings = [
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'alice-verdicts', namespace: ns },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `${release}-kguardian-verdict-reader` }, subjects: [{ kind: 'User', name: 'alice' }] },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'alice-broker', namespace: ns },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${release}-kguardian-broker-access` }, subjects: [{ kind: 'User', name: 'alice' }] },
    ];
    const r = await kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [...rbac, ...bindings] }));
    expect(r.stderr).toBe('');
  });
  afterAll(async () => {
    if (ns) await deleteTestNamespace(kc, ns);
    await kubectl(['delete', 'clusterrole,clusterrolebinding', '-l', `app.kubernetes.io/instance=${release}`]);
  });

  const rows = access.map((row) => {
    const what = `${row.resource}${row.subresource ? `/${row.subresource}` : ''}${row.group ? `.${row.group}` : ''}${row.name ? ` ${row.name}` : ''}`;
    const where = row.namespace === undefined ? 'cluster-wide' : `in ${row.namespace}`;
    return { ...row, title: `${row.who} ${row.allowed ? 'may' : 'may not'} ${row.verb} ${what} ${where}` };
  });

  it.each(rows)('$title', async (row) => {
    const namespace = row.namespace === 'release' ? ns : row.namespace;
    const name = row.name === 'broker' ? `${release}-kguardian-broker` : row.name;
    const user = row.who === 'reader' ? { user: 'alice' } : { user: `system:serviceaccount:${ns}:${release}-kguardian-${row.who}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`] };
    const review = { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
      spec: { ...user, resourceAttributes: { verb: row.verb, resource: row.resource, group: row.group, namespace, subresource: row.subresource, name } } };
    const r = await kubectl(['create', '-f', '-', '-o', 'jsonpath={.status.allowed}'], JSON.stringify(review));
    expect(r.stderr).toBe('');
    expect(r.stdout === 'true').toBe(row.allowed);
  });
});

describe('the bundled PostgreSQL password on upgrade', () => {
  const kc = kubeConfig();
  let ns = '';
  beforeAll(async () => {
    ns = await createTestNamespace(kc, 'helm-upgrade');
  });
  afterAll(async () => {
    if (ns) await deleteTestNamespace(kc, ns);
  });

  it('is read back from the existing Secret instead of generated anew (helm lookup)', async () => {
    const created = await kubectl(['-n', ns, 'create', 'secret', 'generic', 'kguardian-postgresql', '--from-literal=password=kept-from-the-first-install']);
    expect(created.stderr).toBe('');
    const r = await helmWithValues(['template', 'kguardian', CHART, '--namespace', ns, '--dry-run=server', '--kubeconfig', kubeconfigPath()]);
    expect(r.stderr).toBe('');
    const secret = find(parseObjects(r.stdout), 'Secret', 'kguardian-postgresql') as K8sObject & { data: { password: string } };
    expect(Buffer.from(secret.data.password, 'base64').toString()).toBe('kept-from-the-first-install');
  });
});
