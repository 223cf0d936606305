/**
 * The status of an audit policy, which the evaluator writes through the status subresource: the
 * generation it has evaluated, standard conditions, and the rolling-window evaluation with the
 * flows that would be denied most often. One schema, three readers: the CRDs carry it
 * (crds/schema/crd.ts), and the evaluator's status document and the plugin's view of the objects
 * take their types from it (FromSchema), so a field added here reaches all three at typecheck.
 */
import { QUALIFIED_NAME_PREFIX_PATTERN } from './kube-names.js';
import type { FromSchema, Schema } from './structural-schema.js';

/** The most offenders a status lists. */
export const MAX_OFFENDERS = 20;

/** metav1.Condition, as every Kubernetes API writes it. */
const condition = {
  type: 'object',
  description: 'One aspect of the policy\'s state (metav1.Condition).',
  required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'],
  properties: {
    type: {
      type: 'string',
      maxLength: 316,
      pattern: `^${QUALIFIED_NAME_PREFIX_PATTERN}(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$`,
      description: 'type of condition in CamelCase: Ready, Synced, Evaluating or Degraded.',
    },
    status: { type: 'string', enum: ['True', 'False', 'Unknown'], description: 'status of the condition.' },
    observedGeneration: {
      type: 'integer',
      format: 'int64',
      minimum: 0,
      description: 'observedGeneration is the metadata.generation the condition was set for.',
    },
    lastTransitionTime: { type: 'string', format: 'date-time', description: 'When the status last changed.' },
    reason: {
      type: 'string',
      minLength: 1,
      maxLength: 1024,
      pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
      description: 'A CamelCase word saying why, such as PeerIdentityUnknown.',
    },
    message: { type: 'string', maxLength: 32768, description: 'A sentence for people.' },
  },
} as const satisfies Schema;

const endpoint = (side: string) => ({
  type: 'object',
  description: `The ${side} of the flow: a pod, an IP address, or both.`,
  properties: {
    namespace: { type: 'string', maxLength: 63, description: 'namespace of the pod.' },
    pod: { type: 'string', maxLength: 253, description: 'name of the pod.' },
    ip: {
      type: 'string',
      maxLength: 45,
      description: 'IP address as observed.',
      'x-kubernetes-validations': [{ rule: 'isIP(self)', message: 'ip must be an IPv4 or IPv6 address.' }],
    },
  },
  'x-kubernetes-validations': [
    { rule: 'has(self.pod) || has(self.ip)', message: 'A flow endpoint must name a pod or an IP address.' },
    { rule: '!has(self.pod) || has(self.namespace)', message: 'A pod must be named with its namespace.', fieldPath: '.namespace' },
  ],
}) as const satisfies Schema;

const count = (description: string) => ({ type: 'integer', format: 'int64', minimum: 0, description }) as const satisfies Schema;

/** The counting unit, said once for every count of the status (docs/agent.md, "What a count counts"). */
const UNIT =
  'Counted in conversations: a TCP connection (or refused or timed-out attempt) counts once; a UDP flow (one address and port pair, a request and its reply together) counts once per agent bucket (10s by default) in which it carried datagrams.';

const offender = {
  type: 'object',
  description: 'A flow the policy would deny, aggregated over the window.',
  required: ['source', 'destination', 'port', 'protocol', 'direction', 'count', 'lastSeen'],
  properties: {
    source: endpoint('source'),
    destination: endpoint('destination'),
    port: { type: 'integer', format: 'int32', minimum: 1, maximum: 65535, description: 'Destination port.' },
    protocol: { type: 'string', enum: ['TCP', 'UDP', 'SCTP'] },
    direction: {
      type: 'string',
      enum: ['Ingress', 'Egress'],
      description: 'The direction of the policy that would deny the flow.',
    },
    count: { type: 'integer', format: 'int64', minimum: 1, description: `How many times the flow was seen in the window. ${UNIT}` },
    lastSeen: { type: 'string', format: 'date-time', description: 'When the flow was last seen.' },
    states: {
      type: 'object',
      description: 'count split by connection state as the agent saw it; states with none are left out.',
      properties: {
        established: count('TCP connections that were established.'),
        attempt: count('TCP connections attempted and never established (timed out, or still unanswered).'),
        refused: count('TCP connections refused (reset).'),
        seen: count('UDP flows (no connection state).'),
        unknown: count('Verdicts stored before the state was kept.'),
      },
    },
  },
} as const satisfies Schema;

const evaluation = {
  type: 'object',
  description: 'What the policy would have done to the traffic seen in the rolling window.',
  properties: {
    window: {
      type: 'string',
      maxLength: 32,
      pattern: '^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+$',
      description: 'Length of the rolling window, as a duration such as 15m or 1h.',
    },
    lastEvaluated: { type: 'string', format: 'date-time', description: 'When the counts were last computed.' },
    flowsEvaluated: count(`Flows the policy was evaluated against. ${UNIT}`),
    flowsAllowed: count('Flows the policy would allow, in the same unit as flowsEvaluated.'),
    flowsWouldDeny: count('Flows the policy would deny, in the same unit as flowsEvaluated.'),
    topOffenders: {
      type: 'array',
      maxItems: MAX_OFFENDERS,
      'x-kubernetes-list-type': 'atomic',
      items: offender,
      description: `The flows that would be denied most often, most frequent first (at most ${MAX_OFFENDERS}).`,
    },
  },
} as const satisfies Schema;

/** The openAPIV3Schema of `.status`, as both CRDs carry it. */
export const AUDIT_POLICY_STATUS_SCHEMA = {
  type: 'object',
  description: 'Written by the kguardian evaluator; never by users.',
  properties: {
    observedGeneration: {
      type: 'integer',
      format: 'int64',
      minimum: 0,
      description: 'The metadata.generation the evaluation below reflects.',
    },
    conditions: {
      type: 'array',
      maxItems: 16,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['type'],
      items: condition,
      description:
        'Ready: the spec compiled and is being evaluated. Synced: observedGeneration equals metadata.generation. Evaluating: a re-evaluation is in progress. Degraded: some flows lacked peer identity (reason PeerIdentityUnknown), so the counts may be low.',
    },
    evaluation,
  },
  'x-kubernetes-validations': [
    {
      rule:
        "!has(self.conditions) || self.conditions.all(c, c.type != 'Synced' || c.status != 'True' || " +
        '(has(self.observedGeneration) && has(c.observedGeneration) && c.observedGeneration == self.observedGeneration))',
      message: 'A Synced condition that is True must carry the same observedGeneration as the status.',
      fieldPath: '.conditions',
    },
  ],
} as const satisfies Schema;

export type AuditPolicyStatus = FromSchema<typeof AUDIT_POLICY_STATUS_SCHEMA>;
export type StatusCondition = FromSchema<typeof condition>;
export type StatusEvaluation = FromSchema<typeof evaluation>;
export type StatusOffender = FromSchema<typeof offender>;
export type StatusEndpoint = FromSchema<ReturnType<typeof endpoint>>;
