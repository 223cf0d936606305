// Every Role and ClusterRole the chart renders, rule for rule, and who each is bound to: a rule
// added, widened or dropped fails here. The contract is the RBAC table of docs/install.md: least
// privilege, each rule there for a reason it states.
import { beforeAll, describe, expect, it } from 'vitest';
import { find, parseObjects, renderChart, type K8sObject } from './testing/helm.js';

interface Rule {
  apiGroups: string[];
  resources: string[];
  resourceNames?: string[];
  verbs: string[];
}

interface RoleRow {
  kind: 'ClusterRole' | 'Role';
  name: string;
  rules: Rule[];
  /** The ServiceAccount bound to it; undefined for roles people bind themselves. */
  boundTo?: string;
  aggregateTo?: string[];
}

const KG = 'kguardian.dev';
const reviews: Rule[] = [
  { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
  { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
];

const roles: RoleRow[] = [
  {
    kind: 'ClusterRole',
    name: 'kguardian-agent',
    boundTo: 'kguardian-agent',
    rules: [
      { apiGroups: [KG], resources: ['flows'], verbs: ['create'] },
      { apiGroups: [''], resources: ['pods', 'nodes'], verbs: ['list', 'watch'] },
    ],
  },
  {
    kind: 'ClusterRole',
    name: 'kguardian-broker',
    boundTo: 'kguardian-broker',
    rules: [{ apiGroups: [KG], resources: ['evaluations'], verbs: ['create'] }, ...reviews],
  },
  {
    kind: 'ClusterRole',
    name: 'kguardian-evaluator',
    boundTo: 'kguardian-evaluator',
    rules: [
      { apiGroups: [KG], resources: ['replays'], verbs: ['create', 'get'] },
      { apiGroups: [KG], resources: ['auditverdicts'], verbs: ['get'] },
      ...reviews,
      { apiGroups: [''], resources: ['namespaces', 'pods', 'services'], verbs: ['list', 'watch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
      { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['list', 'watch'] },
      { apiGroups: [KG], resources: ['auditnetworkpolicies', 'auditclusternetworkpolicies'], verbs: ['list', 'watch'] },
      { apiGroups: [KG], resources: ['auditnetworkpolicies/status', 'auditclusternetworkpolicies/status'], verbs: ['get', 'patch', 'update'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
      { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
    ],
  },
  // Leader election: a namespaced Role, never cluster-wide.
  {
    kind: 'Role',
    name: 'kguardian-evaluator',
    boundTo: 'kguardian-evaluator',
    rules: [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create', 'get', 'update'] }],
  },
  {
    kind: 'ClusterRole',
    name: 'kguardian-verdict-reader',
    rules: [
      { apiGroups: [KG], resources: ['auditverdicts'], verbs: ['get'] },
      { apiGroups: [KG], resources: ['auditnetworkpolicies', 'auditclusternetworkpolicies'], verbs: ['get', 'list', 'watch'] },
    ],
  },
  // What the plugin's port-forward to the broker needs, in the release namespace; people bind it.
  {
    kind: 'Role',
    name: 'kguardian-broker-access',
    rules: [
      { apiGroups: [''], resources: ['services'], resourceNames: ['kguardian-broker'], verbs: ['get'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
      { apiGroups: [''], resources: ['pods/portforward'], verbs: ['create', 'get'] },
    ],
  },
  {
    kind: 'ClusterRole',
    name: 'kguardian-policy-editor',
    aggregateTo: ['admin', 'edit'],
    rules: [
      { apiGroups: [KG], resources: ['auditnetworkpolicies'], verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] },
      { apiGroups: [KG], resources: ['auditclusternetworkpolicies'], verbs: ['get', 'list', 'watch'] },
    ],
  },
];

/** Rules with their lists sorted, so the order a template writes them in does not matter. */
function normalise(rules: Rule[]): Rule[] {
  return rules.map((r) => ({ apiGroups: [...r.apiGroups].sort(), resources: [...r.resources].sort(), ...(r.resourceNames ? { resourceNames: [...r.resourceNames].sort() } : {}), verbs: [...r.verbs].sort() }));
}

interface Binding extends K8sObject {
  roleRef: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
}

describe('RBAC', () => {
  let objects: K8sObject[] = [];
  beforeAll(async () => {
    objects = parseObjects(await renderChart({}, 'kg-system'));
  });

  it('renders exactly these roles', () => {
    const rendered = objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole').map((o) => `${o.kind}/${o.metadata.name}`);
    expect(rendered.sort()).toEqual(roles.map((r) => `${r.kind}/${r.name}`).sort());
  });

  it.each(roles)('$kind $name has exactly its rules', (row) => {
    const role = find(objects, row.kind, row.name) as K8sObject & { rules: Rule[] };
    expect(normalise(role.rules)).toEqual(normalise(row.rules));
    if (row.kind === 'Role') expect(role.metadata.namespace).toBe('kg-system');
  });

  it.each(roles)('$kind $name is bound to $boundTo and nothing else', (row) => {
    const bindingKind = row.kind === 'Role' ? 'RoleBinding' : 'ClusterRoleBinding';
    const bindings = objects.filter((o): o is Binding => o.kind === bindingKind && (o as Binding).roleRef.name === row.name);
    const subjects = bindings.flatMap((b) => b.subjects ?? []);
    expect(subjects).toEqual(row.boundTo ? [{ kind: 'ServiceAccount', name: row.boundTo, namespace: 'kg-system' }] : []);
  });

  it.each(roles)('$kind $name aggregates into $aggregateTo', (row) => {
    const labels = find(objects, row.kind, row.name).metadata.labels ?? {};
    const into = Object.entries(labels)
      .filter(([k, v]) => k.startsWith('rbac.authorization.k8s.io/aggregate-to-') && v === 'true')
      .map(([k]) => k.slice('rbac.authorization.k8s.io/aggregate-to-'.length));
    expect(into.sort()).toEqual(row.aggregateTo ?? []);
  });

  it('the agent reads Nodes only for remote identity (agent.remoteIdentity=false: pods only)', async () => {
    const off = parseObjects(await renderChart({ agent: { remoteIdentity: false } }, 'kg-system'));
    const role = find(off, 'ClusterRole', 'kguardian-agent') as K8sObject & { rules: Rule[] };
    expect(normalise(role.rules)).toEqual(normalise([
      { apiGroups: ['kguardian.dev'], resources: ['flows'], verbs: ['create'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
    ]));
  });

  it('no rule anywhere uses a wildcard', () => {
    const all = objects.flatMap((o) => (o.kind === 'Role' || o.kind === 'ClusterRole' ? (o as K8sObject & { rules: Rule[] }).rules : []));
    for (const r of all) expect([...r.apiGroups, ...r.resources, ...r.verbs]).not.toContain('*');
  });
});
