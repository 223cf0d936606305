/**
 * Contract of peer.ts: one row per line of its comment table (omitted or [] is any peer, a
 * podSelector alone means the policy's namespace, `{}` selectors, a namespaceSelector alone,
 * `{}` namespaceSelector is every namespace, both together, ipBlock, the empty peer and ipBlock
 * with a selector rejected), each checked by its compiled description and by which flow ends
 * it matches; hostNetwork pods and unknown addresses never match selectors, only ipBlock.
 */
import { describe, expect, it } from 'vitest';
import { ProblemList, type PolicyProblem } from './errors.js';
import type { PeerList } from './peer.js';
import { compilePeers, describePeerList, matchingPeer } from './peer.js';
import { buildState, endpoint, podInfo } from './testing/testkit.js';

function compile(raw: unknown): { list: PeerList; problems: PolicyProblem[] } {
  const problems = new ProblemList();
  const list = compilePeers(raw, 'from', problems);
  return { list, problems: problems.items };
}

// prod (team=pay) holds api and db; dev (team=web) holds web and another "api".
const state = buildState({
  namespaces: { prod: { team: 'pay' }, dev: { team: 'web' }, 'kube-system': {} },
  pods: [
    podInfo('prod/api', { labels: { app: 'api' }, ips: ['10.0.1.1', 'fd00::1:1'] }),
    podInfo('prod/db', { labels: { app: 'db' }, ips: ['10.0.1.2'] }),
    podInfo('dev/web', { labels: { app: 'web' }, ips: ['10.0.2.1'] }),
    podInfo('dev/api', { labels: { app: 'api' }, ips: ['10.0.2.2'] }),
    // Labels that every pod selector in the table would match, were it not hostNetwork.
    podInfo('kube-system/agent', { labels: { app: 'api' }, ips: ['192.168.0.10'], hostNetwork: true }),
  ],
});

/** Where each named end of a flow is; IPs no pod owns resolve as unknown. */
const ENDS = {
  'prod/api': 'prod/api',
  'prod/db': 'prod/db',
  'dev/web': 'dev/web',
  'dev/api': 'dev/api',
  hostNetwork: '192.168.0.10',
  'unknown in-cluster': '10.0.9.9',
  'unknown outside': '203.0.113.7',
  'missing pod': 'prod/ghost',
} as const;
type End = keyof typeof ENDS;

function matchIndex(list: PeerList, end: End, policyNamespace = 'prod'): number {
  return matchingPeer(list, state.resolve(endpoint(ENDS[end]), 4), policyNamespace);
}

const apiPods = { matchLabels: { app: 'api' } };
const webNamespaces = { matchLabels: { team: 'web' } };

describe('the comment table, row by row', () => {
  it.each<{ title: string; raw: unknown; text: string; matches: End[] }>([
    {
      title: 'from omitted: any peer, pod or not',
      raw: undefined,
      text: 'any peer',
      matches: ['prod/api', 'prod/db', 'dev/web', 'dev/api', 'hostNetwork', 'unknown in-cluster', 'unknown outside', 'missing pod'],
    },
    {
      title: 'from []: any peer, pod or not',
      raw: [],
      text: 'any peer',
      matches: ['prod/api', 'prod/db', 'dev/web', 'dev/api', 'hostNetwork', 'unknown in-cluster', 'unknown outside', 'missing pod'],
    },
    { title: 'podSelector only: matching pods in the policy namespace', raw: [{ podSelector: apiPods }], text: "pods app=api in the policy's namespace", matches: ['prod/api'] },
    { title: 'podSelector {} only: every pod in the policy namespace', raw: [{ podSelector: {} }], text: "all pods in the policy's namespace", matches: ['prod/api', 'prod/db'] },
    { title: 'namespaceSelector only: every pod in matching namespaces', raw: [{ namespaceSelector: webNamespaces }], text: 'all pods in namespaces team=web', matches: ['dev/web', 'dev/api'] },
    {
      title: 'namespaceSelector {} only: every pod in every namespace',
      raw: [{ namespaceSelector: {} }],
      text: 'all pods in all namespaces',
      matches: ['prod/api', 'prod/db', 'dev/web', 'dev/api'],
    },
    { title: 'both: matching pods in matching namespaces', raw: [{ podSelector: apiPods, namespaceSelector: webNamespaces }], text: 'pods app=api in namespaces team=web', matches: ['dev/api'] },
    { title: 'both {}: every pod in every namespace', raw: [{ podSelector: {}, namespaceSelector: {} }], text: 'all pods in all namespaces', matches: ['prod/api', 'prod/db', 'dev/web', 'dev/api'] },
    { title: 'podSelector with namespaceSelector {}: matching pods anywhere', raw: [{ podSelector: apiPods, namespaceSelector: {} }], text: 'pods app=api in all namespaces', matches: ['prod/api', 'dev/api'] },
    // Every namespace carries its name as a label, declared or not.
    {
      title: 'namespaceSelector on the name label',
      raw: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dev' } } }],
      text: 'all pods in namespaces kubernetes.io/metadata.name=dev',
      matches: ['dev/web', 'dev/api'],
    },
    // ipBlock sees addresses, whoever owns them: pods, hostNetwork pods and strangers alike.
    { title: 'ipBlock: pod addresses and unknown addresses inside', raw: [{ ipBlock: { cidr: '10.0.0.0/16' } }], text: 'ipBlock 10.0.0.0/16', matches: ['prod/api', 'prod/db', 'dev/web', 'dev/api', 'unknown in-cluster'] },
    { title: 'ipBlock with except', raw: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.2.0/24'] } }], text: 'ipBlock 10.0.0.0/16 except 10.0.2.0/24', matches: ['prod/api', 'prod/db', 'unknown in-cluster'] },
    { title: 'ipBlock matches a hostNetwork pod by its address', raw: [{ ipBlock: { cidr: '192.168.0.0/24' } }], text: 'ipBlock 192.168.0.0/24', matches: ['hostNetwork'] },
    { title: 'ipBlock 0.0.0.0/0 matches every address, not a pod with none', raw: [{ ipBlock: { cidr: '0.0.0.0/0' } }], text: 'ipBlock 0.0.0.0/0', matches: ['prod/api', 'prod/db', 'dev/web', 'dev/api', 'hostNetwork', 'unknown in-cluster', 'unknown outside'] },
  ])('$title', ({ raw, text, matches }) => {
    const { list, problems } = compile(raw);
    expect(problems).toEqual([]);
    expect(describePeerList(list)).toBe(text);
    const matched = (Object.keys(ENDS) as End[]).filter((end) => matchIndex(list, end) >= 0);
    expect(matched).toEqual(matches);
  });

  it.each([
    { title: 'the empty peer', raw: [{}], message: 'must specify a peer: one of podSelector, namespaceSelector or ipBlock' },
    { title: 'a peer with only null selectors', raw: [{ podSelector: null, namespaceSelector: null, ipBlock: null }], message: 'must specify a peer: one of podSelector, namespaceSelector or ipBlock' },
    { title: 'ipBlock with podSelector', raw: [{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: apiPods }], message: 'may not specify both ipBlock and another peer (podSelector or namespaceSelector)' },
    // Even an empty selector is present, so it still conflicts with ipBlock.
    { title: 'ipBlock with podSelector {}', raw: [{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }], message: 'may not specify both ipBlock and another peer (podSelector or namespaceSelector)' },
    {
      title: 'ipBlock with namespaceSelector',
      raw: [{ ipBlock: { cidr: '10.0.0.0/8' }, namespaceSelector: webNamespaces }],
      message: 'may not specify both ipBlock and another peer (podSelector or namespaceSelector)',
    },
    {
      title: 'ipBlock with both selectors',
      raw: [{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {}, namespaceSelector: {} }],
      message: 'may not specify both ipBlock and another peer (podSelector or namespaceSelector)',
    },
  ])('$title is rejected at from[0]', ({ raw, message }) => {
    expect(compile(raw).problems).toEqual([{ severity: 'error', path: 'from[0]', code: 'peer', message }]);
  });
});

describe('ends that selectors never match', () => {
  const selectorPeers = [
    { title: 'podSelector {}', raw: [{ podSelector: {} }] },
    { title: 'namespaceSelector {}', raw: [{ namespaceSelector: {} }] },
    { title: 'both {}', raw: [{ podSelector: {}, namespaceSelector: {} }] },
    { title: 'podSelector app=api', raw: [{ podSelector: apiPods, namespaceSelector: {} }] },
  ];
  const ends: End[] = ['hostNetwork', 'unknown in-cluster', 'unknown outside', 'missing pod'];
  it.each(selectorPeers.flatMap((p) => ends.map((end) => ({ ...p, end }))))('$title does not match the $end end', ({ raw, end }) => {
    expect(matchIndex(compile(raw).list, end)).toBe(-1);
  });

  it('the hostNetwork pod is matched through ipBlock in the same list', () => {
    const { list } = compile([{ namespaceSelector: {} }, { ipBlock: { cidr: '192.168.0.10/32' } }]);
    expect(matchIndex(list, 'hostNetwork')).toBe(1);
  });
});

describe('matching details', () => {
  it.each<{ title: string; raw: unknown; end: End; policyNamespace: string; index: number }>([
    { title: 'the first matching peer is reported', raw: [{ podSelector: { matchLabels: { app: 'db' } } }, { ipBlock: { cidr: '10.0.0.0/8' } }, { podSelector: {} }], end: 'prod/api', policyNamespace: 'prod', index: 1 },
    { title: 'any peer reports index 0', raw: undefined, end: 'unknown outside', policyNamespace: 'prod', index: 0 },
    // An AuditClusterNetworkPolicy passes the selected pod's namespace as the policy namespace.
    { title: 'podSelector only follows the policy namespace given (dev)', raw: [{ podSelector: apiPods }], end: 'dev/api', policyNamespace: 'dev', index: 0 },
    { title: 'podSelector only follows the policy namespace given (not prod)', raw: [{ podSelector: apiPods }], end: 'prod/api', policyNamespace: 'dev', index: -1 },
    { title: 'namespaceSelector ignores the policy namespace', raw: [{ namespaceSelector: { matchLabels: { team: 'pay' } } }], end: 'prod/db', policyNamespace: 'dev', index: 0 },
    { title: 'a namespace label the namespace lacks', raw: [{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] } }], end: 'prod/db', policyNamespace: 'prod', index: -1 },
  ])('$title', ({ raw, end, policyNamespace, index }) => {
    expect(matchIndex(compile(raw).list, end, policyNamespace)).toBe(index);
  });

  it.each([
    { title: 'dual-stack pod seen by its IPv6 address', cidr: 'fd00::/16', family: 6 as const, matches: true },
    { title: 'dual-stack pod seen by its IPv4 address', cidr: 'fd00::/16', family: 4 as const, matches: false },
  ])('ipBlock on a named pod: $title', ({ cidr, family, matches }) => {
    const { list } = compile([{ ipBlock: { cidr } }]);
    expect(matchingPeer(list, state.resolve(endpoint('prod/api'), family), 'prod') >= 0).toBe(matches);
  });
});

describe('validation paths', () => {
  it.each([
    { title: 'peers not a list', raw: { podSelector: {} }, path: 'from', code: 'type', message: 'has the wrong type: peers must be a list' },
    { title: 'a peer not an object', raw: [{ podSelector: {} }, 'web'], path: 'from[1]', code: 'type', message: 'has the wrong type: each peer must be an object' },
    {
      title: 'a podSelector expression',
      raw: [{ podSelector: { matchExpressions: [{ key: 'app', operator: 'Is' }] } }],
      path: 'from[0].podSelector.matchExpressions[0].operator',
      code: 'operator',
      message: 'has unknown operator Is: valid operators are In, NotIn, Exists, DoesNotExist',
    },
    { title: 'a namespaceSelector label value', raw: [{ namespaceSelector: { matchLabels: { team: 'a b' } } }], path: 'from[0].namespaceSelector.matchLabels.team', code: 'labelValue', message: 'a b is not a valid label value' },
    { title: 'an ipBlock cidr', raw: [{ podSelector: {} }, { ipBlock: { cidr: '10.0.0.0/40' } }], path: 'from[1].ipBlock.cidr', code: 'cidr', message: '10.0.0.0/40 is not a valid CIDR' },
    { title: 'an ipBlock except', raw: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.1.0.0/24'] } }], path: 'from[0].ipBlock.except[0]', code: 'except', message: '10.1.0.0/24 must be a strict subset of cidr 10.0.0.0/16' },
  ])('$title is reported at $path', ({ raw, path, code, message }) => {
    expect(compile(raw).problems).toEqual([{ severity: 'error', path, code, message }]);
  });

  it('a bad peer is dropped and the others kept', () => {
    const { list } = compile([{}, { podSelector: {} }]);
    expect(describePeerList(list)).toBe("all pods in the policy's namespace");
  });
});
