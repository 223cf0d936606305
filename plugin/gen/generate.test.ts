/**
 * What the generator refuses, warns about and guarantees: selectors that select nothing, too
 * much or the wrong pods; workloads it cannot or should not cover; thin evidence; provenance;
 * and the property that matters most, checked on seeded random clusters and traffic: the policies
 * deny none of the flows they were learned from (and when they would, nothing is emitted).
 */
import { describe, expect, it } from 'vitest';
import { judge } from './check.js';
import { GenerationUnsafe } from './generate.js';
import { RULES_ANNOTATION, SOURCE_ANNOTATION } from './policy.js';
import { controller, f, flowLines, gen, node, pod, type TimedFlow } from './testing/cluster.js';
import { clusterOf } from './testing/cluster.js';
import { seededRandom } from '../../runtime/testing/seeded-random.js';

const api = (name: string, labels: Record<string, string>, ip: string): ReturnType<typeof pod> =>
  pod(`prod/${name}`, { labels: { ...labels, 'pod-template-hash': name.split('-')[1] ?? '' }, owner: ['ReplicaSet', name.split('-').slice(0, 2).join('-')], ips: [ip] });

describe('refusals', () => {
  it.each([
    {
      title: 'a selector that selects none of its pods (template changed, pods not rolled yet)',
      items: [controller('Deployment', 'prod/api', { app: 'api', version: 'v2' }), api('api-1-a', { app: 'api', version: 'v1' }, '10.0.0.1')],
      workload: 'prod/deployment/api',
      severity: 'refused',
      reason: /its selector app=api,version=v2 selects none of its 1 pods/,
    },
    {
      title: 'a selector that selects only some of its pods',
      items: [controller('Deployment', 'prod/api', { app: 'api', version: 'v2' }), api('api-1-a', { app: 'api', version: 'v1' }, '10.0.0.1'), api('api-2-a', { app: 'api', version: 'v2' }, '10.0.0.2')],
      workload: 'prod/deployment/api',
      severity: 'refused',
      reason: /selects only 1 of its 2 pods/,
    },
    {
      title: "a selector that also selects another workload's pods",
      items: [
        controller('Deployment', 'prod/api', { app: 'api' }),
        controller('Deployment', 'prod/worker', { app: 'api', role: 'worker' }),
        api('api-1-a', { app: 'api' }, '10.0.0.1'),
        pod('prod/worker-2-a', { labels: { app: 'api', role: 'worker', 'pod-template-hash': '2' }, owner: ['ReplicaSet', 'worker-2'], ips: ['10.0.0.2'] }),
      ],
      workload: 'prod/deployment/api',
      severity: 'refused',
      reason: /its selector app=api also selects prod\/worker-2-a, which belong to other workloads/,
    },
    {
      title: 'no stable labels: {} would select the whole namespace',
      items: [pod('prod/naked', { ips: ['10.0.0.1'], labels: { 'pod-template-hash': 'x' } })],
      workload: 'prod/pod/naked',
      severity: 'refused',
      reason: /no stable labels to select it by \(a podSelector of \{\} would select every pod in namespace prod\)/,
    },
    {
      title: 'host network: never selected by a policy',
      items: [pod('kube-system/proxy', { labels: { app: 'proxy' }, ips: ['192.168.0.1'], hostNetwork: true })],
      workload: 'kube-system/pod/proxy',
      severity: 'skipped',
      reason: /host network/,
    },
  ])('$title', ({ items, workload, severity, reason }) => {
    const flows = [f('203.0.113.1', '10.0.0.1', 'TCP', 80), f('203.0.113.1', '10.0.0.2', 'TCP', 80), f('203.0.113.1', '192.168.0.1', 'TCP', 80)];
    const result = gen(items, flows, {}, [workload]);
    expect(result.policies.map((p) => p.object.metadata.name)).not.toContain(`gen-${workload.split('/')[2] ?? ''}`);
    expect(result.refused).toEqual([{ workload, severity, reason: expect.stringMatching(reason) as string }]);
  });

  it('a workload seen in no flow is skipped: a policy from nothing would deny all its traffic', () => {
    const result = gen([pod('prod/idle', { labels: { app: 'idle' }, ips: ['10.0.0.9'] }), pod('prod/busy', { labels: { app: 'busy' }, ips: ['10.0.0.1'] })], [f('203.0.113.1', '10.0.0.1')]);
    expect(result.policies.map((p) => p.object.metadata.name)).toEqual(['gen-busy']);
    expect(result.refused).toEqual([{ workload: 'prod/pod/idle', severity: 'skipped', reason: expect.stringContaining('no flows were observed') as string }]);
  });

  it('two workloads of one name in a namespace get their kind in the policy name', () => {
    const items = [controller('Deployment', 'prod/web', { app: 'web' }), controller('StatefulSet', 'prod/web', { app: 'web-db' }), api('web-1-a', { app: 'web' }, '10.0.0.1'), pod('prod/web-0', { labels: { app: 'web-db' }, owner: ['StatefulSet', 'web'], ips: ['10.0.0.2'] })];
    const result = gen(items, [f('10.0.0.1', '10.0.0.2', 'TCP', 5432)]);
    expect(result.policies.map((p) => p.object.metadata.name)).toEqual(['gen-deployment-web', 'gen-statefulset-web']);
  });
});

describe('the zero-would-deny guarantee', () => {
  it('a peer whose pods no longer carry its template labels would be denied: nothing is emitted', () => {
    // The client's egress peer is written with api's template labels, which its running pod lacks.
    const items = [controller('Deployment', 'prod/api', { app: 'api', version: 'v2' }), api('api-1-a', { app: 'api', version: 'v1' }, '10.0.0.1'), pod('prod/client', { labels: { app: 'client' }, ips: ['10.0.0.5'] })];
    let thrown: unknown;
    try {
      gen(items, [f('prod/client', 'prod/api-1-a', 'TCP', 80)], {}, ['prod/pod/client']);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(GenerationUnsafe);
    const denials = (thrown as GenerationUnsafe).denials;
    expect(denials).toHaveLength(1);
    expect(denials[0]).toMatchObject({ line: 1, policy: 'prod/gen-client', direction: 'Egress' });
  });

  function randomWorld(seed: number): { items: ReturnType<typeof pod>[]; flows: TimedFlow[] } {
    const r = seededRandom(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
    const items: ReturnType<typeof pod>[] = [node('n1', '192.168.0.1', 'fd00:ff::1'), node('n2', '192.168.0.2')];
    const ends: { ref: string; ips: string[] }[] = [];
    let ip = 1;
    for (const ns of ['a', 'b', 'c']) {
      for (let w = 0; w < 1 + Math.floor(r() * 3); w++) {
        const name = `w${w}`;
        const labels = { app: `${ns}-${name}`, ...(r() < 0.5 ? { tier: pick(['web', 'db']) } : {}) };
        items.push(controller('Deployment', `${ns}/${name}`, labels));
        const named = r() < 0.7;
        for (let p = 0; p < 1 + Math.floor(r() * 3); p++) {
          const ips = [`10.${ns.charCodeAt(0)}.${w}.${ip}`, ...(r() < 0.3 ? [`fd00::${ip.toString(16)}`] : [])];
          ip++;
          // Some pods of a workload name a port and some do not.
          const ports = [{ ...(named || r() < 0.5 ? { name: 'http' } : {}), containerPort: 8080 }, { name: 'dns', containerPort: 53, protocol: 'UDP' }];
          items.push(pod(`${ns}/${name}-h${w}-p${p}`, { labels: { ...labels, 'pod-template-hash': `h${w}` }, owner: ['ReplicaSet', `${name}-h${w}`], ips, ports, hostIP: pick(['192.168.0.1', '192.168.0.2']) }));
          ends.push({ ref: `${ns}/${name}-h${w}-p${p}`, ips });
        }
      }
    }
    items.push(pod('kube-system/hostnet', { labels: { app: 'hostnet' }, ips: ['192.168.0.2'], hostNetwork: true }));
    const outside = ['203.0.113.5', '203.0.113.77', '198.51.100.9', '2001:db8::7', '192.168.0.1', 'fd00:ff::1', 'kube-system/hostnet'];
    const endText = (e: { ref: string; ips: string[] }): string => (r() < 0.5 ? e.ref : pick(e.ips));
    const flows: TimedFlow[] = [];
    for (let i = 0; i < 60; i++) {
      const a = pick(ends);
      const b = pick(ends);
      const protocol = pick(['TCP', 'UDP', 'SCTP'] as const);
      const port = pick([53, 80, 443, 8080, 9090, 5432]);
      const seen = { count: 1 + Math.floor(r() * 20), firstSeen: new Date(Date.UTC(2026, 10, 1) + Math.floor(r() * 6e8)).toISOString() };
      const roll = r();
      // Same family on both ends when one is given by an IPv6 address.
      if (roll < 0.6) flows.push(f(endText(a), endText(b), protocol, port, seen));
      else if (roll < 0.8) flows.push(f(pick(outside), a.ref, protocol, port, seen));
      else flows.push(f(a.ref, pick(outside), protocol, port, seen));
    }
    return { items, flows };
  }

  it.each(Array.from({ length: 40 }, (_, i) => ({ seed: 1000 + i })))('seed $seed: no learned flow is denied, with and without aggregation', ({ seed }) => {
    const { items, flows } = randomWorld(seed);
    for (const settings of [{}, { aggregateV4: 16, aggregateV6: 48 }]) {
      const result = gen(items, flows, settings);
      expect(result.policies.length).toBeGreaterThan(0);
      expect(result.refused.filter((x) => x.severity === 'refused')).toEqual([]);
      // Judged again here, apart from the generator's own check.
      const { snapshot } = clusterOf(items);
      const denials = judge(snapshot.namespaces, snapshot.pods.map((p) => p.info), result.policies.map((p) => p.object)).denials(flowLines(flows));
      expect(denials).toEqual([]);
    }
  });
});

describe('evidence and provenance', () => {
  const items = [pod('prod/api', { labels: { app: 'api' }, ips: ['10.0.0.1'] })];
  const at = (firstSeen: string, lastSeen: string, count: number): Partial<TimedFlow> => ({ firstSeen, lastSeen, count });

  it('each rule says how many flows it stands for and from when to when; the policy sums them', () => {
    const result = gen(items, [f('203.0.113.1', '10.0.0.1', 'TCP', 80, at('2026-12-01T08:00:00Z', '2026-12-01T09:00:00Z', 5)), f('203.0.113.1', '10.0.0.1', 'TCP', 443, at('2026-12-01T07:00:00Z', '2026-12-01T08:30:00Z', 2)), f('10.0.0.1', '198.51.100.1', 'UDP', 123, at('2026-12-02T00:00:00Z', '2026-12-02T00:00:00Z', 1))]);
    const annotations = result.policies[0]?.object.metadata.annotations ?? {};
    expect(annotations[RULES_ANNOTATION]).toBe(['ingress[0]: 7 flows, 2026-12-01T07:00:00Z to 2026-12-01T09:00:00Z', 'egress[0]: 1 flow, 2026-12-02T00:00:00Z to 2026-12-02T00:00:00Z'].join('\n'));
    expect(annotations[SOURCE_ANNOTATION]).toBe('test: 8 flows, 2026-12-01T07:00:00Z to 2026-12-02T00:00:00Z');
  });

  it('flows without times say so', () => {
    const result = gen(items, [f('203.0.113.1', '10.0.0.1')]);
    expect(result.policies[0]?.object.metadata.annotations[RULES_ANNOTATION]).toBe('ingress[0]: 1 flow, time not recorded');
  });

  it.each([
    { title: 'fewer flows than --min-flows', minFlows: 10, recentAfter: undefined, expected: [/thin evidence for prod\/pod\/api: 3 flows, .* \(fewer than 10\)/] },
    { title: 'first seen late in the window', minFlows: 1, recentAfter: Date.parse('2026-12-01T00:00:00Z'), expected: [/thin evidence for prod\/pod\/api: first seen 2026-12-01T08:00:00Z, late in the window/] },
    { title: 'enough flows, seen early: no warning', minFlows: 3, recentAfter: Date.parse('2026-12-02T00:00:00Z'), expected: [] },
  ])('warns on thin evidence: $title', ({ minFlows, recentAfter, expected }) => {
    const result = gen(items, [f('203.0.113.1', '10.0.0.1', 'TCP', 80, at('2026-12-01T08:00:00Z', '2026-12-01T09:00:00Z', 3))], { minFlows, recentAfter });
    expect(result.policies).toHaveLength(1);
    expect(result.warnings).toHaveLength(expected.length);
    expected.forEach((re, i) => {
      expect(result.warnings[i]).toMatch(re);
    });
  });

  it('flows naming pods that are gone are left out, and said so', () => {
    const result = gen(items, [f('203.0.113.1', '10.0.0.1'), f('prod/api-old', '10.0.0.1'), f('prod/api-old', '10.0.0.1', 'TCP', 81)]);
    expect(result.warnings).toEqual(['warning: 2 flow lines name pods the cluster no longer has (prod/api-old); they were left out of generation and of the check']);
    expect(result.policies[0]?.ingress).toHaveLength(1);
  });
});
