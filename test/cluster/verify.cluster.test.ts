/**
 * `verify` on a real cluster with no NetworkPolicy enforcer: the shared cluster runs the CNI
 * bridge and kube-proxy only, so a NetworkPolicy is stored and never enforced, the classic silent
 * failure `verify` exists to catch. Two AuditNetworkPolicies are promoted with `audit promote
 * --apply --verify`; then real pods make traffic the promoted policies deny, and it connects:
 *
 * - every denied flow that got through (TCP established, UDP delivered) is reported NotEnforced by
 *   the broker's GET /v1/enforcement (what `kubectl kguardian verify` reads), counted by
 *   kguardian_evaluator_enforcement_mismatches_total and named in an EnforcementMismatch Event on
 *   the NetworkPolicy, each within 15 s of the traffic (the bound a user of `verify` is promised, docs/cluster.md;
 *   the pipeline is designed for about 6 s: the agent ships a new flow within 500 ms, the leader asks every 5 s);
 * - the other way: a flow the policies allow, dropped by an extra iptables DROP rule on the host
 *   (another policy layer), keeps failing and is reported DroppedElsewhere once it failed
 *   MIN_FAILURES times; the rule is removed afterwards.
 *
 * Before any traffic the test waits until each evaluator replica judges by the promoted policies
 * (asked directly): a flow is judged once, and one judged before its replica learned the
 * NetworkPolicy is, rightly, checked against none.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnforcementRow, Outcome } from '../../contracts/enforcement.js';
import { MIN_FAILURES } from '../../daemons/broker/verify/enforcement.js';
import { requireRoot } from '../netns/require-root.js';
import { BrokerReader } from './testing/broker-reader.js';
import type { Cluster } from './testing/cluster.js';
import { plugin, startPlugin, type PluginRun } from './testing/plugin.js';
import { eventually } from './testing/poll.js';
import { sharedCluster } from './testing/shared.js';
import { userKubeconfig } from './testing/user-kubeconfig.js';
import { deployWorkloads, execIn, hostPort, tcpConnect, udpExchange, UDP_PORT, type RunningPod, type Workload } from './testing/workloads.js';

requireRoot('the real-cluster tests');

const run = promisify(execFile);
const NS = 'verify-off';
/** How long after the traffic a denied flow that got through must be reported (docs/cluster.md). */
const REPORT_WITHIN_MS = 15_000;
const CACHE_PORT = 6379;
const WORKLOADS: Workload[] = [
  { namespace: NS, name: 'api', labels: { app: 'api' }, httpPort: 8080 },
  { namespace: NS, name: 'web', labels: { app: 'web' }, httpPort: 8080 },
  { namespace: NS, name: 'db', labels: { app: 'db' }, httpPort: 8080 },
  { namespace: NS, name: 'cache', labels: { app: 'cache' }, httpPort: CACHE_PORT },
];

/** db admits api on 8080/TCP only; api may reach db on 8080/TCP and cache on 6379/TCP only. */
const POLICIES = [
  {
    apiVersion: 'kguardian.dev/v1alpha1', kind: 'AuditNetworkPolicy', metadata: { name: 'db-ingress', namespace: NS },
    spec: { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }] },
  },
  {
    apiVersion: 'kguardian.dev/v1alpha1', kind: 'AuditNetworkPolicy', metadata: { name: 'api-egress', namespace: NS },
    spec: { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Egress'],
      egress: [
        { to: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ protocol: 'TCP', port: 8080 }] },
        { to: [{ podSelector: { matchLabels: { app: 'cache' } } }], ports: [{ protocol: 'TCP', port: CACHE_PORT }] },
      ] },
  },
];

/** An iptables rule on the host's FORWARD chain (bridged pod traffic passes it: bridge-nf-call-iptables). */
function dropRule(ip: string): string[] {
  return ['FORWARD', '-d', `${ip}/32`, '-p', 'tcp', '--dport', String(CACHE_PORT), '-m', 'comment', '--comment', 'kguardian verify.cluster.test', '-j', 'DROP'];
}

let cluster: Cluster;
let joined = false;
let broker: BrokerReader;
let pods: Map<string, RunningPod>;
let promote: PluginRun | undefined;
let since: Date;
let dropped: string[] | undefined;
let evaluateToken: string;
/** A platform admin as docs/install.md grants one (a token the broker can check, unlike the admin's client certificate). */
let adminKubeconfig: string;
let dir: string | undefined;
const ADMIN = 'verify-admin';
/** A ServiceAccount of this file's, allowed to ask the evaluators as the broker does. */
const EVALUATE_ROLE = 'kg-verify-test-evaluate';

function pod(name: string): RunningPod {
  const p = pods.get(`${NS}/${name}`);
  if (!p) throw new Error(`no pod ${NS}/${name}`);
  return p;
}

/** A flow between two of this file's workloads. */
interface FlowEnds { src: string; dst: string; port: number; protocol: string }

/** A flow as the report names it: "POLICY DIRECTION SRC -> DST:PORT/PROTO" with workloads for pods. */
function flowKey(policy: string, direction: string, f: FlowEnds): string {
  return `${policy} ${direction} ${f.src} -> ${f.dst}:${String(f.port)}/${f.protocol}`;
}

function workload(podName: string): string {
  for (const w of WORKLOADS) if (pods.get(`${NS}/${w.name}`)?.name === podName) return w.name;
  return podName;
}

function rowKey(r: EnforcementRow): string {
  return flowKey(r.policy.name, r.direction, { src: workload(r.src.pod), dst: workload(r.dst.pod), port: r.port, protocol: r.protocol });
}

interface EvaluatorPod {
  metadata: { name: string };
  status: { podIP?: string };
  spec: { containers: { ports?: { name?: string; containerPort: number }[] }[] };
}

/** The evaluator replicas: each one's address and HTTP port, reached from the host. */
async function evaluators(): Promise<string[]> {
  const list = await cluster.json<{ items: EvaluatorPod[] }>(['-n', 'kguardian', 'get', 'pods', '-l', 'app.kubernetes.io/component=evaluator']);
  return list.items.map((p) => {
    const port = p.spec.containers[0]?.ports?.find((x) => x.name === 'http')?.containerPort;
    if (!p.status.podIP || port === undefined) throw new Error(`evaluator pod ${p.metadata.name} has no address or http port yet`);
    return `http://${p.status.podIP}:${String(port)}`;
  });
}

async function evaluatorMetrics(): Promise<string[]> {
  return Promise.all((await evaluators()).map(async (url) => (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) })).text()));
}

/** The value of a metric line with exactly these labels (0 when absent). */
function metric(text: string, name: string, labels: Record<string, string>): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).sort().join(',');
  for (const line of text.split('\n')) {
    const m = /^(\w+)\{([^}]*)\} (\S+)$/.exec(line);
    if (m?.[1] === name && m[2]?.split(',').sort().join(',') === want) return Number(m[3]);
  }
  return 0;
}

interface Judged { results: { enforcement?: { predicted: string; policies: { namespace: string; name: string }[] } }[] }

/**
 * Whether every evaluator replica predicts `predicted` for the flow in `direction`, decided by
 * NetworkPolicy `policy`: asked directly (POST /evaluate, as the broker asks), so the traffic waits for
 * exactly what its judgement needs: the replica's model holding the pods and the promoted policy.
 */
async function everyReplicaJudges(f: Omit<FlowEnds, 'protocol'>, direction: 'Ingress' | 'Egress', policy: string, predicted: 'Allow' | 'Deny'): Promise<boolean> {
  const { src, dst, port } = f;
  const body = JSON.stringify({ flows: [{ id: 1, observedAt: new Date().toISOString(), count: 1, direction,
    flow: { src: { ip: pod(src).ipv4 }, dst: { ip: pod(dst).ipv4 }, protocol: 'TCP', port } }] });
  const judged = await Promise.all((await evaluators()).map(async (url) => {
    const res = await fetch(`${url}/evaluate`, { method: 'POST', body, headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${evaluateToken}` }, signal: AbortSignal.timeout(5_000) });
    if (res.status !== 200) throw new Error(`${url}/evaluate: ${String(res.status)} ${await res.text()}`);
    const e = (await res.json() as Judged).results[0]?.enforcement;
    return e?.predicted === predicted && e.policies.some((p) => p.namespace === NS && p.name === policy);
  }));
  return judged.length > 0 && judged.every(Boolean);
}

async function mismatchCount(policy: string, outcome: Outcome): Promise<number> {
  return (await evaluatorMetrics()).reduce((sum, t) => sum + metric(t, 'kguardian_evaluator_enforcement_mismatches_total', { namespace: NS, policy, outcome }), 0);
}

interface EventJson { regarding?: { kind?: string; name?: string }; reason?: string; note?: string; eventTime?: string }

async function mismatchEvents(policy: string): Promise<EventJson[]> {
  const list = await cluster.json<{ items: EventJson[] }>(['-n', NS, 'get', 'events.events.k8s.io']);
  return list.items.filter((e) => e.reason === 'EnforcementMismatch' && e.regarding?.kind === 'NetworkPolicy' && e.regarding.name === policy);
}

/** The note's form of a flow (events/enforcement-events.ts): "OUTCOME: NS/POD -> NS/POD:PORT/PROTO". */
function noted(outcome: Outcome, src: string, dst: string, port: number, protocol: string): string {
  return `${outcome}: ${NS}/${pod(src).name} -> ${NS}/${pod(dst).name}:${String(port)}/${protocol}`;
}

/** Polls `f` until it holds and returns the host time it first did. */
async function firstTime(what: string, f: () => Promise<boolean>): Promise<number> {
  return eventually(what, async () => ((await f()) ? Date.now() : undefined), 180_000, 250);
}

/** One TCP connect that must not get through (no answer within `timeout`). */
async function tcpTimesOut(from: RunningPod, ip: string, port: number): Promise<void> {
  const r = await execIn(cluster, from, ['/agnhost', 'connect', '--timeout=2s', hostPort(ip, port)]);
  if (r.code === 0 || !r.stderr.includes('TIMEOUT')) {
    throw new Error(`agnhost connect ${hostPort(ip, port)} from ${from.name} should have timed out: exit ${String(r.code)} ${r.stderr.trim()}`);
  }
}

beforeAll(async () => {
  const shared = await sharedCluster();
  cluster = shared.cluster;
  joined = true;
  if (cluster.env.ENFORCER !== '') throw new Error(`this file needs a cluster without an enforcer; ${cluster.env.ENFORCER} runs`);
  const agnhost = shared.images.agnhost;
  if (!agnhost) throw new Error('no agnhost image');
  pods = await deployWorkloads(cluster, agnhost, { [NS]: {} }, WORKLOADS);
  broker = await BrokerReader.create(cluster, NS);
  await cluster.kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: EVALUATE_ROLE, namespace: NS } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: EVALUATE_ROLE },
      rules: [{ apiGroups: ['kguardian.dev'], resources: ['evaluations'], verbs: ['create'] }] },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: EVALUATE_ROLE },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: EVALUATE_ROLE },
      subjects: [{ kind: 'ServiceAccount', name: EVALUATE_ROLE, namespace: NS }] },
  ] }));
  evaluateToken = (await cluster.kubectl(['-n', NS, 'create', 'token', EVALUATE_ROLE, '--duration=1h'])).trim();
  dir = await mkdtemp(join(tmpdir(), 'kg-verify-'));
  adminKubeconfig = await userKubeconfig(cluster, dir, NS, ADMIN, [{ role: 'ClusterRole/cluster-admin' }]);
});

afterAll(async () => {
  if (dropped) await run('iptables', ['-D', ...dropped]).catch(() => undefined);
  if (!joined) return;
  await promote?.exited.catch(() => undefined);
  await cluster.kubectl(['delete', 'namespace', NS, '--wait=false']);
  await BrokerReader.remove(cluster);
  await cluster.kubectl(['delete', 'clusterrolebinding,clusterrole', EVALUATE_ROLE, '--ignore-not-found']);
  await cluster.kubectl(['delete', 'clusterrolebinding', `${ADMIN}-0`, '--ignore-not-found']);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('verify with no enforcer on a real cluster', () => {
  it('every denied flow that still connects is reported NotEnforced, counted, and named in an Event on the NetworkPolicy within 15 s', async () => {
    await cluster.kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: POLICIES }));
    // --force --allow-untested: the audit objects are fresh, the gate has nothing evaluated to go by.
    const started = startPlugin(cluster, adminKubeconfig, ['audit', 'promote', '--all', '-n', NS, '--apply', '--force', '--allow-untested', '--verify', '60s']);
    promote = started;
    await eventually('both NetworkPolicies applied', () => {
      if (/serverside-applied[\s\S]*serverside-applied/.test(started.stdout())) return Promise.resolve(true);
      const code = started.exitCode();
      if (code !== undefined) expect.fail(`audit promote exited ${String(code)} before applying: ${started.stderr().trim()}`);
      return Promise.resolve(undefined);
    });
    await eventually('every evaluator replica judging by the promoted NetworkPolicies', async () =>
      (await everyReplicaJudges({ src: 'web', dst: 'db', port: 8080 }, 'Ingress', 'db-ingress', 'Deny')) &&
      (await everyReplicaJudges({ src: 'api', dst: 'cache', port: CACHE_PORT }, 'Egress', 'api-egress', 'Allow')) ? true : undefined);
    since = new Date(Date.now() - 5_000);

    const db = pod('db').ipv4;
    // Denied by db-ingress, and nothing stops them: the three flows below, each timed when the
    // command that made it returned. The broker is watched from before the first: watched only
    // after the last, the first flow's latency included the next two commands (`kubectl exec`,
    // seconds each on a busy machine), the test's own pace rather than the pipeline's.
    const traffic: [string, number][] = [];
    const reported = new Map<string, number>();
    const rows = new Map<string, EnforcementRow>();
    let trafficMade: boolean | 'failed' = false;
    const watched = firstTime('every denied flow reported NotEnforced', async () => {
      for (const r of await broker.enforcement(NS, since)) {
        rows.set(rowKey(r), r);
        if (r.outcome === 'NotEnforced' && !reported.has(rowKey(r))) reported.set(rowKey(r), Date.now());
      }
      return trafficMade === 'failed' || (trafficMade && traffic.every(([k]) => reported.has(k)));
    });
    // Awaited below; a timeout while the traffic is still being made must not surface as an unhandled rejection first.
    watched.catch(() => undefined);
    try {
      expect(await tcpConnect(cluster, pod('api'), db, 8080)).toBe('connected');
      expect(await tcpConnect(cluster, pod('web'), db, 8080)).toBe('connected');
      traffic.push([flowKey('db-ingress', 'Ingress', { src: 'web', dst: 'db', port: 8080, protocol: 'TCP' }), Date.now()]);
      await udpExchange(cluster, pod('web'), db, UDP_PORT);
      traffic.push([flowKey('db-ingress', 'Ingress', { src: 'web', dst: 'db', port: UDP_PORT, protocol: 'UDP' }), Date.now()]);
      await udpExchange(cluster, pod('api'), db, UDP_PORT);
      traffic.push([flowKey('db-ingress', 'Ingress', { src: 'api', dst: 'db', port: UDP_PORT, protocol: 'UDP' }), Date.now()]);
      trafficMade = true;
    } finally {
      if (!trafficMade) {
        trafficMade = 'failed'; // ends the watch
        await watched.catch(() => undefined);
      }
    }
    const lastTraffic = Date.now();

    const [reportedAll, countedAt, eventAt] = await Promise.all([
      watched,
      firstTime('the mismatch counter at 3 for db-ingress', async () => (await mismatchCount('db-ingress', 'NotEnforced')) >= traffic.length),
      firstTime('an EnforcementMismatch Event on db-ingress', async () => (await mismatchEvents('db-ingress')).length > 0),
    ]);

    const latency = traffic.map(([k, at]) => [k, (reported.get(k) ?? Infinity) - at] as const);
    const firstEvent = Math.min(...(await mismatchEvents('db-ingress')).map((e) => Date.parse(e.eventTime ?? '')));
    process.stdout.write(`verify, enforcer off: reported ${latency.map(([k, ms]) => `${k} after ${String(ms)} ms`).join('; ')}; all by ${String(reportedAll - lastTraffic)} ms after the last; ` +
      `counter at ${String(countedAt - lastTraffic)} ms, first Event at ${String(firstEvent - lastTraffic)} ms (its eventTime; seen at ${String(eventAt - lastTraffic)} ms)\n`);
    for (const [k, ms] of latency) expect(ms, k).toBeLessThanOrEqual(REPORT_WITHIN_MS);
    expect(countedAt - lastTraffic).toBeLessThanOrEqual(REPORT_WITHIN_MS);
    expect(firstEvent - lastTraffic).toBeLessThanOrEqual(REPORT_WITHIN_MS);
    expect(await mismatchCount('db-ingress', 'NotEnforced')).toBe(traffic.length);

    // What the rows say: predicted Deny and seen getting through; the allowed flow agrees.
    for (const [k] of traffic) {
      const r = rows.get(k);
      expect(r?.predicted, k).toBe('Deny');
      expect((r?.observed.established ?? 0) + (r?.observed.seen ?? 0), k).toBeGreaterThan(0);
      expect(r?.explanation, k).toMatch(/the CNI is not enforcing them/);
    }
    // The allowed flow agrees at both ends (made first, but each end is its own observation).
    const agrees = [flowKey('db-ingress', 'Ingress', { src: 'api', dst: 'db', port: 8080, protocol: 'TCP' }), flowKey('api-egress', 'Egress', { src: 'api', dst: 'db', port: 8080, protocol: 'TCP' })];
    await eventually('the allowed flow judged at both ends', async () => {
      for (const r of await broker.enforcement(NS, since)) rows.set(rowKey(r), r);
      return agrees.every((k) => rows.has(k)) ? true : undefined;
    });
    for (const k of agrees) expect(rows.get(k)?.outcome, k).toBe('Agrees');

    // Every flow is named in an Event; one found after the first Event waits out the per-policy interval.
    const notes = await eventually('every denied flow named in an EnforcementMismatch Event', async () => {
      const text = (await mismatchEvents('db-ingress')).map((e) => e.note ?? '').join('\n');
      const want = [noted('NotEnforced', 'web', 'db', 8080, 'TCP'), noted('NotEnforced', 'web', 'db', UDP_PORT, 'UDP'), noted('NotEnforced', 'api', 'db', UDP_PORT, 'UDP')];
      return want.every((w) => text.includes(w)) ? text : undefined;
    }, 150_000, 2_000);
    expect(notes).toContain('Is the CNI enforcing NetworkPolicies here?');

    // `kubectl kguardian verify`, as a user runs it, lists the same flows as mismatches.
    const report = JSON.parse(await plugin(cluster, adminKubeconfig, ['verify', 'db-ingress', '-n', NS, '--mismatches', '-o', 'json'])) as { rows: EnforcementRow[] };
    expect(report.rows.map((r) => `${rowKey(r)} ${r.outcome}`).sort()).toEqual(traffic.map(([k]) => `${k} NotEnforced`).sort());
  });

  it('an allowed flow that a host firewall rule drops is reported DroppedElsewhere once it failed enough times', async () => {
    const cache = pod('cache').ipv4;
    dropped = dropRule(cache);
    await run('iptables', ['-I', ...dropped.slice(0, 1), '1', ...dropped.slice(1)]);
    const key = flowKey('api-egress', 'Egress', { src: 'api', dst: 'cache', port: CACHE_PORT, protocol: 'TCP' });
    let row: EnforcementRow | undefined;
    try {
      for (let i = 0; i < MIN_FAILURES; i++) await tcpTimesOut(pod('api'), cache, CACHE_PORT);
      const lastTraffic = Date.now();
      const at = await firstTime('the dropped flow reported DroppedElsewhere', async () => {
        row = (await broker.enforcement(NS, since)).find((r) => rowKey(r) === key);
        return row?.outcome === 'DroppedElsewhere';
      });
      process.stdout.write(`verify, host DROP rule: ${key} reported DroppedElsewhere ${String(at - lastTraffic)} ms after the last of ${String(MIN_FAILURES)} failed attempts\n`);
    } finally {
      await run('iptables', ['-D', ...dropped]);
      dropped = undefined;
    }
    expect(row).toMatchObject({ predicted: 'Allow', observed: { established: 0 } });
    expect((row?.observed.attempt ?? 0) + (row?.observed.refused ?? 0)).toBeGreaterThanOrEqual(MIN_FAILURES);
    expect(row?.explanation).toMatch(/something else drops or refuses it/);
    await firstTime('the mismatch counter for api-egress', async () => (await mismatchCount('api-egress', 'DroppedElsewhere')) === 1);
    const text = await eventually('an EnforcementMismatch Event on api-egress', async () => {
      const t = (await mismatchEvents('api-egress')).map((e) => e.note ?? '').join('\n');
      return t.includes(noted('DroppedElsewhere', 'api', 'cache', CACHE_PORT, 'TCP')) ? t : undefined;
    });
    expect(text).toContain('allowed yet failing');
    // The rule was the cause: without it the same flow connects (last: a connection makes the flow agree).
    expect(await tcpConnect(cluster, pod('api'), cache, CACHE_PORT)).toBe('connected');
  });

  it('audit promote --apply --verify printed each denied flow that got through after the apply', async () => {
    if (!promote) throw new Error('the promotion did not start');
    const code = await promote.exited;
    expect(code, promote.stderr()).toBe(0);
    expect(promote.stdout()).toMatch(/networkpolicy\.networking\.k8s\.io\/db-ingress serverside-applied/);
    const err = promote.stderr();
    for (const [src, port, protocol] of [['web', 8080, 'TCP'], ['web', UDP_PORT, 'UDP'], ['api', UDP_PORT, 'UDP']] as const) {
      expect(err).toContain(`verify: ${NS}/db-ingress: NotEnforced ${NS}/${pod(src).name} -> ${NS}/${pod('db').name}:${String(port)}/${protocol}: `);
    }
    expect(err).toMatch(/verify: \d+ mismatched flows? in 60s/);
  });
});
