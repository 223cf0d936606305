/**
 * The model's rules on plain objects: IP history (a reused IP), agent stamps, Service
 * translation (one backend, named target ports, several backends, none), `only` filtering and
 * retention. Verdicts come from the real engine; nothing here re-implements its semantics.
 */
import { describe, expect, it } from 'vitest';
import { parseEvaluateRequest } from '../../../contracts/evaluate-request.js';
import type { EvaluateItem } from './model-types.js';
import { ClusterIndex } from './cluster-index.js';
import { createIndexedModel, indexOptions, type IndexedModel } from './indexed-model.js';
import { FlowJudge } from './flow-judge.js';
import type { FlowEvaluation, NamedEnd } from './engine.js';
import { namespaceObject, podObject, policyObject, serviceObject, sliceObject } from '../testing/raw-objects.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString();

function setup(): { model: IndexedModel; index: ClusterIndex; clock: { now: number } } {
  const clock = { now: T0 };
  const index = new ClusterIndex(indexOptions({ now: () => clock.now, retentionMs: 3_600_000 }));
  index.applyNamespace(namespaceObject('prod', { team: 'pay' }));
  index.applyNamespace(namespaceObject('web'));
  // db only admits app=api on 5432; the ANP isolates prod/db.
  index.applyPolicy(
    'AuditNetworkPolicy',
    policyObject('AuditNetworkPolicy', 'prod', 'db-ingress', {
      podSelector: { matchLabels: { app: 'db' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 'pg' }] }],
    }),
  );
  return { model: createIndexedModel({ index }), index, clock };
}

function item(src: NamedEnd, dst: NamedEnd, port: number, at = T0, id = 1): EvaluateItem {
  return { id, observedAt: iso(at), count: 1, direction: 'Ingress', flow: { src, dst, protocol: 'TCP', port } };
}

function judge(model: IndexedModel, ...items: EvaluateItem[]): FlowEvaluation[] {
  const out = model.evaluate(items);
  if (out.status !== 'ok') throw new Error(`unexpected ${out.status}`);
  return out.results.map((r) => r.evaluation);
}

const pgPorts = [{ name: 'pg', containerPort: 5432 }];

describe('IP history', () => {
  it('judges flows to a reused IP against the pod that held it at the flow time', () => {
    const { model, index, clock } = setup();
    index.applyPod(podObject('web', 'old-api', { labels: { app: 'api' }, ips: ['10.0.0.5'], created: iso(T0 - 60_000) }));
    index.applyPod(podObject('prod', 'db-0', { labels: { app: 'db' }, ips: ['10.0.1.1'], ports: pgPorts, created: iso(T0 - 60_000) }));
    clock.now = T0 + 10_000;
    index.removePod(podObject('web', 'old-api'));
    index.applyPod(podObject('web', 'new-web', { labels: { app: 'web' }, ips: ['10.0.0.5'], created: iso(T0 + 20_000) }));
    const [before, after] = judge(model, item({ ip: '10.0.0.5' }, { ip: '10.0.1.1' }, 5432, T0 + 5_000), item({ ip: '10.0.0.5' }, { ip: '10.0.1.1' }, 5432, T0 + 30_000, 2));
    expect(before?.src).toEqual({ namespace: 'web', pod: 'old-api' });
    expect(before?.verdicts.map((v) => v.verdict)).toEqual(['Allow']);
    expect(after?.src).toEqual({ namespace: 'web', pod: 'new-web' });
    expect(after?.verdicts.map((v) => v.verdict)).toEqual(['WouldDeny']);
  });

  it('says so when no known pod held the IP at the flow time, and judges it by address only', () => {
    const { model, index } = setup();
    index.applyPod(podObject('web', 'api', { labels: { app: 'api' }, ips: ['10.0.0.5'], created: iso(T0) }));
    index.applyPod(podObject('prod', 'db-0', { labels: { app: 'db' }, ips: ['10.0.1.1'], ports: pgPorts, created: iso(T0 - 3_600_000) }));
    const [e] = judge(model, item({ ip: '10.0.0.5' }, { ip: '10.0.1.1' }, 5432, T0 - 60_000));
    expect(e?.src).toBeNull();
    expect(e?.verdicts[0]?.verdict).toBe('WouldDeny');
    expect(e?.verdicts[0]?.reason).toContain('10.0.0.5 was owned by no known pod at the flow\'s time');
    expect(e?.notes.join(' ')).toContain('10.0.0.5 was owned by no known pod');
    expect(JSON.stringify(e)).not.toContain('~unowned~');
  });

  it('lets an agent-stamped namespace and pod win over the IP', () => {
    const { model, index } = setup();
    index.applyPod(podObject('web', 'api', { labels: { app: 'api' }, ips: ['10.0.0.5'], created: iso(T0 - 1000) }));
    index.applyPod(podObject('web', 'web-1', { labels: { app: 'web' }, ips: ['10.0.0.6'], created: iso(T0 - 1000) }));
    index.applyPod(podObject('prod', 'db-0', { labels: { app: 'db' }, ips: ['10.0.1.1'], ports: pgPorts, created: iso(T0 - 1000) }));
    const [e] = judge(model, item({ ip: '10.0.0.5', namespace: 'web', pod: 'web-1' }, { ip: '10.0.1.1' }, 5432));
    expect(e?.src).toEqual({ namespace: 'web', pod: 'web-1' });
    expect(e?.verdicts[0]?.verdict).toBe('WouldDeny');
  });

  // The route keeps a request's unknown members (a newer broker may send more). Which end no pod
  // owned is the evaluator's finding from IP history: a request that says so is not believed.
  it.each([
    { title: 'an engine tag on a stamped end', src: { ip: '10.0.0.9', namespace: 'web', pod: 'api', kind: 'unowned' } },
    { title: 'an engine tag on an address', src: { ip: '10.0.0.5', kind: 'unowned' } },
    { title: 'the old flag on an address', src: { ip: '10.0.0.5', unowned: true } },
  ])('ignores a request end claiming no pod owned it: $title', ({ src }) => {
    const { model, index } = setup();
    index.applyPod(podObject('web', 'api', { labels: { app: 'api' }, ips: ['10.0.0.5'], created: iso(T0 - 1000) }));
    index.applyPod(podObject('prod', 'db-0', { labels: { app: 'db' }, ips: ['10.0.1.1'], ports: pgPorts, created: iso(T0 - 1000) }));
    const body = { flows: [{ id: 1, observedAt: iso(T0), count: 1, direction: 'Ingress', flow: { src, dst: { ip: '10.0.1.1' }, protocol: 'TCP', port: 5432 } }] };
    const parsed = parseEvaluateRequest(JSON.parse(JSON.stringify(body)));
    if (!parsed.ok) throw parsed.error;
    const [e] = judge(model, ...parsed.value.flows);
    expect(e?.src).toEqual({ namespace: 'web', pod: 'api' });
    expect(e?.verdicts.map((v) => v.verdict)).toEqual(['Allow']);
    expect(e?.notes).toEqual([]);
  });

  it('keeps a deleted pod known by name for the retention period, then forgets it', () => {
    const { model, index, clock } = setup();
    index.applyPod(podObject('web', 'api', { labels: { app: 'api' }, ips: ['10.0.0.5'], created: iso(T0 - 1000) }));
    index.applyPod(podObject('prod', 'db-0', { labels: { app: 'db' }, ips: ['10.0.1.1'], ports: pgPorts, created: iso(T0 - 1000) }));
    index.removePod(podObject('web', 'api'));
    const flow = item({ ip: '10.0.0.5', namespace: 'web', pod: 'api' }, { ip: '10.0.1.1' }, 5432);
    expect(judge(model, flow)[0]?.verdicts[0]?.verdict).toBe('Allow');
    clock.now = T0 + 3_600_001;
    index.sweep();
    const [gone] = judge(model, flow);
    expect(gone?.verdicts[0]?.verdict).toBe('WouldDeny');
    expect(gone?.notes.join(' ')).toContain('source pod web/api is not known');
    expect(model.stats().ipHistory).toBe(1);
  });
});

describe('Service addresses', () => {
  function withService(backends: { pod: string; ip: string; ready?: boolean }[], targetPort: number | string = 'pg'): ReturnType<typeof setup> {
    const s = setup();
    s.index.applyPod(podObject('web', 'api', { labels: { app: 'api' }, ips: ['10.0.0.5'], created: iso(T0 - 1000) }));
    for (const b of backends)
      s.index.applyPod(podObject('prod', b.pod, { labels: { app: b.pod.startsWith('db') ? 'db' : 'cache' }, ips: [b.ip], ports: pgPorts, created: iso(T0 - 1000) }));
    s.index.applyService(serviceObject('prod', 'db', ['10.96.0.10', 'fd00:96::10'], [{ name: 'sql', port: 80, targetPort }]));
    s.index.applyEndpointSlice(sliceObject('prod', 'db-abc', 'db', { endpoints: backends.map((b) => ({ ip: b.ip, pod: b.pod, ...(b.ready === undefined ? {} : { ready: b.ready }) })), ports: [{ name: 'sql', port: 5432 }] }));
    return s;
  }

  it.each([
    { title: 'a named targetPort resolved through the EndpointSlice', targetPort: 'pg' },
    { title: 'a numeric targetPort', targetPort: 5432 },
  ])('judges a flow to ClusterIP:port as one to the backend on its target port ($title)', ({ targetPort }) => {
    const { model } = withService([{ pod: 'db-0', ip: '10.0.1.1' }, { pod: 'db-1', ip: '10.0.1.2', ready: false }], targetPort);
    const [e] = judge(model, item({ ip: '10.0.0.5' }, { ip: '10.96.0.10' }, 80));
    expect(e?.dst).toEqual({ namespace: 'prod', pod: 'db-0' });
    expect(e?.verdicts.map((v) => [v.policy, v.verdict, v.rule])).toEqual([['prod/db-ingress', 'Allow', 0]]);
    expect(e?.notes).toContain('destination 10.96.0.10:80/TCP is Service prod/db; judged as its one ready backend, prod/db-0:5432');
  });

  it('judges against every ready backend when the one reached is unknown, and says which', () => {
    const { model } = withService([{ pod: 'db-0', ip: '10.0.1.1' }, { pod: 'cache-0', ip: '10.0.1.2' }]);
    const [e] = judge(model, item({ ip: '10.0.0.5' }, { ip: '10.96.0.10' }, 80));
    expect(e?.dst).toBeNull();
    expect(e?.verdicts).toHaveLength(1);
    const v = e?.verdicts[0];
    expect(v?.verdict).toBe('Allow');
    expect(v?.reason).toMatch(/^Service prod\/db \(10\.96\.0\.10:80\/TCP\) has 2 ready backends \(prod\/cache-0:5432, prod\/db-0:5432\) and the one this flow reached is unknown; the policy applies to 1 of them, it allows all: /);
    expect(e?.notes.join(' ')).toContain('the backend reached is unknown');
  });

  it('is WouldDeny when any backend would be denied, naming both sides', () => {
    const { model, index } = withService([{ pod: 'db-0', ip: '10.0.1.1' }, { pod: 'db-1', ip: '10.0.1.2' }]);
    index.applyPod(podObject('prod', 'db-1', { labels: { app: 'db', tier: 'locked' }, ips: ['10.0.1.2'], ports: [{ name: 'pg', containerPort: 5433 }], created: iso(T0 - 1000) }));
    index.applyEndpointSlice(sliceObject('prod', 'db-abc', 'db', { endpoints: [{ ip: '10.0.1.1', pod: 'db-0' }], ports: [{ name: 'sql', port: 5432 }] }));
    index.applyEndpointSlice(sliceObject('prod', 'db-def', 'db', { endpoints: [{ ip: '10.0.1.2', pod: 'db-1' }], ports: [{ name: 'sql', port: 5433 }] }));
    index.applyPolicy('AuditNetworkPolicy', policyObject('AuditNetworkPolicy', 'prod', 'db-ingress', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ ports: [{ port: 5432 }] }] }, { generation: 2 }));
    const [e] = judge(model, item({ ip: '10.0.0.5' }, { ip: '10.96.0.10' }, 80));
    expect(e?.verdicts[0]?.verdict).toBe('WouldDeny');
    expect(e?.verdicts[0]?.reason).toContain('judged against each, it allows prod/db-0:5432 but would deny prod/db-1:5433');
    expect(e?.effective.ingress).toBe('Deny');
  });

  it('uses the backend the agent stamped, on its target port', () => {
    const { model } = withService([{ pod: 'db-0', ip: '10.0.1.1' }, { pod: 'cache-0', ip: '10.0.1.2' }]);
    const [e] = judge(model, item({ ip: '10.0.0.5' }, { ip: '10.96.0.10', namespace: 'prod', pod: 'db-0' }, 80));
    expect(e?.dst).toEqual({ namespace: 'prod', pod: 'db-0' });
    expect(e?.verdicts[0]?.verdict).toBe('Allow');
  });

  it('judges the address itself, and says so, when the Service has no ready backend', () => {
    const { model } = withService([{ pod: 'db-0', ip: '10.0.1.1', ready: false }]);
    const [e] = judge(model, item({ ip: '10.0.0.5' }, { ip: '10.96.0.10' }, 80));
    expect(e?.dst).toBeNull();
    expect(e?.notes).toContain('destination 10.96.0.10:80/TCP is Service prod/db, which has no ready backend; judged as the Service address itself');
  });

  it('translates an IPv6 ClusterIP with backends of its own family only', () => {
    const { model, index } = withService([{ pod: 'db-0', ip: '10.0.1.1' }]);
    index.applyPod(podObject('prod', 'db-0', { labels: { app: 'db' }, ips: ['10.0.1.1', 'fd00::1:1'], ports: pgPorts, created: iso(T0 - 1000) }));
    index.applyEndpointSlice(sliceObject('prod', 'db-v6', 'db', { endpoints: [{ ip: 'fd00::1:1', pod: 'db-0' }], ports: [{ name: 'sql', port: 5432 }], addressType: 'IPv6' }));
    const [e] = judge(model, item({ ip: 'fd00::5' }, { ip: 'fd00:96:0:0::10' }, 80));
    expect(e?.notes).toContain('destination fd00:96::10:80/TCP is Service prod/db; judged as its one ready backend, prod/db-0:5432');
  });
});

describe('only', () => {
  it('keeps only that policy\'s verdicts, and refuses a generation the model does not hold', () => {
    const { model, index } = setup();
    index.applyPod(podObject('web', 'api', { labels: { app: 'api' }, ips: ['10.0.0.5'], created: iso(T0 - 1000) }));
    index.applyPod(podObject('prod', 'db-0', { labels: { app: 'db' }, ips: ['10.0.1.1'], ports: pgPorts, created: iso(T0 - 1000) }));
    index.applyPolicy('NetworkPolicy', policyObject('NetworkPolicy', 'prod', 'deny-all', { podSelector: {} }));
    const flow = item({ ip: '10.0.0.5' }, { ip: '10.0.1.1' }, 5432);
    expect(judge(model, flow)[0]?.verdicts).toHaveLength(2);
    const uid = 'uid-AuditNetworkPolicy-prod-db-ingress';
    const only = model.evaluate([flow], { uid, generation: 1 });
    expect(only.status === 'ok' && only.results[0]?.evaluation.verdicts.map((v) => v.ref)).toEqual([{ kind: 'AuditNetworkPolicy', namespace: 'prod', name: 'db-ingress', uid, generation: 1 }]);
    expect(model.evaluate([flow], { uid, generation: 2 })).toEqual({ status: 'generation-mismatch', uid, current: 1 });
    expect(model.evaluate([flow], { uid: 'nope', generation: 1 })).toEqual({ status: 'generation-mismatch', uid: 'nope', current: null });
  });
});

describe('audit policy versions', () => {
  it('tells listeners of additions, generation changes and deletions, not of status writes', () => {
    const { model, index } = setup();
    const heard: string[] = [];
    model.onAuditPolicyChange((p, deleted) => heard.push(`${p.name}@${p.generation}${deleted ? ' deleted' : ''}${p.problems.length ? ' invalid' : ''}`));
    const spec = { podSelector: {}, namespaceSelector: { matchLabels: { team: 'pay' } } };
    index.applyPolicy('AuditClusterNetworkPolicy', policyObject('AuditClusterNetworkPolicy', '', 'wide', spec, { generation: 1 }));
    const version = index.state.version;
    index.applyPolicy('AuditClusterNetworkPolicy', { ...policyObject('AuditClusterNetworkPolicy', '', 'wide', spec, { generation: 1 }), status: { observedGeneration: 1 } });
    expect(index.state.version).toBe(version);
    index.applyPolicy('AuditClusterNetworkPolicy', policyObject('AuditClusterNetworkPolicy', '', 'wide', { podSelector: { matchLabels: { a: 'b' } }, policyTypes: ['Sideways'] }, { generation: 2 }));
    index.removePolicy('AuditClusterNetworkPolicy', policyObject('AuditClusterNetworkPolicy', '', 'wide', spec, { generation: 2 }));
    expect(heard).toEqual(['wide@1', 'wide@2 invalid', 'wide@2 deleted invalid']);
    expect(model.auditPolicies().map((p) => p.name)).toEqual(['db-ingress']);
  });
});

describe('an address held by one pod since its creation', () => {
  const created = T0 - 60_000;
  it.each([
    { title: 'a flow after the creation is the pod\'s', at: T0, source: { namespace: 'web', pod: 'api' } },
    { title: 'at the creation', at: created, source: { namespace: 'web', pod: 'api' } },
    { title: 'within the clock skew before it', at: created - 5_000, source: { namespace: 'web', pod: 'api' } },
    { title: 'beyond the skew: owned by no pod', at: created - 5_001, source: null },
  ])('$title', ({ at, source }) => {
    const { index } = setup();
    index.applyPod(podObject('web', 'api', { labels: { app: 'api' }, ips: ['10.0.0.5'], created: iso(created) }));
    const judge = new FlowJudge(index);
    // Flows at other times first, so the address is known before this one comes.
    for (const t of [T0, created - 10_000, at, at]) {
      const e = judge.judge(item({ ip: '10.0.0.5' }, { ip: '10.0.1.1' }, 5432, t));
      expect(e).toEqual(new FlowJudge(index).judge(item({ ip: '10.0.0.5' }, { ip: '10.0.1.1' }, 5432, t)));
      if (t === at) expect(e.src).toEqual(source);
    }
  });
});

describe('ends identified once and kept until the cluster changes', () => {
  interface Case {
    title: string;
    /** Applied between two judgements of flows over the same ends: the first identifies them. */
    change: (index: ClusterIndex, clock: { now: number }) => void;
    src: NamedEnd;
    at?: number;
    verdicts: string[];
    source: { namespace: string; pod: string } | null;
  }
  const api: NamedEnd = { ip: '10.0.0.5' };
  const cases: Case[] = [
    {
      title: 'a source pod relabelled',
      change: (index) => { index.applyPod(podObject('web', 'api', { labels: { app: 'web' }, ips: ['10.0.0.5'], created: iso(T0 - 60_000) })); },
      src: api,
      verdicts: ['WouldDeny'],
      source: { namespace: 'web', pod: 'api' },
    },
    {
      title: 'the destination pod relabelled out of the policy',
      change: (index) => { index.applyPod(podObject('prod', 'db-0', { labels: { app: 'cache' }, ips: ['10.0.1.1'], ports: pgPorts, created: iso(T0 - 60_000) })); },
      src: api,
      verdicts: [],
      source: { namespace: 'web', pod: 'api' },
    },
    {
      title: 'a stamped source pod deleted and forgotten',
      change: (index, clock) => {
        index.removePod(podObject('web', 'api'));
        clock.now = T0 + 3_600_001;
        index.sweep();
      },
      src: { ip: '10.0.0.5', namespace: 'web', pod: 'api' },
      verdicts: ['WouldDeny'],
      source: null,
    },
    {
      title: 'a pod recreated under the same name and address with other labels',
      change: (index) => { index.applyPod(podObject('web', 'api', { uid: 'second', labels: { app: 'web' }, ips: ['10.0.0.5'], created: iso(T0 - 30_000) })); },
      src: api,
      verdicts: ['WouldDeny'],
      source: { namespace: 'web', pod: 'api' },
    },
    {
      title: 'the address taken by a new pod: a flow after the change goes to the new owner',
      change: (index, clock) => {
        clock.now = T0 + 10_000;
        index.removePod(podObject('web', 'api'));
        index.applyPod(podObject('web', 'new-web', { labels: { app: 'web' }, ips: ['10.0.0.5'], created: iso(T0 + 20_000) }));
      },
      src: api,
      at: T0 + 30_000,
      verdicts: ['WouldDeny'],
      source: { namespace: 'web', pod: 'new-web' },
    },
    {
      title: 'the address taken by a new pod: a flow from before the change stays the old owner\'s',
      change: (index, clock) => {
        clock.now = T0 + 10_000;
        index.removePod(podObject('web', 'api'));
        index.applyPod(podObject('web', 'new-web', { labels: { app: 'web' }, ips: ['10.0.0.5'], created: iso(T0 + 20_000) }));
      },
      src: api,
      verdicts: ['Allow'],
      source: { namespace: 'web', pod: 'api' },
    },
    {
      title: 'the address history changed alone, with no pod event: a flow after the change goes to the new owner',
      change: (index) => {
        index.history.release('uid-web-api', T0 + 10_000);
        index.history.claim('10.0.0.5', 'prod/db-0', 'uid-prod-db-0', T0 + 20_000);
      },
      src: api,
      at: T0 + 30_000,
      verdicts: [],
      source: { namespace: 'prod', pod: 'db-0' },
    },
    {
      title: 'the address history changed alone: a flow between the owners is owned by no pod',
      change: (index) => {
        index.history.release('uid-web-api', T0 - 10_000);
      },
      src: api,
      verdicts: ['WouldDeny'],
      source: null,
    },
    {
      title: 'a policy changed under an identified end',
      change: (index) => {
        index.applyPolicy('AuditNetworkPolicy', policyObject('AuditNetworkPolicy', 'prod', 'db-ingress', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [] }, { generation: 2 }));
      },
      src: api,
      verdicts: ['WouldDeny'],
      source: { namespace: 'web', pod: 'api' },
    },
  ];

  it.each(cases)('$title', ({ change, src, at, verdicts, source }) => {
    const { index, clock } = setup();
    index.applyPod(podObject('web', 'api', { labels: { app: 'api' }, ips: ['10.0.0.5'], created: iso(T0 - 60_000) }));
    index.applyPod(podObject('prod', 'db-0', { labels: { app: 'db' }, ips: ['10.0.1.1'], ports: pgPorts, created: iso(T0 - 60_000) }));
    const judge = new FlowJudge(index);
    // Twice: a flow enters the memo on its second sighting.
    for (let k = 0; k < 2; k++) expect(judge.judge(item(src, { ip: '10.0.1.1' }, 5432)).verdicts.map((v) => v.verdict)).toEqual(['Allow']);
    expect(judge.size()).toBe(1);
    change(index, clock);
    const flow = item(src, { ip: '10.0.1.1' }, 5432, at ?? T0);
    const e = judge.judge(flow);
    expect(e.src).toEqual(source);
    expect(e.verdicts.map((v) => v.verdict)).toEqual(verdicts);
    expect(e).toEqual(new FlowJudge(index).judge(flow));
  });
});

describe('memo', () => {
  /** Pods and addresses whose flows differ only in one part of the memo key each. */
  function grid(): { index: ClusterIndex; items: EvaluateItem[] } {
    const { index } = setup();
    index.applyPod(podObject('web', 'api', { labels: { app: 'api' }, ips: ['10.0.0.5', 'fd00::5'], created: iso(T0 - 60_000) }));
    index.applyPod(podObject('prod', 'db-0', { labels: { app: 'db' }, ips: ['10.0.1.1'], ports: pgPorts, created: iso(T0 - 60_000) }));
    const ends: NamedEnd[] = [
      { ip: '10.0.0.5' },
      { ip: '10.0.1.1' },
      { ip: 'fd00::5' },
      { ip: 'fd00:0::5' },
      { ip: '203.0.113.1' },
      { namespace: 'web', pod: 'api' },
      { ip: '10.0.0.5', namespace: 'prod', pod: 'db-0' },
      { ip: '10.0.0.5', namespace: 'web', pod: 'db-0' },
      {},
    ];
    const items: EvaluateItem[] = [];
    for (const src of ends)
      for (const dst of ends)
        for (const [protocol, port] of [['TCP', 5432], ['UDP', 5432], ['TCP', 80]] as const)
          for (const at of [T0, T0 - 3_600_000]) items.push({ id: items.length, observedAt: iso(at), count: 1, direction: 'Ingress', flow: { src, dst, protocol, port } });
    return { index, items };
  }

  it('gives every flow its own answer: what a judge with nothing memoised says', () => {
    const { index, items } = grid();
    const memo = new FlowJudge(index);
    // Twice: a flow enters the memo on its second sighting.
    const once = items.map((i) => memo.judge(i));
    const answers = items.map((i) => memo.judge(i));
    for (const i of items) expect(answers[i.id]).toEqual(once[i.id]);
    // Again, now all from the memo, in another order.
    const hits = memo.hits;
    for (const i of [...items].reverse()) expect(memo.judge(i)).toBe(answers[i.id]);
    expect(memo.hits - hits).toBe(items.length);
    for (const i of items) expect(new FlowJudge(index).judge(i)).toEqual(answers[i.id]);
  });

  it('keeps a flow from its second sighting on, and judges one seen once without keeping it', () => {
    const { index, items } = grid();
    const memo = new FlowJudge(index);
    const [first, second] = items as [EvaluateItem, EvaluateItem];
    const once = memo.judge(first);
    expect(memo.size()).toBe(0);
    expect(memo.judge(first)).toEqual(once);
    expect(memo.size()).toBe(1);
    expect(memo.judge(first)).toBe(memo.judge(first));
    memo.judge(second);
    expect(memo.size()).toBe(1);
    expect(memo.misses).toBe(3);
  });

  it('stays right when it runs out of end numbers and renumbers', () => {
    const { index, items } = grid();
    const small = new FlowJudge(index, 100_000, 6);
    for (let round = 0; round < 2; round++) for (const i of items) expect(small.judge(i)).toEqual(new FlowJudge(index).judge(i));
    expect(small.hits).toBeGreaterThan(0);
  });
});
