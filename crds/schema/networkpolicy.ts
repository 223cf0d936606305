/**
 * The spec of networking.k8s.io/v1 NetworkPolicy, field for field, so that an audit policy
 * promotes to an enforced one by changing only apiVersion and kind. Upstream validates
 * ports, peers and CIDRs in Go; the same checks are CEL rules here, each reported at the
 * field it concerns. List limits (maxItems) are ours: CEL needs them to bound its cost, and
 * they sit far above what a real policy holds.
 */
import { DNS_LABEL_PATTERN } from '../../contracts/kube-names.js';
import { labelSelector } from './selector.js';
import type { FromSchema } from '../../contracts/structural-schema.js';
import type { Schema } from './types.js';

const MAX_RULES = 64;
const MAX_PEERS = 64;
const MAX_PORTS = 64;
const MAX_EXCEPT = 16;
/** "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128" is 49 characters. */
const MAX_CIDR_LENGTH = 49;

const ipBlock = {
  type: 'object',
  description: 'ipBlock selects a range of IP addresses (CIDR), minus the ranges in except.',
  required: ['cidr'],
  properties: {
    cidr: {
      type: 'string',
      maxLength: MAX_CIDR_LENGTH,
      description: 'cidr is the IP range, such as "192.168.1.0/24" or "2001:db8::/64".',
      'x-kubernetes-validations': [
        { rule: 'isCIDR(self)', message: 'cidr must be an IP range in CIDR notation, such as 10.0.0.0/16 or 2001:db8::/64.' },
      ],
    },
    except: {
      type: 'array',
      maxItems: MAX_EXCEPT,
      'x-kubernetes-list-type': 'atomic',
      description: 'except lists ranges inside cidr that the block does not cover.',
      items: {
        type: 'string',
        maxLength: MAX_CIDR_LENGTH,
        'x-kubernetes-validations': [
          { rule: 'isCIDR(self)', message: 'Each except entry must be an IP range in CIDR notation, such as 10.0.1.0/24.' },
        ],
      },
    },
  },
  'x-kubernetes-validations': [
    {
      rule:
        '!has(self.except) || !isCIDR(self.cidr) || self.except.all(e, !isCIDR(e) || ' +
        '(cidr(self.cidr).containsCIDR(e) && cidr(e).prefixLength() > cidr(self.cidr).prefixLength()))',
      message: 'Each except entry must be a strict subset of cidr.',
      fieldPath: '.except',
    },
  ],
} as const satisfies Schema;

const peer = {
  type: 'object',
  description:
    'A peer: pods chosen by podSelector and/or namespaceSelector, or an ipBlock. podSelector alone means pods in the policy\'s namespace; namespaceSelector alone means every pod in the matching namespaces.',
  properties: {
    podSelector: labelSelector('podSelector selects pods; with namespaceSelector, in the namespaces it matches, otherwise in the policy\'s namespace.'),
    namespaceSelector: labelSelector('namespaceSelector selects namespaces; an empty selector selects every namespace.'),
    ipBlock,
  },
  'x-kubernetes-validations': [
    {
      rule: 'has(self.podSelector) || has(self.namespaceSelector) || has(self.ipBlock)',
      message: 'A peer must set podSelector, namespaceSelector or ipBlock.',
      reason: 'FieldValueRequired',
    },
    {
      rule: '!has(self.ipBlock) || !(has(self.podSelector) || has(self.namespaceSelector))',
      message: 'A peer with ipBlock may not also set podSelector or namespaceSelector.',
      fieldPath: '.ipBlock',
      reason: 'FieldValueForbidden',
    },
  ],
} as const satisfies Schema;

const port = {
  type: 'object',
  description: 'A port, or a range of ports, and a protocol.',
  properties: {
    protocol: {
      type: 'string',
      enum: ['TCP', 'UDP', 'SCTP'],
      description: 'protocol is TCP, UDP or SCTP; unset means TCP.',
    },
    port: {
      'x-kubernetes-int-or-string': true,
      anyOf: [{ type: 'integer' }, { type: 'string' }],
      // Numeric and string checks each apply only to a value of their own type.
      minimum: 1,
      maximum: 65535,
      maxLength: 15,
      // A named port is an IANA service name: a DNS-1123 label of at most 15 characters.
      pattern: DNS_LABEL_PATTERN,
      description:
        'port is a port number or a named container port (an IANA service name). Unset means every port.',
      'x-kubernetes-validations': [
        {
          rule: "type(self) != string || (self.matches('[a-z]') && !self.contains('--'))",
          message: 'A named port must contain at least one letter and no two hyphens in a row.',
        },
      ],
    },
    endPort: {
      type: 'integer',
      format: 'int32',
      minimum: 1,
      maximum: 65535,
      description: 'endPort makes the rule cover the range port..endPort inclusive; it needs a numeric port.',
    },
  },
  'x-kubernetes-validations': [
    {
      rule: '!has(self.endPort) || has(self.port)',
      message: 'endPort may only be set together with port.',
      fieldPath: '.endPort',
      reason: 'FieldValueForbidden',
    },
    {
      rule: '!has(self.endPort) || !has(self.port) || type(self.port) == int',
      message: 'endPort needs port to be a number, not a named port.',
      fieldPath: '.endPort',
      reason: 'FieldValueForbidden',
    },
    {
      rule: '!has(self.endPort) || !has(self.port) || type(self.port) != int || self.endPort >= self.port',
      message: 'endPort must be greater than or equal to port.',
      fieldPath: '.endPort',
    },
  ],
} as const satisfies Schema;

interface ListSchema<I extends Schema> {
  type: 'array';
  maxItems: number;
  'x-kubernetes-list-type': 'atomic';
  items: I;
  description: string;
}

function list<I extends Schema>(items: I, maxItems: number, description: string): ListSchema<I> {
  return { type: 'array', maxItems, 'x-kubernetes-list-type': 'atomic', items, description };
}

const ports = list(port, MAX_PORTS, 'ports the rule allows; empty or unset means every port.');

const properties = {
  podSelector: labelSelector(
    'podSelector selects the pods the policy applies to, in the policy\'s namespace; an empty selector selects them all.',
  ),
  policyTypes: {
    type: 'array',
    maxItems: 2,
    'x-kubernetes-list-type': 'atomic',
    items: { type: 'string', enum: ['Ingress', 'Egress'] },
    description:
      'policyTypes lists the directions the policy isolates. Unset means Ingress, plus Egress when egress rules are present.',
    'x-kubernetes-validations': [
      // No reason: FieldValueDuplicate would replace the message with "Duplicate value".
      { rule: 'self.all(t, self.exists_one(u, u == t))', message: 'policyTypes must not list the same type twice.' },
    ],
  },
  ingress: list(
    {
      type: 'object',
      description: 'Traffic to the selected pods that matches both from and ports.',
      properties: {
        from: list(peer, MAX_PEERS, 'from lists the sources allowed; empty or unset means every source.'),
        ports,
      },
    },
    MAX_RULES,
    'ingress rules; a selected pod accepts traffic that matches at least one. Empty isolates the pods for ingress.',
  ),
  egress: list(
    {
      type: 'object',
      description: 'Traffic from the selected pods that matches both to and ports.',
      properties: {
        to: list(peer, MAX_PEERS, 'to lists the destinations allowed; empty or unset means every destination.'),
        ports,
      },
    },
    MAX_RULES,
    'egress rules; a selected pod may send traffic that matches at least one. Empty isolates the pods for egress.',
  ),
} as const satisfies Record<string, Schema>;

/** NetworkPolicySpec's properties, typed as written (FromSchema reads the spec type from them). */
export type NetworkPolicyProperties = typeof properties;

/** NetworkPolicySpec's properties. */
export function networkPolicyProperties(): NetworkPolicyProperties {
  return properties;
}

/** The spec the CRD admits (and networking.k8s.io/v1 NetworkPolicy's): the API server checks objects against it. */
export type NetworkPolicySpecSchema = FromSchema<{ type: 'object'; properties: NetworkPolicyProperties }>;
