/**
 * Contract of compile.ts: a raw object of any of the three kinds becomes a CompiledPolicy with
 * upstream's policyTypes defaulting (Ingress always, Egress only when egress rules exist), its
 * identity (namespace defaulting to `default`, cluster-scoped names), its target namespaces
 * (an AuditClusterNetworkPolicy's namespaceSelector nil or `{}` is every namespace), and every
 * problem reported with its exact path and message; garbage of any shape never throws.
 */
import { describe, expect, it } from 'vitest';
import { compilePolicy } from './compile.js';
import type { PolicyProblem } from './errors.js';
import { acnp, anp, np } from './testing/testkit.js';
import type { ClusterNetworkPolicySpec } from './types.js';

const rule = { from: [{ podSelector: {} }] };
const egressRule = { to: [{ podSelector: {} }] };

/** A NetworkPolicy prod/p with this spec, as an untrusted object. */
const withSpec = (spec: unknown): unknown => ({ kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'prod' }, spec });

describe('policyTypes defaulting', () => {
  // Rule counts per direction: null = not in policyTypes; 0 = in it with no rules (deny all).
  it.each<{ title: string; spec: ClusterNetworkPolicySpec; ingress: number | null; egress: number | null }>([
    { title: 'omitted, no rules: Ingress only, deny all ingress', spec: { podSelector: {} }, ingress: 0, egress: null },
    { title: 'omitted, ingress rules: Ingress only', spec: { podSelector: {}, ingress: [rule] }, ingress: 1, egress: null },
    // An empty egress list is no egress section: upstream adds Egress only when len(egress) > 0.
    { title: 'omitted, egress: []: Ingress only', spec: { podSelector: {}, egress: [] }, ingress: 0, egress: null },
    { title: 'omitted, egress rules: Ingress and Egress', spec: { podSelector: {}, egress: [egressRule] }, ingress: 0, egress: 1 },
    { title: 'omitted, both rules: Ingress and Egress', spec: { podSelector: {}, ingress: [rule, rule], egress: [egressRule] }, ingress: 2, egress: 1 },
    { title: '[], no rules: Ingress only', spec: { podSelector: {}, policyTypes: [] }, ingress: 0, egress: null },
    { title: '[], egress rules: Ingress and Egress', spec: { podSelector: {}, policyTypes: [], egress: [egressRule] }, ingress: 0, egress: 1 },
    { title: '[Egress], no rules: Egress only, deny all egress', spec: { podSelector: {}, policyTypes: ['Egress'] }, ingress: null, egress: 0 },
    { title: '[Egress] with ingress rules: the ingress rules are ignored', spec: { podSelector: {}, policyTypes: ['Egress'], ingress: [rule] }, ingress: null, egress: 0 },
    { title: '[Ingress] with egress rules: the egress rules are ignored', spec: { podSelector: {}, policyTypes: ['Ingress'], egress: [egressRule] }, ingress: 0, egress: null },
    { title: '[Ingress, Egress], no rules: deny both', spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }, ingress: 0, egress: 0 },
    { title: '[Egress, Ingress]: order does not matter', spec: { podSelector: {}, policyTypes: ['Egress', 'Ingress'], ingress: [rule] }, ingress: 1, egress: 0 },
    { title: 'ingress: [] listed explicitly: deny all ingress', spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [] }, ingress: 0, egress: null },
  ])('$title', ({ spec, ingress, egress }) => {
    const { policy, problems } = compilePolicy(np('prod/p', spec));
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(policy?.ingress === null ? null : policy?.ingress.length).toBe(ingress);
    expect(policy?.egress === null ? null : policy?.egress.length).toBe(egress);
  });

  // The message is checked by its opening sentence only: see the report on the policyType wording.
  it.each([
    { title: 'ingress rules outside policyTypes', spec: { podSelector: {}, policyTypes: ['Egress'], ingress: [rule] }, path: 'spec.ingress', sentence: 'Ingress is not in policyTypes, so these rules are ignored' },
    { title: 'egress rules outside policyTypes', spec: { podSelector: {}, policyTypes: ['Ingress'], egress: [egressRule] }, path: 'spec.egress', sentence: 'Egress is not in policyTypes, so these rules are ignored' },
  ])('$title: a warning at $path, and the policy still compiles', ({ spec, path, sentence }) => {
    const { policy, problems } = compilePolicy(np('prod/p', spec));
    expect(problems).toEqual([{ severity: 'warning', path, code: 'ignoredRules', message: sentence }]);
    expect(policy).toBeDefined();
  });

  it('an empty rule list outside policyTypes is not worth a warning', () => {
    expect(compilePolicy(np('prod/p', { podSelector: {}, policyTypes: ['Egress'], ingress: [] })).problems).toEqual([]);
  });

  it('rules are numbered by their index in the list', () => {
    const { policy } = compilePolicy(np('prod/p', { podSelector: {}, ingress: [rule, {}, rule] }));
    expect(policy?.ingress?.map((r) => r.index)).toEqual([0, 1, 2]);
  });
});

describe('identity and targets', () => {
  it.each([
    {
      title: 'NetworkPolicy with a namespace',
      obj: np('prod/p', { podSelector: {} }),
      id: 'NetworkPolicy/prod/p',
      display: 'prod/p',
      enforced: true,
      target: { kind: 'name', name: 'prod' },
    },
    {
      title: 'NetworkPolicy without a namespace defaults to default',
      obj: { kind: 'NetworkPolicy', metadata: { name: 'p' }, spec: {} },
      id: 'NetworkPolicy/default/p',
      display: 'default/p',
      enforced: true,
      target: { kind: 'name', name: 'default' },
    },
    {
      title: 'an empty namespace defaults to default',
      obj: { kind: 'NetworkPolicy', metadata: { name: 'p', namespace: '' }, spec: {} },
      id: 'NetworkPolicy/default/p',
      display: 'default/p',
      enforced: true,
      target: { kind: 'name', name: 'default' },
    },
    {
      title: 'AuditNetworkPolicy is namespaced and not enforced',
      obj: anp('prod/p', { podSelector: {} }),
      id: 'AuditNetworkPolicy/prod/p',
      display: 'prod/p',
      enforced: false,
      target: { kind: 'name', name: 'prod' },
    },
    // namespaceSelector is not a NetworkPolicy field; a namespaced kind never leaves its namespace.
    {
      title: 'a namespaceSelector on a namespaced kind is ignored',
      obj: withSpec({ podSelector: {}, namespaceSelector: { matchLabels: { env: 'dev' } } }),
      id: 'NetworkPolicy/prod/p',
      display: 'prod/p',
      enforced: true,
      target: { kind: 'name', name: 'prod' },
    },
    {
      title: 'AuditClusterNetworkPolicy, namespaceSelector nil: all namespaces',
      obj: acnp('lockdown', { podSelector: {} }),
      id: 'AuditClusterNetworkPolicy//lockdown',
      display: 'lockdown',
      enforced: false,
      target: { kind: 'all' },
    },
    {
      title: 'AuditClusterNetworkPolicy, namespaceSelector {}: all namespaces',
      obj: acnp('lockdown', { podSelector: {}, namespaceSelector: {} }),
      id: 'AuditClusterNetworkPolicy//lockdown',
      display: 'lockdown',
      enforced: false,
      target: { kind: 'all' },
    },
    {
      title: 'AuditClusterNetworkPolicy, namespaceSelector set: those namespaces',
      obj: acnp('lockdown', { namespaceSelector: { matchLabels: { env: 'prod' } } }),
      id: 'AuditClusterNetworkPolicy//lockdown',
      display: 'lockdown',
      enforced: false,
      target: { kind: 'selector', selector: { kind: 'requirements', requirements: [{ key: 'env', operator: 'In', values: new Set(['prod']) }] } },
    },
    // A cluster-scoped object has no namespace, whatever its metadata says.
    {
      title: 'AuditClusterNetworkPolicy ignores metadata.namespace',
      obj: { kind: 'AuditClusterNetworkPolicy', metadata: { name: 'lockdown', namespace: 'prod' }, spec: {} },
      id: 'AuditClusterNetworkPolicy//lockdown',
      display: 'lockdown',
      enforced: false,
      target: { kind: 'all' },
    },
  ])('$title', ({ obj, id, display, enforced, target }) => {
    const { policy, problems } = compilePolicy(obj);
    expect(problems).toEqual([]);
    expect(policy?.id).toBe(id);
    expect(policy?.display).toBe(display);
    expect(policy?.enforced).toBe(enforced);
    expect(policy?.targetNamespaces).toEqual(target);
  });

  it('the ref carries uid and generation when present, and the source is kept', () => {
    const obj = { kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'prod', uid: 'u-1', generation: 3 }, spec: { podSelector: { matchLabels: { app: 'web' } } } };
    const { policy } = compilePolicy(obj);
    expect(policy?.ref).toEqual({ kind: 'NetworkPolicy', namespace: 'prod', name: 'p', uid: 'u-1', generation: 3 });
    expect(policy?.source).toBe(obj);
    expect(policy?.target).toEqual({ kind: 'requirements', requirements: [{ key: 'app', operator: 'In', values: new Set(['web']) }] });
  });

  it('the ref leaves out uid and generation of the wrong type', () => {
    const { policy } = compilePolicy({ kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'prod', uid: 7, generation: '3' }, spec: {} });
    expect(policy?.ref).toEqual({ kind: 'NetworkPolicy', namespace: 'prod', name: 'p' });
  });
});

describe('problems: exact paths and messages', () => {
  const err = (path: string, code: PolicyProblem['code'], message: string): PolicyProblem => ({ severity: 'error', path, code, message });
  const kindMessage = (v: string): string => `${v} is not a supported kind: valid kinds are NetworkPolicy, AuditNetworkPolicy, AuditClusterNetworkPolicy`;
  const portMessage = (v: string): string => `${v} is not a valid port: use a number from 1 to 65535 or a port name (IANA_SVC_NAME)`;

  it.each<{ title: string; obj: unknown; problems: PolicyProblem[] }>([
    { title: 'missing name', obj: { kind: 'NetworkPolicy', metadata: { namespace: 'prod' }, spec: {} }, problems: [err('metadata.name', 'required', 'is required')] },
    { title: 'empty name', obj: { kind: 'NetworkPolicy', metadata: { name: '' }, spec: {} }, problems: [err('metadata.name', 'required', 'is required')] },
    { title: 'missing metadata', obj: { kind: 'NetworkPolicy', spec: {} }, problems: [err('metadata.name', 'required', 'is required')] },
    { title: 'missing spec', obj: { kind: 'NetworkPolicy', metadata: { name: 'p' } }, problems: [err('spec', 'required', 'is required')] },
    { title: 'spec a list', obj: { kind: 'NetworkPolicy', metadata: { name: 'p' }, spec: [] }, problems: [err('spec', 'required', 'is required')] },
    { title: 'unknown kind', obj: { kind: 'Deployment', metadata: { name: 'p' }, spec: {} }, problems: [err('kind', 'kind', kindMessage('Deployment'))] },
    { title: 'kinds are case-sensitive', obj: { kind: 'networkpolicy', metadata: { name: 'p' }, spec: {} }, problems: [err('kind', 'kind', kindMessage('networkpolicy'))] },
    { title: 'missing kind', obj: { metadata: { name: 'p' }, spec: {} }, problems: [err('kind', 'kind', kindMessage('undefined'))] },
    // Identity and spec are both checked before giving up.
    { title: 'missing kind and spec', obj: {}, problems: [err('kind', 'kind', kindMessage('undefined')), err('spec', 'required', 'is required')] },
    { title: 'an unknown policy type', obj: withSpec({ policyTypes: ['Ingress', 'ingress'] }), problems: [err('spec.policyTypes[1]', 'policyType', 'ingress is not a valid policy type: valid types are Ingress, Egress')] },
    { title: 'policyTypes not a list', obj: withSpec({ policyTypes: 'Ingress' }), problems: [err('spec.policyTypes', 'type', 'has the wrong type: policyTypes must be a list')] },
    { title: 'a null policy type', obj: withSpec({ policyTypes: [null] }), problems: [err('spec.policyTypes[0]', 'policyType', 'null is not a valid policy type: valid types are Ingress, Egress')] },
    {
      title: 'an ipBlock cidr deep in the second peer',
      obj: withSpec({ ingress: [{ from: [{ podSelector: {} }, { ipBlock: { cidr: '10.0.0.0/99' } }] }] }),
      problems: [err('spec.ingress[0].from[1].ipBlock.cidr', 'cidr', '10.0.0.0/99 is not a valid CIDR')],
    },
    {
      title: 'an egress except outside its cidr',
      obj: withSpec({ egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.9.0.0/24'] } }] }] }),
      problems: [err('spec.egress[0].to[0].ipBlock.except[0]', 'except', '10.9.0.0/24 must be a strict subset of cidr 10.0.0.0/16')],
    },
    {
      title: 'a port in the second egress rule',
      obj: withSpec({ egress: [{}, { ports: [{ port: 0 }] }] }),
      problems: [err('spec.egress[1].ports[0].port', 'port', portMessage('0'))],
    },
    {
      title: 'the empty peer in an ingress rule',
      obj: withSpec({ ingress: [{ from: [{}] }] }),
      problems: [err('spec.ingress[0].from[0]', 'peer', 'must specify a peer: one of podSelector, namespaceSelector or ipBlock')],
    },
    {
      title: 'the target podSelector',
      obj: withSpec({ podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: [] }] } }),
      problems: [err('spec.podSelector.matchExpressions[0].values', 'values', 'must be non-empty when operator is In')],
    },
    {
      title: 'an AuditClusterNetworkPolicy namespaceSelector',
      obj: acnp('lockdown', { namespaceSelector: { matchLabels: { env: 'pr od' } } }),
      problems: [err('spec.namespaceSelector.matchLabels.env', 'labelValue', 'pr od is not a valid label value')],
    },
    { title: 'ingress not a list', obj: withSpec({ ingress: { from: [] } }), problems: [err('spec.ingress', 'type', 'has the wrong type: ingress must be a list of rules')] },
    { title: 'an egress rule not an object', obj: withSpec({ egress: ['allow'] }), problems: [err('spec.egress[0]', 'type', 'has the wrong type: each rule must be an object')] },
    {
      title: 'several problems, in document order',
      obj: withSpec({ ingress: [{ from: [{}], ports: [{ protocol: 'TPC' }] }], egress: [{ to: [{ ipBlock: {} }] }] }),
      problems: [
        err('spec.ingress[0].from[0]', 'peer', 'must specify a peer: one of podSelector, namespaceSelector or ipBlock'),
        err('spec.ingress[0].ports[0].protocol', 'protocol', 'TPC is not a supported protocol: valid protocols are TCP, UDP, SCTP'),
        err('spec.egress[0].to[0].ipBlock.cidr', 'required', 'is required'),
      ],
    },
  ])('$title', ({ obj, problems }) => {
    const result = compilePolicy(obj);
    expect(result.problems).toEqual(problems);
    expect(result.policy).toBeUndefined();
  });

  // Upstream rejects more than two policyTypes at spec.policyTypes, but accepts a value listed twice.
  it('three policy types are rejected at spec.policyTypes', () => {
    const { policy, problems } = compilePolicy(withSpec({ policyTypes: ['Ingress', 'Egress', 'Ingress'] }));
    expect(policy).toBeUndefined();
    expect(problems).toEqual([err('spec.policyTypes', 'values', 'may not specify more than two policyTypes')]);
  });

  it('a policy type listed twice is accepted, as upstream does', () => {
    const { policy, problems } = compilePolicy(withSpec({ policyTypes: ['Egress', 'Egress'] }));
    expect(problems).toEqual([]);
    expect(policy?.ingress).toBeNull();
    expect(policy?.egress).toEqual([]);
  });

  it('a warning alone does not stop compilation', () => {
    const { policy, problems } = compilePolicy(withSpec({ ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.1/8' } }] }] }));
    expect(problems).toEqual([
      { severity: 'warning', path: 'spec.ingress[0].from[0].ipBlock.cidr', code: 'nonCanonicalCidr', message: '10.0.0.1/8 has host bits set; it is read as its network address' },
    ]);
    expect(policy).toBeDefined();
  });
});

describe('garbage never throws', () => {
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  const nested = (depth: number): unknown => (depth === 0 ? 'x' : { from: [nested(depth - 1)] });

  // Each row names the first error's path, so a row that stopped failing would be noticed.
  it.each<{ title: string; obj: unknown; path: string; message?: string }>([
    { title: 'a number', obj: 42, path: '', message: 'has the wrong type: a policy must be an object' },
    { title: 'a string', obj: 'kind: NetworkPolicy', path: '' },
    { title: 'an array', obj: [{ kind: 'NetworkPolicy' }], path: '' },
    { title: 'null', obj: null, path: '' },
    { title: 'undefined', obj: undefined, path: '' },
    { title: 'a boolean', obj: true, path: '' },
    { title: 'an empty object', obj: {}, path: 'kind' },
    { title: 'kind a list', obj: { kind: ['NetworkPolicy'], metadata: { name: 'p' }, spec: {} }, path: 'kind', message: '["NetworkPolicy"] is not a supported kind: valid kinds are NetworkPolicy, AuditNetworkPolicy, AuditClusterNetworkPolicy' },
    { title: 'metadata a string', obj: { kind: 'NetworkPolicy', metadata: 'p', spec: {} }, path: 'metadata.name' },
    { title: 'name a number', obj: { kind: 'NetworkPolicy', metadata: { name: 7 }, spec: {} }, path: 'metadata.name' },
    { title: 'spec a string', obj: withSpec('podSelector: {}'), path: 'spec' },
    { title: 'podSelector a string', obj: withSpec({ podSelector: 'app=web' }), path: 'spec.podSelector' },
    { title: 'matchLabels a list', obj: withSpec({ podSelector: { matchLabels: ['app'] } }), path: 'spec.podSelector.matchLabels' },
    { title: 'matchExpressions a string', obj: withSpec({ podSelector: { matchExpressions: 'app in (web)' } }), path: 'spec.podSelector.matchExpressions' },
    { title: 'an expression key a number', obj: withSpec({ podSelector: { matchExpressions: [{ key: 5, operator: 'Exists' }] } }), path: 'spec.podSelector.matchExpressions[0].key' },
    { title: 'values nested lists', obj: withSpec({ podSelector: { matchExpressions: [{ key: 'a', operator: 'In', values: [[['x']]] }] } }), path: 'spec.podSelector.matchExpressions[0].values' },
    { title: 'ingress an object', obj: withSpec({ ingress: {} }), path: 'spec.ingress' },
    { title: 'an ingress rule null', obj: withSpec({ ingress: [null] }), path: 'spec.ingress[0]' },
    { title: 'from a string', obj: withSpec({ ingress: [{ from: 'everyone' }] }), path: 'spec.ingress[0].from' },
    { title: 'a peer a list', obj: withSpec({ ingress: [{ from: [[]] }] }), path: 'spec.ingress[0].from[0]' },
    { title: 'ipBlock a string', obj: withSpec({ egress: [{ to: [{ ipBlock: '10.0.0.0/8' }] }] }), path: 'spec.egress[0].to[0].ipBlock' },
    { title: 'cidr an object', obj: withSpec({ egress: [{ to: [{ ipBlock: { cidr: {} } }] }] }), path: 'spec.egress[0].to[0].ipBlock.cidr', message: '{} is not a valid CIDR' },
    { title: 'ports a string', obj: withSpec({ ingress: [{ ports: 'http' }] }), path: 'spec.ingress[0].ports' },
    { title: 'a port an object', obj: withSpec({ egress: [{ ports: [{ port: {} }] }] }), path: 'spec.egress[0].ports[0].port', message: '{} is not a valid port: use a number from 1 to 65535 or a port name (IANA_SVC_NAME)' },
    { title: 'a protocol number', obj: withSpec({ ingress: [{ ports: [{ protocol: 6 }] }] }), path: 'spec.ingress[0].ports[0].protocol', message: '6 is not a supported protocol: valid protocols are TCP, UDP, SCTP' },
    // show() cannot JSON-encode these; it falls back to the type name.
    { title: 'a circular port value', obj: withSpec({ ingress: [{ ports: [{ port: circular }] }] }), path: 'spec.ingress[0].ports[0].port', message: 'object is not a valid port: use a number from 1 to 65535 or a port name (IANA_SVC_NAME)' },
    { title: 'a bigint port', obj: withSpec({ ingress: [{ ports: [{ port: 80n }] }] }), path: 'spec.ingress[0].ports[0].port', message: 'bigint is not a valid port: use a number from 1 to 65535 or a port name (IANA_SVC_NAME)' },
    { title: 'a deeply nested wrong shape', obj: withSpec({ ingress: [nested(30)] }), path: 'spec.ingress[0].from[0]' },
    { title: 'namespaceSelector a number', obj: acnp('x', { namespaceSelector: 5 as unknown as object }), path: 'spec.namespaceSelector' },
    { title: 'a JSON __proto__ key in the spec', obj: withSpec(JSON.parse('{"__proto__": {"ingress": 1}, "ingress": [{"from": [{}]}]}')), path: 'spec.ingress[0].from[0]' },
  ])('$title', ({ obj, path, message }) => {
    let result: ReturnType<typeof compilePolicy> | undefined;
    expect(() => (result = compilePolicy(obj))).not.toThrow();
    expect(result?.policy).toBeUndefined();
    const first = result?.problems.find((p) => p.severity === 'error');
    expect(first?.path).toBe(path);
    if (message !== undefined) expect(first?.message).toBe(message);
  });
});
