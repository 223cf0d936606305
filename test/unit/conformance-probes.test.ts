/**
 * The conformance run's judge (test/conformance/): probe rows from the broker judged against the
 * NetworkPolicies in force at their moment (replayed from recorded watch events), compared with
 * what happened to them, and the Ginkgo report read for the suite's own result.
 */
import { describe, expect, it } from 'vitest';
import { mergeResults, parseGinkgoReport, plannedSpecs } from '../conformance/e2e-report.js';
import { compareProbes, summarise, type FlowRow } from '../conformance/probe-connections.js';
import { TimelineReplay, type TimelineEvent } from '../conformance/timeline.js';

const T0 = Date.parse('2026-12-03T10:00:00.000Z');
const at = (s: number): string => new Date(T0 + s * 1000).toISOString();

function ns(name: string, s = 0): TimelineEvent {
  return { at: T0 + s * 1000, resource: 'namespaces', type: 'ADDED', object: { metadata: { name, labels: { 'e2e-run': 'r1' } } } };
}
function pod(namespace: string, name: string, ip: string, s = 0, labels: Record<string, string> = { pod: name }): TimelineEvent {
  return {
    at: T0 + s * 1000, resource: 'pods', type: s === 0 ? 'ADDED' : 'MODIFIED',
    object: {
      metadata: { namespace, name, labels },
      spec: { containers: [{ ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 80, protocol: 'UDP' }] }] },
      status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
    },
  };
}
function svc(namespace: string, name: string, ip: string, selector: Record<string, string>): TimelineEvent {
  return { at: T0, resource: 'services', type: 'ADDED', object: { metadata: { namespace, name }, spec: { clusterIP: ip, clusterIPs: [ip], selector } } };
}
/** A NetworkPolicy in `namespace` selecting every pod and admitting no ingress, from second `s`; deleted at `until`. */
function denyIngress(namespace: string, s: number, until?: number): TimelineEvent[] {
  const object = { kind: 'NetworkPolicy', metadata: { namespace, name: 'deny' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } };
  return [
    { at: T0 + s * 1000, resource: 'networkpolicies', type: 'ADDED', object },
    ...(until === undefined ? [] : [{ at: T0 + until * 1000, resource: 'networkpolicies' as const, type: 'DELETED' as const, object }]),
  ];
}

const BASE: TimelineEvent[] = [
  ns('x'), ns('y'),
  pod('x', 'a', '10.0.0.1'), pod('y', 'b', '10.0.0.2'),
  svc('x', 's-x-a', '10.96.0.1', { pod: 'a' }), svc('y', 's-y-b', '10.96.0.2', { pod: 'b' }),
];

let ids = 0;
function row(o: Partial<FlowRow> & { from?: number; to?: number; viaService?: boolean }): FlowRow {
  const from = o.from ?? 20;
  return {
    id: ++ids,
    firstSeen: at(from),
    lastSeen: at(o.to ?? from),
    src: { ip: '10.0.0.1', namespace: 'x', pod: 'a' },
    dst: o.viaService ? { ip: '10.96.0.2', port: 80 } : { ip: '10.0.0.2', port: 80, namespace: 'y', pod: 'b' },
    protocol: 'TCP',
    direction: 'Egress',
    state: 'established',
    count: 1,
    ...o,
  };
}

const SCOPE = { namespaces: new Set(['x', 'y']), ports: new Set([80]), protocols: new Set(['TCP', 'UDP'] as const) };

interface Case {
  name: string;
  events: TimelineEvent[];
  rows: FlowRow[];
  want: { connections: number; agree: number; latency: number; other: number; straddling: number; unjudged: number };
}

const CASES: Case[] = [
  {
    name: 'no policy: an established connection agrees',
    events: BASE,
    rows: [row({ count: 3 })],
    want: { connections: 3, agree: 3, latency: 0, other: 0, straddling: 0, unjudged: 0 },
  },
  {
    name: 'ingress denied in y: attempts to the untranslated Service address agree (its one backend is judged)',
    events: [...BASE, ...denyIngress('y', 10)],
    rows: [row({ viaService: true, state: 'attempt', count: 2 })],
    want: { connections: 2, agree: 2, latency: 0, other: 0, straddling: 0, unjudged: 0 },
  },
  {
    name: 'ingress denied in y but the connection was established long after: a real disagreement',
    events: [...BASE, ...denyIngress('y', 10)],
    rows: [row({ from: 30 })],
    want: { connections: 1, agree: 0, latency: 0, other: 1, straddling: 0, unjudged: 0 },
  },
  {
    name: 'established before the enforcer applied the policy, then blocked: the enforcer\'s delay',
    events: [...BASE, ...denyIngress('y', 18)],
    rows: [row({ from: 20 }), row({ from: 25, state: 'attempt', count: 2 })],
    want: { connections: 3, agree: 2, latency: 1, other: 0, straddling: 0, unjudged: 0 },
  },
  {
    name: 'a later agreeing connection under other policies does not excuse a disagreement',
    events: [...BASE, ...denyIngress('y', 10, 40)],
    rows: [row({ from: 20 }), row({ from: 50 })],
    want: { connections: 2, agree: 1, latency: 0, other: 1, straddling: 0, unjudged: 0 },
  },
  {
    name: 'blocked though allowed, and never connected afterwards: it lasted',
    events: BASE,
    rows: [row({ from: 20, state: 'attempt' }), row({ from: 30, state: 'refused' })],
    want: { connections: 2, agree: 0, latency: 0, other: 2, straddling: 0, unjudged: 0 },
  },
  {
    name: 'the policy deleted: attempts before, established after, each judged at its moment',
    events: [...BASE, ...denyIngress('y', 10, 40)],
    rows: [row({ from: 20, state: 'attempt' }), row({ from: 50 })],
    want: { connections: 2, agree: 2, latency: 0, other: 0, straddling: 0, unjudged: 0 },
  },
  {
    name: 'a row spanning the deletion straddles it and is not counted',
    events: [...BASE, ...denyIngress('y', 10, 40)],
    rows: [row({ from: 30, to: 50, state: 'attempt', count: 4 })],
    want: { connections: 0, agree: 0, latency: 0, other: 0, straddling: 1, unjudged: 0 },
  },
  {
    name: 'a relabelled pod leaves the policy: judged with its labels of the moment',
    events: [
      ...BASE,
      { at: T0 + 10_000, resource: 'networkpolicies', type: 'ADDED',
        object: { kind: 'NetworkPolicy', metadata: { namespace: 'y', name: 'deny-b' }, spec: { podSelector: { matchLabels: { pod: 'b' } }, policyTypes: ['Ingress'] } } },
      pod('y', 'b', '10.0.0.2', 30, { pod: 'b2' }),
    ],
    rows: [row({ from: 20, state: 'attempt' }), row({ from: 45 })],
    want: { connections: 2, agree: 2, latency: 0, other: 0, straddling: 0, unjudged: 0 },
  },
  {
    name: 'UDP: conversations the server side saw are connected, the rest blocked',
    events: BASE,
    rows: [
      row({ protocol: 'UDP', state: 'seen', count: 3 }),
      { ...row({ protocol: 'UDP', state: 'seen', count: 2 }), direction: 'Ingress' },
    ],
    want: { connections: 3, agree: 2, latency: 0, other: 1, straddling: 0, unjudged: 0 },
  },
  {
    name: 'TCP refused by the server itself (its node saw the reset: the port was closed) was delivered; refused without it was blocked',
    events: BASE,
    rows: [
      row({ from: 20, state: 'refused', count: 2 }),
      { ...row({ from: 20, state: 'refused', count: 1 }), direction: 'Ingress' },
    ],
    want: { connections: 2, agree: 1, latency: 0, other: 1, straddling: 0, unjudged: 0 },
  },
  {
    name: 'an address that is neither a pod nor a Service cannot be judged',
    events: BASE,
    rows: [row({ dst: { ip: '10.96.9.9', port: 80 } })],
    want: { connections: 0, agree: 0, latency: 0, other: 0, straddling: 0, unjudged: 1 },
  },
  {
    name: 'rows outside the scope (another namespace, another port, the server side) are not probes',
    events: BASE,
    rows: [row({ src: { ip: '10.0.0.9', namespace: 'kguardian', pod: 'agent' } }), row({ dst: { ip: '10.0.0.2', port: 9090, namespace: 'y', pod: 'b' } }), { ...row({}), direction: 'Ingress' }],
    want: { connections: 0, agree: 0, latency: 0, other: 0, straddling: 0, unjudged: 0 },
  },
];

describe('compareProbes', () => {
  it.each(CASES)('$name', ({ events, rows, want }) => {
    const s = summarise(compareProbes(rows, new TimelineReplay(events), SCOPE));
    expect({ connections: s.connections, agree: s.agree, latency: s.disagreeDelay, other: s.disagreeOther, straddling: s.straddling, unjudged: s.unjudged }).toEqual(want);
  });

  it('counts a pod probing its own Service apart, as loopback', () => {
    const rows = [row({ dst: { ip: '10.96.0.1', port: 80 }, state: 'attempt' })];
    const s = summarise(compareProbes(rows, new TimelineReplay(BASE), SCOPE));
    expect(s.connections).toBe(0);
    expect(s.loopback).toEqual({ connections: 1, agree: 0 });
  });

  it("names the deciding NetworkPolicy in a disagreement's reasons", () => {
    const c = compareProbes([row({ from: 30 })], new TimelineReplay([...BASE, ...denyIngress('y', 10)]), SCOPE);
    expect(c.judged[0]?.judgement).toBe('denied');
    expect(c.judged[0]?.reasons.join(' ')).toContain('y/deny');
  });
});

describe('parseGinkgoReport', () => {
  const spec = (text: string, state: string, start?: string, message?: string): unknown => ({
    ContainerHierarchyTexts: ['[sig-network] Netpol', 'NetworkPolicy between server and client'],
    LeafNodeText: text, LeafNodeType: 'It', State: state, RunTime: start ? 42e9 : 0,
    // A spec left out by the focus: never attempted, yet with a start time.
    ...(start ? { StartTime: start, EndTime: start, NumAttempts: 1 } : { StartTime: at(3), EndTime: '0001-01-01T00:00:00Z', NumAttempts: 0 }),
    ...(message ? { Failure: { Message: `\n${message}\nmore` } } : {}),
    CapturedGinkgoWriterOutput: 'STEP: Destroying namespace "netpol-x-51" for this suite.\nSTEP: Destroying namespace "netpol-y-7" for this suite.\n',
  });

  it('keeps the specs that ran, with their state, time and first failure line; drops those left out by the focus', () => {
    const report = [{
      RunTime: 120e9,
      SpecReports: [
        { LeafNodeType: 'ReportBeforeSuite', State: 'passed', StartTime: at(0), NumAttempts: 1 },
        spec('should support a default-deny-ingress policy', 'passed', at(1)),
        spec('should enforce policy based on Ports', 'failed', at(2), 'Had 3 wrong results in reachability matrix'),
        spec('some other test', 'skipped'),
      ],
    }];
    const r = parseGinkgoReport(JSON.stringify(report));
    expect(r).toMatchObject({ passed: 1, failed: 1, skipped: 0, seconds: 120 });
    expect(r.specs.map((s) => [s.name, s.state, s.seconds, s.failure])).toEqual([
      ['[sig-network] Netpol NetworkPolicy between server and client should support a default-deny-ingress policy', 'passed', 42, undefined],
      ['[sig-network] Netpol NetworkPolicy between server and client should enforce policy based on Ports', 'failed', 42, 'Had 3 wrong results in reachability matrix'],
    ]);
  });

  it("names each spec's namespaces from its log", () => {
    const r = parseGinkgoReport(JSON.stringify([{ SpecReports: [spec('should x', 'passed', at(1))] }]));
    expect(r.specs[0]?.namespaces).toEqual(['netpol-x-51', 'netpol-y-7']);
  });

  it('lists what a dry run would run, and merges the parts run at once', () => {
    const dry = [{ SpecReports: [spec('should a', 'passed'), spec('should b', 'skipped'), { LeafNodeType: 'ReportAfterSuite', State: 'passed' }] }];
    expect(plannedSpecs(JSON.stringify(dry))).toEqual(['[sig-network] Netpol NetworkPolicy between server and client should a']);
    const one = parseGinkgoReport(JSON.stringify([{ RunTime: 10e9, SpecReports: [spec('should a', 'passed', at(5))] }]));
    const two = parseGinkgoReport(JSON.stringify([{ RunTime: 20e9, SpecReports: [spec('should b', 'failed', at(2), 'boom')] }]));
    const merged = mergeResults([one, two], 21);
    expect(merged).toMatchObject({ passed: 1, failed: 1, skipped: 0, seconds: 21 });
    expect(merged.specs.map((x) => x.name.replace(/.* should /, 'should '))).toEqual(['should b', 'should a']);
  });
});
