/**
 * Every rule shape the generator writes, one row each: the peer kinds (pod of a workload, node,
 * host-network pod, external address, IPv6), ports by name or number, UDP, DNS, aggregation and
 * the order rules come out in. Each row generates for one workload and compares its rules.
 */
import { describe, expect, it } from 'vitest';
import type { NetworkPolicyEgressRule, NetworkPolicyIngressRule } from '../../policy/index.js';
import { DNS_TCP_NOTE, NODE_NOTE, WHOLE_NAMESPACE_NOTE } from './rules.js';
import { controller, f, gen, node, pod, type TimedFlow } from './testing/cluster.js';

const ns = (name: string): Record<string, string> => ({ 'kubernetes.io/metadata.name': name });
const CLUSTER = [
  node('n1', '192.168.0.1'),
  pod('a/client', { labels: { app: 'client' }, ips: ['10.0.0.1', 'fd00::1'] }),
  pod('a/other', { labels: { app: 'other' }, ips: ['10.0.0.2'] }),
  pod('b/server', {
    labels: { app: 'server' },
    ips: ['10.0.1.1', 'fd00::2'],
    ports: [{ name: 'http', containerPort: 8080 }, { containerPort: 9090 }, { name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' }],
  }),
  pod('kube-system/hn', { labels: { app: 'hn' }, ips: ['192.168.0.2'], hostNetwork: true }),
  // Two pods of one workload that disagree on a port's name: it is written by number.
  controller('Deployment', 'c/mixed', { app: 'mixed' }),
  pod('c/mixed-1-a', { labels: { app: 'mixed', 'pod-template-hash': '1' }, owner: ['ReplicaSet', 'mixed-1'], ips: ['10.0.2.1'], ports: [{ name: 'web', containerPort: 80 }] }),
  pod('c/mixed-2-a', { labels: { app: 'mixed', 'pod-template-hash': '2' }, owner: ['ReplicaSet', 'mixed-2'], ips: ['10.0.2.2'], ports: [{ containerPort: 80 }] }),
  pod('d/bare', { ips: ['10.0.3.1'] }),
];
const SERVER = { namespaceSelector: { matchLabels: ns('b') }, podSelector: { matchLabels: { app: 'server' } } };
const CLIENT = { namespaceSelector: { matchLabels: ns('a') }, podSelector: { matchLabels: { app: 'client' } } };
const NODES = [{ ipBlock: { cidr: '192.168.0.1/32' } }, { ipBlock: { cidr: '192.168.0.2/32' } }];

interface Row {
  title: string;
  flows: TimedFlow[];
  target: string;
  settings?: { aggregateV4?: number; aggregateV6?: number };
  ingress?: NetworkPolicyIngressRule[];
  egress?: NetworkPolicyEgressRule[];
  notes?: string[];
}

describe('rules generated from flows', () => {
  it.each<Row>([
    { title: 'a pod of another namespace: its namespace by name and its workload labels', flows: [f('a/client', 'b/server', 'TCP', 9090)], target: 'a/pod/client', egress: [{ to: [SERVER], ports: [{ protocol: 'TCP', port: 9090 }] }] },
    {
      title: 'a pod of the same namespace is written the same way',
      flows: [f('a/client', 'a/other', 'TCP', 7000)],
      target: 'a/pod/client',
      egress: [{ to: [{ namespaceSelector: { matchLabels: ns('a') }, podSelector: { matchLabels: { app: 'other' } } }], ports: [{ protocol: 'TCP', port: 7000 }] }],
    },
    { title: 'ingress mirrors egress', flows: [f('a/client', 'b/server', 'TCP', 9090)], target: 'b/pod/server', ingress: [{ from: [CLIENT], ports: [{ protocol: 'TCP', port: 9090 }] }] },
    { title: 'a port the destination names is written by its name', flows: [f('a/client', 'b/server', 'TCP', 8080)], target: 'a/pod/client', egress: [{ to: [SERVER], ports: [{ protocol: 'TCP', port: 'http' }] }] },
    { title: 'the name must match the protocol too: UDP 8080 is a number', flows: [f('a/client', 'b/server', 'UDP', 8080)], target: 'a/pod/client', egress: [{ to: [SERVER], ports: [{ protocol: 'UDP', port: 8080 }] }] },
    {
      title: 'pods of one workload that name a port differently: by number',
      flows: [f('a/client', '10.0.2.1', 'TCP', 80), f('a/client', '10.0.2.2', 'TCP', 80)],
      target: 'a/pod/client',
      egress: [{ to: [{ namespaceSelector: { matchLabels: ns('c') }, podSelector: { matchLabels: { app: 'mixed' } } }], ports: [{ protocol: 'TCP', port: 80 }] }],
    },
    {
      title: 'ports of one peer gather in one rule, sorted by protocol then number then name',
      flows: [f('a/client', 'b/server', 'TCP', 8080), f('a/client', 'b/server', 'UDP', 5353), f('a/client', 'b/server', 'TCP', 9090)],
      target: 'a/pod/client',
      egress: [{ to: [SERVER], ports: [{ protocol: 'TCP', port: 9090 }, { protocol: 'TCP', port: 'http' }, { protocol: 'UDP', port: 5353 }] }],
    },
    {
      title: 'DNS to a pod: UDP and TCP 53, by their names, with a note',
      flows: [f('a/client', 'b/server', 'UDP', 53)],
      target: 'a/pod/client',
      egress: [{ to: [SERVER], ports: [{ protocol: 'TCP', port: 'dns-tcp' }, { protocol: 'UDP', port: 'dns' }] }],
      notes: [DNS_TCP_NOTE],
    },
    { title: 'an external IPv4 address: ipBlock /32', flows: [f('a/client', '203.0.113.7', 'TCP', 443)], target: 'a/pod/client', egress: [{ to: [{ ipBlock: { cidr: '203.0.113.7/32' } }], ports: [{ protocol: 'TCP', port: 443 }] }] },
    {
      title: 'external DNS is an address like any other (no TCP added)',
      flows: [f('a/client', '8.8.8.8', 'UDP', 53)],
      target: 'a/pod/client',
      egress: [{ to: [{ ipBlock: { cidr: '8.8.8.8/32' } }], ports: [{ protocol: 'UDP', port: 53 }] }],
    },
    { title: 'an external IPv6 address: ipBlock /128', flows: [f('fd00::1', '2001:db8::5', 'TCP', 443)], target: 'a/pod/client', egress: [{ to: [{ ipBlock: { cidr: '2001:db8::5/128' } }], ports: [{ protocol: 'TCP', port: 443 }] }] },
    {
      title: '--aggregate-cidr 24 folds two addresses of one /24 into one rule',
      flows: [f('a/client', '203.0.113.7', 'TCP', 443), f('a/client', '203.0.113.200', 'TCP', 443), f('a/client', '198.51.100.1', 'TCP', 443)],
      target: 'a/pod/client',
      settings: { aggregateV4: 24 },
      egress: [
        { to: [{ ipBlock: { cidr: '198.51.100.0/24' } }], ports: [{ protocol: 'TCP', port: 443 }] },
        { to: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ protocol: 'TCP', port: 443 }] },
      ],
    },
    {
      title: '--aggregate-cidr6 64 for IPv6',
      flows: [f('fd00::1', '2001:db8:0:1::5', 'TCP', 443)],
      target: 'a/pod/client',
      settings: { aggregateV6: 64 },
      egress: [{ to: [{ ipBlock: { cidr: '2001:db8:0:1::/64' } }], ports: [{ protocol: 'TCP', port: 443 }] }],
    },
    {
      title: 'external addresses sort numerically, not as text',
      flows: [f('a/client', '10.9.0.1', 'TCP', 443), f('a/client', '9.0.0.1', 'TCP', 443)],
      target: 'a/pod/client',
      egress: [
        { to: [{ ipBlock: { cidr: '9.0.0.1/32' } }], ports: [{ protocol: 'TCP', port: 443 }] },
        { to: [{ ipBlock: { cidr: '10.9.0.1/32' } }], ports: [{ protocol: 'TCP', port: 443 }] },
      ],
    },
    { title: 'a node address (kubelet probe): every node address, with a note', flows: [f('192.168.0.1', '10.0.1.1', 'TCP', 8080)], target: 'b/pod/server', ingress: [{ from: NODES, ports: [{ protocol: 'TCP', port: 'http' }] }], notes: [NODE_NOTE] },
    { title: 'a host-network pod named in the flow is a node', flows: [f('kube-system/hn', 'b/server', 'TCP', 8080)], target: 'b/pod/server', ingress: [{ from: NODES, ports: [{ protocol: 'TCP', port: 'http' }] }], notes: [NODE_NOTE] },
    { title: 'ends given by IP only are found by their pod IPs, IPv6 too', flows: [f('fd00::1', 'fd00::2', 'TCP', 9090)], target: 'b/pod/server', ingress: [{ from: [CLIENT], ports: [{ protocol: 'TCP', port: 9090 }] }] },
    {
      title: 'a peer workload without stable labels: its whole namespace, with a note',
      flows: [f('d/bare', 'b/server', 'TCP', 9090)],
      target: 'b/pod/server',
      ingress: [{ from: [{ namespaceSelector: { matchLabels: ns('d') }, podSelector: {} }], ports: [{ protocol: 'TCP', port: 9090 }] }],
      notes: [WHOLE_NAMESPACE_NOTE],
    },
    {
      title: 'rules sort as pods (by namespace), nodes, then addresses, whatever the order of the flows',
      flows: [f('203.0.113.1', 'b/server', 'TCP', 9090), f('192.168.0.1', 'b/server', 'TCP', 9090), f('d/bare', 'b/server', 'TCP', 9090), f('a/client', 'b/server', 'TCP', 9090)],
      target: 'b/pod/server',
      ingress: [
        { from: [CLIENT], ports: [{ protocol: 'TCP', port: 9090 }] },
        { from: [{ namespaceSelector: { matchLabels: ns('d') }, podSelector: {} }], ports: [{ protocol: 'TCP', port: 9090 }] },
        { from: NODES, ports: [{ protocol: 'TCP', port: 9090 }] },
        { from: [{ ipBlock: { cidr: '203.0.113.1/32' } }], ports: [{ protocol: 'TCP', port: 9090 }] },
      ],
      notes: [WHOLE_NAMESPACE_NOTE, NODE_NOTE],
    },
  ])('$title', ({ flows, target, settings, ingress, egress, notes }) => {
    const result = gen(CLUSTER, flows, settings, [target]);
    expect(result.refused).toEqual([]);
    const [policy] = result.policies;
    expect(policy?.object.spec.ingress).toEqual(ingress);
    expect(policy?.object.spec.egress).toEqual(egress);
    expect(policy?.object.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    const written = [...(policy?.ingress ?? []), ...(policy?.egress ?? [])].flatMap((r) => r.notes);
    expect(written).toEqual(notes ?? []);
  });
});
