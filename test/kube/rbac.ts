/**
 * The RBAC the integration tests grant their ServiceAccounts, as YAML for applyManifest: the rules
 * kguardian's authorization asks for (the broker's SubjectAccessReviews) and what the plugin's
 * port-forward to the broker needs, written once so a test states only who may do what.
 */

/** Rules as YAML flow mappings, one a rule. */
export const RULES = {
  readVerdicts: '{ apiGroups: [kguardian.dev], resources: [auditverdicts], verbs: [get] }',
  readFlows: '{ apiGroups: [kguardian.dev], resources: [flows], verbs: [get] }',
  writeFlows: '{ apiGroups: [kguardian.dev], resources: [flows], verbs: [create] }',
  /** What `kubectl kguardian` needs to reach the broker through the API server (a port-forward). */
  portForward: [
    '{ apiGroups: [""], resources: [services], verbs: [get] }',
    '{ apiGroups: [discovery.k8s.io], resources: [endpointslices], verbs: [list] }',
    '{ apiGroups: [""], resources: [pods], verbs: [list, get] }',
    '{ apiGroups: [""], resources: [pods/portforward], verbs: [create, get] }',
  ],
} as const;

/** ServiceAccounts named `names`, in the namespace the manifest is applied to. */
export function serviceAccounts(...names: string[]): string {
  return names.map((n) => `apiVersion: v1\nkind: ServiceAccount\nmetadata: { name: ${n} }\n`).join('---\n');
}

export interface Grant {
  /** The role's name; a ClusterRole's is prefixed with `namespace`, so tests running side by side do not share one. */
  role: string;
  /** The namespace of the ServiceAccounts (and of a Role: apply the manifest there). */
  namespace: string;
  to: string[];
  rules: readonly string[];
  /** A ClusterRole and ClusterRoleBindings (cluster-wide reads, flows) instead of a Role in `namespace`. */
  cluster?: boolean;
}

/** A Role (or ClusterRole) with `rules`, and one binding for each ServiceAccount in `to`. */
export function grant({ role, namespace, to, rules, cluster = false }: Grant): string {
  const kind = cluster ? 'ClusterRole' : 'Role';
  const name = cluster ? `${namespace}-${role}` : role;
  const docs = [`apiVersion: rbac.authorization.k8s.io/v1\nkind: ${kind}\nmetadata: { name: ${name} }\nrules:\n${rules.map((r) => `  - ${r}\n`).join('')}`];
  for (const sa of to) {
    docs.push(
      `apiVersion: rbac.authorization.k8s.io/v1\nkind: ${kind}Binding\nmetadata: { name: ${name}-${sa} }\n` +
        `roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ${kind}, name: ${name} }\n` +
        `subjects: [{ kind: ServiceAccount, name: ${sa}, namespace: ${namespace} }]\n`,
    );
  }
  return docs.join('---\n');
}

/** Documents joined into one manifest. */
export function manifest(...docs: string[]): string {
  return docs.join('---\n');
}
