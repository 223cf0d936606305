/**
 * Contract of evaluate.ts: for one flow, every policy selecting the source (egress) or the
 * destination (ingress) gives a verdict; within a direction the flow passes when no policy
 * selects the end or any one allows it (union), and it passes when both directions do.
 * `effective` counts audit policies as if enforced, `enforced` only NetworkPolicies. The rows
 * are the known traps (empty `from`, `ingress: []`, named ports on the wrong protocol, `except`,
 * IPv6, unknown, missing and hostNetwork ends, loopback), plus verdict order and exact reasons.
 */
import { describe, expect, it } from 'vitest';
import { evaluateFlow, evaluateResolved } from './evaluate.js';
import { acnp, anp, buildState, flow, np, podInfo } from './testing/testkit.js';
import type { EffectiveVerdict, Flow, FlowEvaluation, PolicyObject, PolicyVerdict } from './types.js';

const namespaces = { prod: { team: 'pay' }, web: { team: 'web' }, 'kube-system': {} };
const pods = [
  podInfo('prod/api', {
    labels: { app: 'api' },
    ips: ['10.0.1.1', 'fd00::1:1'],
    ports: [
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
    ],
  }),
  podInfo('prod/db', { labels: { app: 'db' }, ips: ['10.0.1.2', 'fd00::1:2'], ports: [{ name: 'pg', containerPort: 5432, protocol: 'TCP' }] }),
  // "dns" is declared for UDP only.
  podInfo('prod/dns', { labels: { app: 'dns' }, ips: ['10.0.1.3'], ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }] }),
  podInfo('web/frontend', { labels: { app: 'frontend' }, ips: ['10.0.2.1', 'fd00::2:1'] }),
  podInfo('kube-system/agent', { labels: { app: 'agent' }, ips: ['192.168.0.10'], hostNetwork: true }),
];

function judge(policies: PolicyObject[], f: Flow): FlowEvaluation {
  return evaluateFlow(buildState({ namespaces, pods, policies }), f);
}

/** "Ingress NetworkPolicy prod/p Allow rule 0": one line per verdict, in the order returned. */
const line = (v: PolicyVerdict): string => `${v.direction} ${v.kind} ${v.policy} ${v.verdict}${v.rule === undefined ? '' : ` rule ${v.rule}`}`;
/** "ingress/egress allowed|denied". */
const outcome = (e: EffectiveVerdict): string => `${e.ingress}/${e.egress} ${e.allowed ? 'allowed' : 'denied'}`;

const api = { matchLabels: { app: 'api' } };
const fromWeb = { namespaceSelector: { matchLabels: { team: 'web' } } };
const denyAllIngress = np('prod/deny-all', { podSelector: {}, policyTypes: ['Ingress'], ingress: [] });
const allowWeb = np('prod/allow-web', { podSelector: api, ingress: [{ from: [fromWeb] }] });
const noEgress = np('web/no-egress', { podSelector: {}, policyTypes: ['Egress'] });
const ipBlockIn = (name: string, cidr: string, except?: string[]): PolicyObject =>
  np(`prod/${name}`, { podSelector: api, ingress: [{ from: [{ ipBlock: except ? { cidr, except } : { cidr } }] }] });
const namedIn = (port: Record<string, unknown>): PolicyObject => np('prod/named', { podSelector: { matchLabels: { app: 'dns' } }, ingress: [{ ports: [port] }] });

describe('the traps', () => {
  it.each<{ title: string; policies: PolicyObject[]; flow: Flow; verdicts: string[]; effective: string; enforced?: string }>([
    // ---- empty peers and empty rule lists ----
    {
      title: 'a rule with no from admits every peer',
      policies: [np('prod/open', { podSelector: api, ingress: [{ ports: [{ port: 8080 }] }] })],
      flow: flow('web/frontend', 'prod/api', 'TCP', 8080),
      verdicts: ['Ingress NetworkPolicy prod/open Allow rule 0'],
      effective: 'Allow/NotSelected allowed',
    },
    {
      title: 'a rule with no from admits an address no pod owns',
      policies: [np('prod/open', { podSelector: api, ingress: [{}] })],
      flow: flow('203.0.113.5', 'prod/api', 'TCP', 8080),
      verdicts: ['Ingress NetworkPolicy prod/open Allow rule 0'],
      effective: 'Allow/NotSelected allowed',
    },
    {
      title: 'from: [] admits every peer too',
      policies: [np('prod/open', { podSelector: api, ingress: [{ from: [] }] })],
      flow: flow('kube-system/agent', 'prod/api', 'TCP', 8080),
      verdicts: ['Ingress NetworkPolicy prod/open Allow rule 0'],
      effective: 'Allow/NotSelected allowed',
    },
    {
      title: 'ingress: [] is default deny',
      policies: [denyAllIngress],
      flow: flow('web/frontend', 'prod/api', 'TCP', 8080),
      verdicts: ['Ingress NetworkPolicy prod/deny-all WouldDeny'],
      effective: 'Deny/NotSelected denied',
    },
    {
      title: 'no ingress field and no policyTypes is default deny',
      policies: [np('prod/deny-all', { podSelector: {} })],
      flow: flow('prod/db', 'prod/api', 'TCP', 8080),
      verdicts: ['Ingress NetworkPolicy prod/deny-all WouldDeny'],
      effective: 'Deny/NotSelected denied',
    },
    {
      title: 'the rule index is the one that allowed',
      policies: [np('prod/two', { podSelector: api, ingress: [{ from: [{ podSelector: {} }] }, { from: [fromWeb] }] })],
      flow: flow('web/frontend', 'prod/api', 'TCP', 8080),
      verdicts: ['Ingress NetworkPolicy prod/two Allow rule 1'],
      effective: 'Allow/NotSelected allowed',
    },
    // ---- named ports ----
    {
      title: 'named port, TCP by default, pod declares it for UDP: UDP flow denied',
      policies: [namedIn({ port: 'dns' })],
      flow: flow('web/frontend', 'prod/dns', 'UDP', 53),
      verdicts: ['Ingress NetworkPolicy prod/named WouldDeny'],
      effective: 'Deny/NotSelected denied',
    },
    {
      title: 'named port, TCP by default, pod declares it for UDP: TCP flow denied',
      policies: [namedIn({ port: 'dns' })],
      flow: flow('web/frontend', 'prod/dns', 'TCP', 53),
      verdicts: ['Ingress NetworkPolicy prod/named WouldDeny'],
      effective: 'Deny/NotSelected denied',
    },
    {
      title: 'named port with protocol UDP, as the pod declares it: allowed',
      policies: [namedIn({ protocol: 'UDP', port: 'dns' })],
      flow: flow('web/frontend', 'prod/dns', 'UDP', 53),
      verdicts: ['Ingress NetworkPolicy prod/named Allow rule 0'],
      effective: 'Allow/NotSelected allowed',
    },
    {
      title: 'named port resolves to the number the pod declares, not another',
      policies: [np('prod/http', { podSelector: api, ingress: [{ ports: [{ port: 'http' }] }] })],
      flow: flow('web/frontend', 'prod/api', 'TCP', 80),
      verdicts: ['Ingress NetworkPolicy prod/http WouldDeny'],
      effective: 'Deny/NotSelected denied',
    },
    {
      title: 'an egress named port resolves on the destination pod',
      policies: [np('web/out', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'http' }] }] })],
      flow: flow('web/frontend', 'prod/api', 'TCP', 8080),
      verdicts: ['Egress NetworkPolicy web/out Allow rule 0'],
      effective: 'NotSelected/Allow allowed',
    },
    {
      title: 'an egress named port never matches an address no pod owns',
      policies: [np('web/out', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'http' }] }] })],
      flow: flow('web/frontend', '203.0.113.5', 'TCP', 8080),
      verdicts: ['Egress NetworkPolicy web/out WouldDeny'],
      effective: 'NotSelected/Deny denied',
    },
    // ---- ipBlock ----
    {
      title: 'except inside cidr denies a pod in the except',
      policies: [ipBlockIn('cidr', '10.0.0.0/16', ['10.0.2.0/24'])],
      flow: flow('web/frontend', 'prod/api', 'TCP', 8080),
      verdicts: ['Ingress NetworkPolicy prod/cidr WouldDeny'],
      effective: 'Deny/NotSelected denied',
    },
    {
      title: 'except inside cidr spares a pod outside the except',
      policies: [ipBlockIn('cidr', '10.0.0.0/16', ['10.0.2.0/24'])],
      flow: flow('prod/db', 'prod/api', 'TCP', 8080),
      verdicts: ['Ingress NetworkPolicy prod/cidr Allow rule 0'],
      effective: 'Allow/NotSelected allowed',
    },
    {
      title: 'except inside cidr spares an unknown address outside the except',
      policies: [ipBlockIn('cidr', '10.0.0.0/16', ['10.0.2.0/24'])],
      flow: flow('10.0.3.3', 'prod/api', 'TCP', 8080),
      verdicts: ['Ingress NetworkPolicy prod/cidr Allow rule 0'],
      effective: 'Allow/NotSelected allowed',
    },
    // ---- IPv6 ----
    {
      title: 'an IPv6 flow matches an IPv6 ipBlock',
      policies: [ipBlockIn('v6', 'fd00::2:0/112')],
      flow: flow('fd00::2:1', 'fd00::1:1', 'TCP', 8080),
      verdicts: ['Ingress NetworkPolicy prod/v6 Allow rule 0'],
      effective: 'Allow/NotSelected allowed',
    },
    // The same source pod, but the flow is IPv6: its IPv4 address is not what the ipBlock sees.
    {
      title: 'an IPv6 flow does not match the IPv4 ipBlock of the same pod',
      policies: [ipBlockIn('v4', '10.0.2.0/24')],
      flow: flow('fd00::2:1', 'fd00::1:1', 'TCP', 8080),
      verdicts: ['Ingress NetworkPolicy prod/v4 WouldDeny'],
      effective: 'Deny/NotSelected denied',
    },
    {
      title: 'a named source toward an IPv6 address is seen by its IPv6 address',
      policies: [ipBlockIn('v6', 'fd00::2:0/112')],
      flow: flow('web/frontend', 'fd00::1:1', 'TCP', 8080),
      verdicts: ['Ingress NetworkPolicy prod/v6 Allow rule 0'],
      effective: 'Allow/NotSelected allowed',
    },
    {
      title: 'a non-canonical IPv6 source is still its pod',
      policies: [allowWeb],
      flow: flow('fd00:0:0:0:0:0:2:1', 'prod/api', 'TCP', 8080),
      verdicts: ['Ingress NetworkPolicy prod/allow-web Allow rule 0'],
      effective: 'Allow/NotSelected allowed',
    },
    // ---- several policies ----
    {
      title: 'two policies select the pod, one allows: union, both verdicts kept',
      policies: [denyAllIngress, allowWeb],
      flow: flow('web/frontend', 'prod/api', 'TCP', 8080),
      verdicts: ['Ingress NetworkPolicy prod/allow-web Allow rule 0', 'Ingress NetworkPolicy prod/deny-all WouldDeny'],
      effective: 'Allow/NotSelected allowed',
    },
    {
      title: 'two policies select the pod, neither allows',
      policies: [denyAllIngress, allowWeb],
      flow: flow('prod/db', 'prod/api', 'TCP', 8080),
      verdicts: ['Ingress NetworkPolicy prod/allow-web WouldDeny', 'Ingress NetworkPolicy prod/deny-all WouldDeny'],
      effective: 'Deny/NotSelected denied',
    },
    // ---- AuditClusterNetworkPolicy scope ----
    {
      title: 'an AuditClusterNetworkPolicy whose namespaceSelector excludes the pod gives no verdict',
      policies: [acnp('lockdown', { namespaceSelector: { matchLabels: { team: 'web' } }, podSelector: {}, policyTypes: ['Ingress'] })],
      flow: flow('web/frontend', 'prod/api', 'TCP', 8080),
      verdicts: [],
      effective: 'NotSelected/NotSelected allowed',
    },
    {
      title: 'an AuditClusterNetworkPolicy whose namespaceSelector includes the pod judges it',
      policies: [acnp('lockdown', { namespaceSelector: { matchLabels: { team: 'pay' } }, podSelector: {}, policyTypes: ['Ingress'] })],
      flow: flow('web/frontend', 'prod/api', 'TCP', 8080),
      verdicts: ['Ingress AuditClusterNetworkPolicy lockdown WouldDeny'],
      effective: 'Deny/NotSelected denied',
      enforced: 'NotSelected/NotSelected allowed',
    },
    // A podSelector-only peer of a cluster policy reads as the selected pod's namespace.
    {
      title: 'an AuditClusterNetworkPolicy podSelector peer admits the same namespace',
      policies: [acnp('same-ns', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] })],
      flow: flow('prod/db', 'prod/api', 'TCP', 8080),
      verdicts: ['Ingress AuditClusterNetworkPolicy same-ns Allow rule 0'],
      effective: 'Allow/NotSelected allowed',
      enforced: 'NotSelected/NotSelected allowed',
    },
    {
      title: 'an AuditClusterNetworkPolicy podSelector peer refuses another namespace',
      policies: [acnp('same-ns', { podSelector: api, ingress: [{ from: [{ podSelector: {} }] }] })],
      flow: flow('web/frontend', 'prod/api', 'TCP', 8080),
      verdicts: ['Ingress AuditClusterNetworkPolicy same-ns WouldDeny'],
      effective: 'Deny/NotSelected denied',
      enforced: 'NotSelected/NotSelected allowed',
    },
    // ---- ends that are not known pods ----
    {
      title: 'an unknown address never matches selectors',
      policies: [np('prod/pods-only', { podSelector: api, ingress: [{ from: [{ namespaceSelector: {} }] }] })],
      flow: flow('203.0.113.5', 'prod/api', 'TCP', 8080),
      verdicts: ['Ingress NetworkPolicy prod/pods-only WouldDeny'],
      effective: 'Deny/NotSelected denied',
    },
    {
      title: 'an unknown address matches ipBlock',
      policies: [ipBlockIn('outside', '203.0.113.0/24')],
      flow: flow('203.0.113.5', 'prod/api', 'TCP', 8080),
      verdicts: ['Ingress NetworkPolicy prod/outside Allow rule 0'],
      effective: 'Allow/NotSelected allowed',
    },
    {
      title: 'a flow naming a pod that does not exist matches no selector',
      policies: [np('prod/same-ns', { podSelector: api, ingress: [{ from: [{ podSelector: {} }] }] })],
      flow: flow('prod/ghost', 'prod/api', 'TCP', 8080),
      verdicts: ['Ingress NetworkPolicy prod/same-ns WouldDeny'],
      effective: 'Deny/NotSelected denied',
    },
    {
      title: 'a hostNetwork source never matches selectors',
      policies: [np('prod/pods-only', { podSelector: api, ingress: [{ from: [{ namespaceSelector: {} }] }] })],
      flow: flow('192.168.0.10', 'prod/api', 'TCP', 8080),
      verdicts: ['Ingress NetworkPolicy prod/pods-only WouldDeny'],
      effective: 'Deny/NotSelected denied',
    },
    {
      title: 'a hostNetwork source matches ipBlock',
      policies: [ipBlockIn('nodes', '192.168.0.0/24')],
      flow: flow('192.168.0.10', 'prod/api', 'TCP', 8080),
      verdicts: ['Ingress NetworkPolicy prod/nodes Allow rule 0'],
      effective: 'Allow/NotSelected allowed',
    },
    {
      title: 'a hostNetwork destination is never selected',
      policies: [np('kube-system/deny-all', { podSelector: {} })],
      flow: flow('web/frontend', '192.168.0.10', 'TCP', 10250),
      verdicts: [],
      effective: 'NotSelected/NotSelected allowed',
    },
    // ---- both directions ----
    {
      title: 'egress denied on the client while the server allows: denied',
      policies: [allowWeb, noEgress],
      flow: flow('web/frontend', 'prod/api', 'TCP', 8080),
      verdicts: ['Egress NetworkPolicy web/no-egress WouldDeny', 'Ingress NetworkPolicy prod/allow-web Allow rule 0'],
      effective: 'Allow/Deny denied',
    },
    {
      title: 'egress and ingress both allow: allowed',
      policies: [allowWeb, np('web/to-pay', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { team: 'pay' } } }] }] })],
      flow: flow('web/frontend', 'prod/api', 'TCP', 8080),
      verdicts: ['Egress NetworkPolicy web/to-pay Allow rule 0', 'Ingress NetworkPolicy prod/allow-web Allow rule 0'],
      effective: 'Allow/Allow allowed',
    },
    // ---- effective vs enforced ----
    {
      title: 'an audit policy denies and no NetworkPolicy exists',
      policies: [anp('prod/audit-deny', { podSelector: {}, ingress: [] })],
      flow: flow('web/frontend', 'prod/api', 'TCP', 8080),
      verdicts: ['Ingress AuditNetworkPolicy prod/audit-deny WouldDeny'],
      effective: 'Deny/NotSelected denied',
      enforced: 'NotSelected/NotSelected allowed',
    },
    // All policies together are a union: the audit allow would open what the enforced one denies.
    {
      title: 'the enforced policy denies and an audit policy allows',
      policies: [denyAllIngress, anp('prod/audit-allow', { podSelector: api, ingress: [{ from: [fromWeb] }] })],
      flow: flow('web/frontend', 'prod/api', 'TCP', 8080),
      verdicts: ['Ingress NetworkPolicy prod/deny-all WouldDeny', 'Ingress AuditNetworkPolicy prod/audit-allow Allow rule 0'],
      effective: 'Allow/NotSelected allowed',
      enforced: 'Deny/NotSelected denied',
    },
    {
      title: 'the enforced policy allows and an audit policy denies',
      policies: [allowWeb, anp('prod/audit-deny', { podSelector: {}, ingress: [] })],
      flow: flow('web/frontend', 'prod/api', 'TCP', 8080),
      verdicts: ['Ingress NetworkPolicy prod/allow-web Allow rule 0', 'Ingress AuditNetworkPolicy prod/audit-deny WouldDeny'],
      effective: 'Allow/NotSelected allowed',
    },
    {
      title: 'an audit egress deny leaves the enforced verdict alone',
      policies: [anp('web/audit-no-egress', { podSelector: {}, policyTypes: ['Egress'] })],
      flow: flow('web/frontend', 'prod/api', 'TCP', 8080),
      verdicts: ['Egress AuditNetworkPolicy web/audit-no-egress WouldDeny'],
      effective: 'NotSelected/Deny denied',
      enforced: 'NotSelected/NotSelected allowed',
    },
    // ---- loopback ----
    {
      title: 'a pod to itself is allowed with no verdicts',
      policies: [denyAllIngress, acnp('everything', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })],
      flow: flow('prod/api', 'prod/api', 'TCP', 8080),
      verdicts: [],
      effective: 'NotSelected/NotSelected allowed',
    },
    {
      title: 'a pod to itself by its two addresses is still loopback',
      policies: [denyAllIngress],
      flow: flow('10.0.1.1', 'fd00::1:1', 'TCP', 8080),
      verdicts: [],
      effective: 'NotSelected/NotSelected allowed',
    },
  ])('$title', ({ policies, flow: f, verdicts, effective, enforced }) => {
    const result = judge(policies, f);
    expect(result.verdicts.map(line)).toEqual(verdicts);
    expect(outcome(result.effective)).toBe(effective);
    expect(outcome(result.enforced)).toBe(enforced ?? effective);
  });
});

describe('ends and notes', () => {
  it.each<{ title: string; flow: Flow; src: string | null; dst: string | null; notes: string[] }>([
    { title: 'two known pods', flow: flow('web/frontend', 'prod/api'), src: 'web/frontend', dst: 'prod/api', notes: [] },
    { title: 'pods found by their IPs', flow: flow('10.0.2.1', 'fd00::1:1'), src: 'web/frontend', dst: 'prod/api', notes: [] },
    { title: 'an unknown source', flow: flow('203.0.113.5', 'prod/api'), src: null, dst: 'prod/api', notes: ['source 203.0.113.5 is not owned by a known pod; only ipBlock and empty peers can match it'] },
    { title: 'a missing source pod', flow: flow('prod/ghost', 'prod/api'), src: null, dst: 'prod/api', notes: ['source pod prod/ghost is not known; only ipBlock and empty peers can match it'] },
    // web/frontend holds 10.0.2.1 now, but the flow says no pod held it then: never looked up by IP.
    {
      title: 'a source no pod owned at the flow\'s time',
      flow: { ...flow('10.0.2.1', 'prod/api'), src: { kind: 'unowned', ip: '10.0.2.1' } },
      src: null,
      dst: 'prod/api',
      notes: ["source 10.0.2.1 was owned by no known pod at the flow's time; only ipBlock and empty peers can match it"],
    },
    {
      title: 'a destination no pod owned at the flow\'s time (IPv6, named in its canonical form)',
      flow: { ...flow('web/frontend', 'fd00::1:1'), dst: { kind: 'unowned', ip: 'fd00:0::1:1' } },
      src: 'web/frontend',
      dst: null,
      notes: ["destination fd00::1:1 was owned by no known pod at the flow's time; only ipBlock and empty peers can match it"],
    },
    {
      title: 'a hostNetwork source',
      flow: flow('192.168.0.10', 'prod/api'),
      src: 'kube-system/agent',
      dst: 'prod/api',
      notes: ['source kube-system/agent uses the host network; policies do not select it and only ipBlock matches it'],
    },
    { title: 'an unknown destination', flow: flow('web/frontend', '8.8.8.8', 'UDP', 53), src: 'web/frontend', dst: null, notes: ['destination 8.8.8.8 is not owned by a known pod; only ipBlock and empty peers can match it'] },
    { title: 'loopback', flow: flow('prod/api', 'prod/api'), src: 'prod/api', dst: 'prod/api', notes: ["prod/api is talking to itself; NetworkPolicy does not apply to a pod's own traffic"] },
  ])('$title', ({ flow: f, src, dst, notes }) => {
    const result = judge([], f);
    const ref = (r: FlowEvaluation['src']): string | null => (r ? `${r.namespace}/${r.pod}` : null);
    expect({ src: ref(result.src), dst: ref(result.dst), notes: result.notes }).toEqual({ src, dst, notes });
  });
});

describe('ends resolved by the caller', () => {
  // An end given by a valid address resolves the same whatever the other end is, so a caller may
  // resolve it once and keep it while the state holds (the evaluator does): the same evaluation.
  const policies = [allowWeb, denyAllIngress, ipBlockIn('v4-only', '10.0.0.0/8', ['10.0.1.0/24']), ipBlockIn('v6-only', 'fd00::/16'), noEgress];
  it.each<{ title: string; flow: Flow }>([
    { title: 'two pods by address', flow: flow('10.0.2.1', '10.0.1.1') },
    { title: 'IPv6 addresses', flow: flow('fd00::2:1', 'fd00::1:1') },
    { title: 'stamped ends with their addresses', flow: { ...flow('web/frontend', 'prod/api'), src: { ip: '10.0.2.1', namespace: 'web', pod: 'frontend' }, dst: { ip: '10.0.1.1', namespace: 'prod', pod: 'api' } } },
    { title: 'a stamped end whose address is another pod\'s', flow: { ...flow('web/frontend', 'prod/api'), src: { ip: '10.0.1.2', namespace: 'web', pod: 'frontend' }, dst: { ip: 'fd00::1:1' } } },
    { title: 'a stamped pod that is not known', flow: { ...flow('web/frontend', 'prod/api'), src: { ip: '10.0.2.9', namespace: 'web', pod: 'ghost' }, dst: { ip: '10.0.1.1' } } },
    { title: 'an end no pod owned then', flow: { ...flow('web/frontend', 'prod/api'), src: { kind: 'unowned', ip: '10.0.2.1' }, dst: { ip: '10.0.1.1' } } },
    { title: 'an external source', flow: flow('203.0.113.5', 'fd00::1:1') },
    { title: 'loopback', flow: flow('10.0.1.1', 'fd00::1:1') },
  ])('$title', ({ flow: f }) => {
    const state = buildState({ namespaces, pods, policies });
    const ends = { src: state.resolve(f.src, undefined), dst: state.resolve(f.dst, undefined) };
    expect(evaluateResolved(ends, f)).toEqual(evaluateFlow(state, f));
    expect(evaluateResolved(ends, f, { reasons: 'audit' })).toEqual(evaluateFlow(state, f, { reasons: 'audit' }));
  });
});

describe('one direction listed', () => {
  // The other direction is judged all the same: it decides effective and enforced, and lists nothing.
  const policies = [
    allowWeb,
    noEgress,
    anp('prod/audit-in', { podSelector: api, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'db' } } }] }] }),
    anp('web/audit-out', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] }),
    acnp('everything', { podSelector: {}, namespaceSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [fromWeb] }], egress: [{ ports: [{ port: 8080 }] }] }),
  ];
  const flows: [string, Flow][] = [
    ['web to prod', flow('web/frontend', 'prod/api', 'TCP', 8080)],
    ['web to prod on another port', flow('web/frontend', 'prod/api', 'UDP', 53)],
    ['prod to web', flow('prod/api', 'web/frontend')],
    ['an external source', flow('203.0.113.5', 'prod/api')],
    ['loopback', flow('prod/api', 'prod/api')],
  ];
  const state = buildState({ namespaces, pods, policies });
  it.each(flows.flatMap(([title, f]) => (['Egress', 'Ingress'] as const).map((direction) => ({ title: `${title}, ${direction}`, f, direction }))))('$title', ({ f, direction }) => {
    for (const reasons of [true, 'audit', false] as const) {
      const full = evaluateFlow(state, f, { reasons });
      expect(evaluateFlow(state, f, { reasons, direction })).toEqual({ ...full, verdicts: full.verdicts.filter((v) => v.direction === direction) });
    }
  });
});

describe('verdict order', () => {
  const policies = [
    np('prod/b', { podSelector: {} }),
    acnp('z', { podSelector: api }),
    np('prod/a', { podSelector: api }),
    anp('prod/a', { podSelector: {} }),
    acnp('a', {}),
    np('web/out', { podSelector: {}, policyTypes: ['Egress'] }),
    anp('web/out', { podSelector: {}, policyTypes: ['Egress'] }),
  ];
  // Egress first, then kind (enforced before audit), then name. acnp('a', {}) has no egress
  // rules, so it is Ingress only and appears once.
  const expected = [
    'Egress NetworkPolicy web/out WouldDeny',
    'Egress AuditNetworkPolicy web/out WouldDeny',
    'Ingress NetworkPolicy prod/a WouldDeny',
    'Ingress NetworkPolicy prod/b WouldDeny',
    'Ingress AuditNetworkPolicy prod/a WouldDeny',
    'Ingress AuditClusterNetworkPolicy a WouldDeny',
    'Ingress AuditClusterNetworkPolicy z WouldDeny',
  ];

  it.each([
    { title: 'as written', order: policies },
    { title: 'reversed', order: [...policies].reverse() },
    { title: 'rotated', order: [...policies.slice(3), ...policies.slice(0, 3)] },
  ])('is the same whatever the insertion order: $title', ({ order }) => {
    expect(judge(order, flow('web/frontend', 'prod/api')).verdicts.map(line)).toEqual(expected);
  });
});

describe('reason sentences', () => {
  const allowWebOn8080 = np('prod/allow-web', {
    podSelector: api,
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'web' } }, podSelector: { matchLabels: { app: 'frontend' } } }], ports: [{ port: 8080 }] }],
  });
  const podsOnly = np('prod/pods-only', { podSelector: api, ingress: [{ from: [{ namespaceSelector: {} }] }] });

  it.each<{ title: string; policies: PolicyObject[]; flow: Flow; reason: string }>([
    {
      title: 'allow',
      policies: [allowWebOn8080],
      flow: flow('web/frontend', 'prod/api', 'TCP', 8080),
      reason: 'NetworkPolicy prod/allow-web: ingress rule 0 allows 8080/TCP from web/frontend to prod/api (pods app=frontend in namespaces team=web; 8080/TCP)',
    },
    {
      title: 'allow by an empty peer list',
      policies: [np('web/out', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'http' }] }] })],
      flow: flow('web/frontend', 'prod/api', 'TCP', 8080),
      reason: 'NetworkPolicy web/out: egress rule 0 allows 8080/TCP from web/frontend to prod/api (any peer; http/TCP)',
    },
    {
      title: 'default deny (ingress)',
      policies: [denyAllIngress],
      flow: flow('web/frontend', 'prod/api', 'TCP', 8080),
      reason: 'NetworkPolicy prod/deny-all selects prod/api and has no ingress rules, so all ingress is denied (8080/TCP from web/frontend to prod/api)',
    },
    {
      title: 'default deny (egress)',
      policies: [noEgress],
      flow: flow('web/frontend', 'prod/api', 'UDP', 53),
      reason: 'NetworkPolicy web/no-egress selects web/frontend and has no egress rules, so all egress is denied (53/UDP from web/frontend to prod/api)',
    },
    {
      title: 'default deny by a cluster policy',
      policies: [acnp('lockdown', { podSelector: {} })],
      flow: flow('web/frontend', 'prod/api', 'TCP', 8080),
      reason: 'AuditClusterNetworkPolicy lockdown selects prod/api and has no ingress rules, so all ingress is denied (8080/TCP from web/frontend to prod/api)',
    },
    {
      title: 'near miss: the peer matched, the port did not',
      policies: [allowWebOn8080],
      flow: flow('web/frontend', 'prod/api', 'TCP', 9090),
      reason: 'NetworkPolicy prod/allow-web selects prod/api, but no ingress rule allows 9090/TCP from web/frontend to prod/api; ingress rule 0 admits the peer but only on 8080/TCP',
    },
    {
      title: 'unknown peer',
      policies: [podsOnly],
      flow: flow('203.0.113.5', 'prod/api', 'TCP', 8080),
      reason: 'NetworkPolicy prod/pods-only selects prod/api, but no ingress rule allows 8080/TCP from 203.0.113.5 to prod/api; 203.0.113.5 is not a known pod, so only ipBlock and empty peers can match',
    },
    {
      title: 'missing pod',
      policies: [podsOnly],
      flow: flow('prod/ghost', 'prod/api', 'TCP', 8080),
      reason: 'NetworkPolicy prod/pods-only selects prod/api, but no ingress rule allows 8080/TCP from prod/ghost to prod/api; pod prod/ghost is not known, so only ipBlock and empty peers can match',
    },
    {
      title: 'a peer no pod owned at the flow\'s time',
      policies: [podsOnly],
      flow: { ...flow('10.0.2.1', 'prod/api', 'TCP', 8080), src: { kind: 'unowned', ip: '10.0.2.1' } },
      reason: "NetworkPolicy prod/pods-only selects prod/api, but no ingress rule allows 8080/TCP from 10.0.2.1 to prod/api; 10.0.2.1 was owned by no known pod at the flow's time, so only ipBlock and empty peers can match",
    },
    {
      title: 'hostNetwork peer',
      policies: [podsOnly],
      flow: flow('192.168.0.10', 'prod/api', 'TCP', 8080),
      reason: 'NetworkPolicy prod/pods-only selects prod/api, but no ingress rule allows 8080/TCP from kube-system/agent to prod/api; kube-system/agent is a hostNetwork pod, so only ipBlock and empty peers can match it',
    },
    {
      title: 'the labels match but the namespace does not',
      policies: [np('prod/same-ns', { podSelector: api, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }] }] })],
      flow: flow('web/frontend', 'prod/api', 'TCP', 8080),
      reason:
        "NetworkPolicy prod/same-ns selects prod/api, but no ingress rule allows 8080/TCP from web/frontend to prod/api; ingress rule 0 matches web/frontend's labels (pods app=frontend in the policy's namespace) but only in namespace prod, and web/frontend is in web: add a namespaceSelector to admit it",
    },
  ])('$title', ({ policies, flow: f, reason }) => {
    const verdicts = judge(policies, f).verdicts;
    expect(verdicts).toHaveLength(1);
    expect(verdicts[0]!.reason).toBe(reason);
  });

  it('a verdict carries the policy reference', () => {
    const [v] = judge([allowWebOn8080], flow('web/frontend', 'prod/api', 'TCP', 8080)).verdicts;
    expect(v).toMatchObject({ policy: 'prod/allow-web', kind: 'NetworkPolicy', direction: 'Ingress', verdict: 'Allow', rule: 0, ref: { kind: 'NetworkPolicy', namespace: 'prod', name: 'allow-web' } });
  });

  it('a deny has no rule index', () => {
    const [v] = judge([denyAllIngress], flow('web/frontend', 'prod/api')).verdicts;
    expect(v).not.toHaveProperty('rule');
  });

  it.each([
    { reasons: true, expected: { NetworkPolicy: true, AuditNetworkPolicy: true } },
    { reasons: 'audit' as const, expected: { NetworkPolicy: false, AuditNetworkPolicy: true } },
    { reasons: false, expected: { NetworkPolicy: false, AuditNetworkPolicy: false } },
  ])('reasons: $reasons writes sentences for $expected, verdicts unchanged', ({ reasons, expected }) => {
    const policies = [denyAllIngress, anp('prod/audit', { podSelector: api, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'db' } } }] }] })];
    const f = flow('web/frontend', 'prod/api');
    const e = evaluateFlow(buildState({ namespaces, pods, policies }), f, { reasons });
    expect(Object.fromEntries(e.verdicts.map((v) => [v.kind, v.reason !== '']))).toEqual(expected);
    expect(e.verdicts.map(line)).toEqual(judge(policies, f).verdicts.map(line));
  });
});
