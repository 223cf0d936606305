/**
 * The two CustomResourceDefinitions, built from the shared schema pieces: the namespaced
 * AuditNetworkPolicy and the cluster-scoped AuditClusterNetworkPolicy, which adds
 * spec.namespaceSelector and a column for it.
 */
import { AUDIT_CLUSTER_NETWORK_POLICY, AUDIT_NETWORK_POLICY, GROUP, VERSION, type CrdNames } from '../../contracts/audit-policy-api.js';
import { AUDIT_POLICY_STATUS_SCHEMA } from '../../contracts/audit-policy-status.js';
import { networkPolicyProperties } from './networkpolicy.js';
import { labelSelector } from './selector.js';
import type { FromSchema } from '../../contracts/structural-schema.js';
import type { PrinterColumn, Schema } from './types.js';


const podSelectorColumn: PrinterColumn = {
  name: 'Pod-Selector',
  type: 'string',
  jsonPath: '.spec.podSelector',
  description: 'The pods the policy selects.',
};

/**
 * A column cannot compare two fields, so SYNCED shows the Synced condition, which the
 * evaluator keeps equal to "observedGeneration == generation"; -o wide shows both numbers.
 */
const statusColumns: PrinterColumn[] = [
  { name: 'Would-Deny', type: 'integer', jsonPath: '.status.evaluation.flowsWouldDeny', description: 'Flows in the window the policy would deny.' },
  { name: 'Allowed', type: 'integer', jsonPath: '.status.evaluation.flowsAllowed', description: 'Flows in the window the policy would allow.' },
  { name: 'Synced', type: 'string', jsonPath: '.status.conditions[?(@.type=="Synced")].status', description: 'Whether the evaluation reflects the current spec.' },
  { name: 'Last-Evaluated', type: 'date', jsonPath: '.status.evaluation.lastEvaluated', description: 'When the counts were last computed.' },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Time since the policy was created.' },
  { name: 'Window', type: 'string', jsonPath: '.status.evaluation.window', description: 'Length of the rolling window.', priority: 1 },
  { name: 'Generation', type: 'integer', jsonPath: '.metadata.generation', description: 'The current spec generation.', priority: 1 },
  { name: 'Observed', type: 'integer', jsonPath: '.status.observedGeneration', description: 'The generation the evaluation reflects.', priority: 1 },
];

/** The whole object's schema (openAPIV3Schema): the API server's metadata, the spec, the evaluator's status. */
function objectSchema(spec: Schema, description: string): Schema {
  return {
    type: 'object',
    description,
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec,
      status: AUDIT_POLICY_STATUS_SCHEMA,
    },
  };
}

function crd(names: CrdNames, schema: Schema, columns: PrinterColumn[]): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${names.plural}.${GROUP}` },
    spec: {
      group: GROUP,
      names: {
        kind: names.kind,
        listKind: `${names.kind}List`,
        plural: names.plural,
        singular: names.singular,
        shortNames: [names.shortName],
        categories: ['kguardian'],
      },
      scope: names.scope,
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: columns,
          schema: { openAPIV3Schema: schema },
        },
      ],
    },
  };
}

/** AuditClusterNetworkPolicy's spec properties: a NetworkPolicy spec's, plus the namespaces it covers. */
function clusterSpecProperties() {
  return {
    namespaceSelector: labelSelector('namespaceSelector chooses the namespaces the policy applies in; unset or empty means all.'),
    ...networkPolicyProperties(),
  };
}

/** The spec AuditClusterNetworkPolicy's CRD admits. */
export type ClusterNetworkPolicySpecSchema = FromSchema<{ type: 'object'; properties: ReturnType<typeof clusterSpecProperties> }>;

/** The openAPIV3Schema of AuditNetworkPolicy. */
export function auditNetworkPolicySchema(): Schema {
  return objectSchema(
    {
      type: 'object',
      description: 'Exactly a networking.k8s.io/v1 NetworkPolicy spec.',
      properties: networkPolicyProperties(),
    },
    'A NetworkPolicy in audit mode: kguardian reports the flows it would deny, and drops nothing. Promote it by changing apiVersion and kind to networking.k8s.io/v1 NetworkPolicy.',
  );
}

/** The openAPIV3Schema of AuditClusterNetworkPolicy. */
export function auditClusterNetworkPolicySchema(): Schema {
  return objectSchema(
    {
      type: 'object',
      description: 'A NetworkPolicy spec applied in every namespace that namespaceSelector matches.',
      properties: clusterSpecProperties(),
    },
    'A NetworkPolicy in audit mode across namespaces: kguardian evaluates it in every matching namespace and drops nothing.',
  );
}

export function auditNetworkPolicyCrd(): Record<string, unknown> {
  return crd(AUDIT_NETWORK_POLICY, auditNetworkPolicySchema(), [podSelectorColumn, ...statusColumns]);
}

export function auditClusterNetworkPolicyCrd(): Record<string, unknown> {
  return crd(
    AUDIT_CLUSTER_NETWORK_POLICY,
    auditClusterNetworkPolicySchema(),
    [
      podSelectorColumn,
      { name: 'Namespace-Selector', type: 'string', jsonPath: '.spec.namespaceSelector', description: 'The namespaces the policy applies in.' },
      ...statusColumns,
    ],
  );
}
