/**
 * kguardian on a real cluster, watching real workloads: agnhost Deployments in three namespaces
 * with ClusterIP Services, traffic made by real processes in the pods (kubectl exec): TCP both
 * ways, through Services (kube-proxy's DNAT, to an IPv4 and an IPv6 ClusterIP) and to pod
 * addresses, IPv4 and IPv6, refused
 * connections, UDP, DNS through CoreDNS. The product description's example AuditNetworkPolicy
 * (test/cluster/manifests/) and an AuditClusterNetworkPolicy count exactly that traffic in their
 * status, printer columns and Events; the plugin, run as a user with the bindings docs/install.md
 * gives (its own port-forward to the broker pod, no --broker-url), names the right pods in
 * `verdicts`, `verdicts --watch`, `describe` and the web view (`ui`); `audit test` replays the recorded traffic against
 * an edited policy, and `audit promote --apply` turns a quiet one into a NetworkPolicy.
 *
 * Counting unit: a conversation per bucket (docs/agent.md): one per TCP connection or refused
 * attempt, one per UDP exchange (each made from a fresh socket, so in one bucket).
 */
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredFlow, StoredVerdict } from '../../daemons/broker/store/types.js';
import type { UiPolicyList } from '../../contracts/web-view.js';
import { REPO_ROOT } from '../../playground/paths.js';
import { VerdictWatch } from '../e2e/verdict-watch.js';
import { requireRoot } from '../netns/require-root.js';
import { forwardBroker } from './testing/broker-forward.js';
import type { Cluster } from './testing/cluster.js';
import { startPlugin } from './testing/plugin.js';
import { sharedCluster } from './testing/shared.js';
import { userKubeconfig } from './testing/user-kubeconfig.js';
import { clusterIps, deployWorkloads, dnsLookups, tcpConnect, udpExchange, UDP_PORT, type RunningPod, type Workload } from './testing/workloads.js';

requireRoot('the real-cluster tests');

const MANIFESTS = join(import.meta.dirname, 'manifests');

const NAMESPACES = { prod: {}, web: { team: 'platform' }, tools: {} };
const WORKLOADS: Workload[] = [
  { namespace: 'prod', name: 'payments', labels: { app: 'payments' }, httpPort: 8080, servicePort: 80 },
  { namespace: 'prod', name: 'postgres', labels: { app: 'postgres' }, httpPort: 5432, servicePort: 5432 },
  { namespace: 'prod', name: 'frontend', labels: { tier: 'frontend' }, httpPort: 8080 },
  { namespace: 'web', name: 'frontend', labels: { tier: 'frontend' }, httpPort: 8080, servicePort: 80 },
  // The one pod with a readiness probe: no policy audits its ingress.
  { namespace: 'tools', name: 'client', labels: { app: 'client' }, httpPort: 8080, probe: true },
];

/**
 * What each policy must count. Keys: "VERDICT DIRECTION SRC -> DST PORT/PROTO" with workloads by
 * namespace/name (pods are renamed to their workload), values: conversations.
 */
const EXPECTED = {
  'payments-isolation': {
    'Allow Ingress prod/frontend -> prod/payments 8080/TCP': 3,
    'WouldDeny Ingress web/frontend -> prod/payments 8080/TCP': 3,
    'WouldDeny Ingress prod/frontend -> prod/payments 9999/TCP': 1,
    'Allow Egress prod/payments -> prod/postgres 5432/TCP': 4,
    'Allow Egress prod/payments -> kube-system/coredns 53/UDP': 2,
    'WouldDeny Egress prod/payments -> tools/client 5433/TCP': 1,
    'WouldDeny Egress prod/payments -> web/frontend 8080/TCP': 1,
    [`WouldDeny Egress prod/payments -> tools/client ${UDP_PORT}/UDP`]: 1,
  },
  'postgres-ingress': {
    'Allow Ingress prod/payments -> prod/postgres 5432/TCP': 4,
  },
  'platform-ingress': {
    'Allow Ingress prod/payments -> web/frontend 8080/TCP': 1,
    'WouldDeny Ingress tools/client -> web/frontend 8080/TCP': 2,
  },
} as const;

type PolicyName = keyof typeof EXPECTED;

function sums(policy: PolicyName): { wouldDeny: number; allowed: number } {
  let wouldDeny = 0;
  let allowed = 0;
  for (const [k, n] of Object.entries(EXPECTED[policy])) {
    if (k.startsWith('WouldDeny')) wouldDeny += n;
    else allowed += n;
  }
  return { wouldDeny, allowed };
}

let cluster: Cluster;
let dir: string;
let pods: Map<string, RunningPod>;
/** Pod name -> its workload's namespace/name (CoreDNS's pod included). */
const workloadOf = new Map<string, string>();
let readerKubeconfig: string;
let adminKubeconfig: string;

function pod(key: string): RunningPod {
  const p = pods.get(key);
  if (!p) throw new Error(`no pod ${key}`);
  return p;
}

/** Runs `kubectl kguardian ARGS` as the user of `kubeconfig`, with the plugin from this checkout on PATH. */
async function plugin(kubeconfig: string, args: readonly string[]): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: kubeconfig, PATH: `${REPO_ROOT}bin${delimiter}${process.env.PATH ?? ''}` };
  delete env.KGUARDIAN_BROKER_URL;
  return new Promise((resolve, reject) => {
    const child = spawn(cluster.env.KUBECTL, ['kguardian', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`kubectl kguardian ${args.join(' ')} exited ${code}: ${err.trim()}`));
    });
  });
}

function side(e: { namespace?: string; pod?: string; ip?: string }): string {
  if (e.pod === undefined) return e.ip ?? '?';
  return workloadOf.get(e.pod) ?? `${e.namespace ?? ''}/${e.pod}`;
}

/** Verdict rows reduced to what they say, summed over rows (the broker stores one per flow row). */
function tally(rows: readonly StoredVerdict[]): Record<string, number> {
  const t: Record<string, number> = {};
  for (const v of rows) {
    const key = `${v.verdict} ${v.direction} ${side(v.src)} -> ${side(v.dst)} ${v.port}/${v.protocol}`;
    t[key] = (t[key] ?? 0) + v.count;
  }
  return t;
}

interface PolicyObject {
  metadata: { generation: number };
  spec: unknown;
  status?: {
    observedGeneration?: number;
    conditions?: { type: string; status: string }[];
    evaluation?: { flowsEvaluated?: number; flowsAllowed?: number; flowsWouldDeny?: number; topOffenders?: Offender[] };
  };
}
interface Offender { direction: string; source: { namespace?: string; pod?: string; ip?: string }; destination: { namespace?: string; pod?: string; ip?: string }; port: number; protocol: string; count: number }

function policyArgs(policy: PolicyName): string[] {
  return policy === 'platform-ingress' ? ['kgacnp', policy] : ['-n', 'prod', 'kganp', policy];
}

async function policyObject(policy: PolicyName): Promise<PolicyObject> {
  return cluster.json<PolicyObject>(['get', ...policyArgs(policy)]);
}

/**
 * Polls the policy until its status is of its current generation, Synced, and counts what the
 * test expects; a count above the expectation fails at once (nothing can lower it within the window).
 */
async function waitForCounts(policy: PolicyName): Promise<PolicyObject> {
  const want = sums(policy);
  const deadline = Date.now() + 180_000;
  for (;;) {
    const p = await policyObject(policy);
    const got = countsOf(p);
    if (got.wouldDeny > want.wouldDeny || got.allowed > want.allowed) {
      throw new Error(`${policy} counts more than the traffic made: ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
    }
    if (isCurrent(p) && got.wouldDeny === want.wouldDeny && got.allowed === want.allowed) return p;
    if (Date.now() > deadline) throw new Error(`${policy} did not reach ${JSON.stringify(want)}: status ${JSON.stringify(p.status)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function countsOf(p: PolicyObject): { wouldDeny: number; allowed: number } {
  const e = p.status?.evaluation;
  return { wouldDeny: e?.flowsWouldDeny ?? 0, allowed: e?.flowsAllowed ?? 0 };
}

/** Synced, and the status is of the spec's current generation. */
function isCurrent(p: PolicyObject): boolean {
  const synced = p.status?.conditions?.some((c) => c.type === 'Synced' && c.status === 'True') ?? false;
  return synced && p.status?.observedGeneration === p.metadata.generation;
}

let watch: VerdictWatch | undefined;

beforeAll(async () => {
  const shared = await sharedCluster();
  cluster = shared.cluster;
  dir = await mkdtemp(join(tmpdir(), 'kgc-workloads-'));
  const agnhost = shared.images.agnhost;
  if (!agnhost) throw new Error('the shared cluster has no agnhost image');
  pods = await deployWorkloads(cluster, agnhost, NAMESPACES, WORKLOADS);
  for (const [key, p] of pods) workloadOf.set(p.name, key);
  const dns = await cluster.json<{ items: { metadata: { name: string } }[] }>(['-n', 'kube-system', 'get', 'pods', '-l', 'k8s-app=kube-dns']);
  for (const p of dns.items) workloadOf.set(p.metadata.name, 'kube-system/coredns');
  // People as docs/install.md grants them access: a reader of prod's verdicts, and an admin.
  readerKubeconfig = await userKubeconfig(cluster, dir, 'prod', 'payments-team', [
    { namespace: 'prod', role: 'ClusterRole/kguardian-verdict-reader' },
    { namespace: 'kguardian', role: 'Role/kguardian-broker-access' },
  ]);
  adminKubeconfig = await userKubeconfig(cluster, dir, 'kguardian', 'platform-admin', [{ role: 'ClusterRole/cluster-admin' }]);
  for (const f of ['payments-isolation.yaml', 'postgres-ingress.yaml', 'platform-ingress.yaml']) {
    await cluster.kubectl(['apply', '-f', join(MANIFESTS, f)]);
  }
  // Follows prod's would-deny verdicts from before the first packet, as a user would in a second terminal.
  watch = new VerdictWatch(cluster.env.KUBECTL, readerKubeconfig, ['-n', 'prod', '--verdict', 'WouldDeny']);
  await makeTraffic();
});

afterAll(async () => {
  watch?.stop();
  if (cluster) {
    await cluster.kubectl(['delete', 'kgacnp', 'platform-ingress', '--ignore-not-found']);
    await cluster.kubectl(['delete', 'namespace', 'prod', 'web', 'tools', '--wait=false', '--ignore-not-found']);
    await cluster.kubectl(['delete', 'clusterrolebinding', 'platform-admin-0', '--ignore-not-found']);
    await cluster.kubectl(['-n', 'kguardian', 'delete', 'serviceaccount', 'platform-admin', '--ignore-not-found']);
    await cluster.kubectl(['-n', 'kguardian', 'delete', 'rolebinding', 'payments-team-1', '--ignore-not-found']);
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The traffic EXPECTED counts, each item by a real process in a real pod. */
async function makeTraffic(): Promise<void> {
  const payments = pod('prod/payments');
  const postgres = pod('prod/postgres');
  const prodFrontend = pod('prod/frontend');
  const webFrontend = pod('web/frontend');
  const client = pod('tools/client');
  const [paymentsSvc] = await clusterIps(cluster, 'prod', 'payments');
  const [postgresSvc, postgresSvc6] = await clusterIps(cluster, 'prod', 'postgres');
  const [webSvc] = await clusterIps(cluster, 'web', 'frontend');
  if (!paymentsSvc || !postgresSvc || !webSvc) throw new Error('a Service has no ClusterIP');
  if (!payments.ipv6 || !postgres.ipv6) throw new Error('the pods have no IPv6 address: the cluster is dual-stack (scripts/cluster.sh)');
  if (!postgresSvc6?.includes(':')) throw new Error('prod/postgres has no IPv6 ClusterIP: the cluster\'s Services are dual-stack (scripts/cluster.sh)');
  const connected = (ip: string, port: number, from: RunningPod, times: number): Promise<void> => repeat(times, async () => {
    expect(await tcpConnect(cluster, from, ip, port)).toBe('connected');
  });
  const refused = async (ip: string, port: number, from: RunningPod): Promise<void> => {
    expect(await tcpConnect(cluster, from, ip, port)).toBe('refused');
  };
  // Into payments: through its Service (DNAT to the pod), to its IPv4 and IPv6 addresses, and a closed port.
  await connected(paymentsSvc, 80, prodFrontend, 3);
  await connected(payments.ipv4, 8080, webFrontend, 2);
  await connected(payments.ipv6, 8080, webFrontend, 1);
  await refused(payments.ipv4, 9999, prodFrontend);
  // Out of payments: the database through its Service (both ClusterIPs: kube-proxy's iptables and ip6tables DNAT,
  // the agent's IPv4 and IPv6 conntrack lookup of the backend) and at its IPv6 address, DNS, and what the policy forbids.
  await connected(postgresSvc, 5432, payments, 2);
  await connected(postgresSvc6, 5432, payments, 1);
  await connected(postgres.ipv6, 5432, payments, 1);
  expect(await dnsLookups(cluster, payments, 'postgres.prod.svc.cluster.local.', 2)).toEqual([postgresSvc, postgresSvc]);
  await refused(client.ipv4, 5433, payments);
  await connected(webSvc, 80, payments, 1);
  await udpExchange(cluster, payments, client.ipv4, UDP_PORT);
  // Into the platform namespace from one it does not admit.
  await connected(webSvc, 80, client, 2);
}

async function repeat(times: number, f: () => Promise<void>): Promise<void> {
  for (let i = 0; i < times; i++) await f();
}

describe('real traffic between agnhost pods, counted by the audit policies', () => {
  it('counts exactly the conversations made, in each policy\'s status, of its current generation', async () => {
    for (const policy of Object.keys(EXPECTED) as PolicyName[]) {
      const p = await waitForCounts(policy);
      const want = sums(policy);
      expect({ policy, evaluated: p.status?.evaluation?.flowsEvaluated, observed: p.status?.observedGeneration })
        .toEqual({ policy, evaluated: want.wouldDeny + want.allowed, observed: p.metadata.generation });
    }
  });

  it('names the would-deny pods in the status\' top offenders, Service traffic at the backend pod', async () => {
    for (const policy of Object.keys(EXPECTED) as PolicyName[]) {
      const p = await policyObject(policy);
      const offenders: Record<string, number> = {};
      for (const o of p.status?.evaluation?.topOffenders ?? []) {
        const key = `WouldDeny ${o.direction} ${side(o.source)} -> ${side(o.destination)} ${o.port}/${o.protocol}`;
        offenders[key] = (offenders[key] ?? 0) + o.count;
      }
      const want = Object.fromEntries(Object.entries(EXPECTED[policy]).filter(([k]) => k.startsWith('WouldDeny')));
      expect(offenders, policy).toEqual(want);
    }
  });

  it('shows the counts in the printer columns of kubectl get kganp and kgacnp', async () => {
    const columns = (out: string): Record<string, string>[] => {
      const [header = '', ...rows] = out.trimEnd().split('\n');
      const starts = [...header.matchAll(/\S+/g)].map((m) => ({ name: m[0], at: m.index }));
      return rows.map((row) => Object.fromEntries(starts.map((s, i) => [s.name, row.slice(s.at, starts[i + 1]?.at ?? row.length).trim()])));
    };
    const anps = columns(await cluster.kubectl(['get', 'kganp', '-n', 'prod']));
    expect(anps.map((r) => [r.NAME, r['POD-SELECTOR'], r['WOULD-DENY'], r.ALLOWED, r.SYNCED])).toEqual([
      ['payments-isolation', '{"matchLabels":{"app":"payments"}}', '7', '9', 'True'],
      ['postgres-ingress', '{"matchLabels":{"app":"postgres"}}', '0', '4', 'True'],
    ]);
    const acnps = columns(await cluster.kubectl(['get', 'kgacnp']));
    expect(acnps.map((r) => [r.NAME, r['NAMESPACE-SELECTOR'], r['WOULD-DENY'], r.ALLOWED, r.SYNCED])).toEqual([
      ['platform-ingress', '{"matchLabels":{"team":"platform"}}', '2', '1', 'True'],
    ]);
  });

  it('writes WouldDeny Events on the policies that name only would-deny offenders', async () => {
    const deniedOf = (policy: PolicyName): Set<string> => new Set(Object.keys(EXPECTED[policy]).filter((k) => k.startsWith('WouldDeny'))
      .map((k) => { const [, , src = '', , dst = '', port = ''] = k.split(' '); return `${src} -> ${dst}:${port}`; }));
    for (const [policy, namespace, kind] of [['payments-isolation', 'prod', 'AuditNetworkPolicy'], ['platform-ingress', 'default', 'AuditClusterNetworkPolicy']] as const) {
      interface Ev { reason: string; type: string; message?: string; involvedObject: { kind: string; name: string } }
      const read = async (): Promise<Ev[]> => (await cluster.json<{ items: Ev[] }>(['-n', namespace, 'get', 'events', '--field-selector', `involvedObject.name=${policy}`])).items
        .filter((e) => e.involvedObject.kind === kind);
      // The leader writes the Event beside the status that first shows an offender: poll for it.
      const deadline = Date.now() + 60_000;
      let events = await read();
      while (events.length === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 500));
        events = await read();
      }
      expect(events.length, policy).toBeGreaterThan(0);
      const named = new Set<string>();
      for (const e of events) {
        expect([e.reason, e.type]).toEqual(['WouldDeny', 'Warning']);
        // "N new would-deny flows for generation G: ns/pod -> ns/pod:port/proto (Direction, Nx, state); ..."
        for (const m of (e.message ?? '').matchAll(/([\w.-]+\/[\w.-]+|[\d.:a-f]+) -> ([\w.-]+\/[\w.-]+|[\d.:a-f]+):(\d+\/\w+) \(/g)) {
          const name = (s: string): string => { const pod = s.split('/')[1] ?? ''; return workloadOf.get(pod) ?? s; };
          named.add(`${name(m[1] ?? '')} -> ${name(m[2] ?? '')}:${m[3] ?? ''}`);
        }
      }
      expect(named.size, policy).toBeGreaterThan(0);
      for (const n of named) expect(deniedOf(policy), `${policy}: ${n}`).toContain(n);
    }
  });
});

describe('the plugin as a user runs it: its own port-forward to the broker pod, no --broker-url', () => {
  async function verdicts(kubeconfig: string, scope: string[]): Promise<StoredVerdict[]> {
    const out = await plugin(kubeconfig, ['verdicts', ...scope, '-o', 'json', '--limit', '1000']);
    return (JSON.parse(out) as { verdicts: StoredVerdict[] }).verdicts;
  }

  it('verdicts -n prod names the right pods with the status\' counts, for a reader bound as docs/install.md says', async () => {
    const rows = await verdicts(readerKubeconfig, ['-n', 'prod']);
    const byPolicy = (name: PolicyName): Record<string, number> => tally(rows.filter((v) => v.policy.name === name));
    expect(byPolicy('payments-isolation')).toEqual(EXPECTED['payments-isolation']);
    expect(byPolicy('postgres-ingress')).toEqual(EXPECTED['postgres-ingress']);
    expect(tally(await verdicts(adminKubeconfig, ['--cluster-scoped']))).toEqual(EXPECTED['platform-ingress']);
  });

  it('verdicts -n prod for a reader of prod only is refused for another namespace', async () => {
    await expect(plugin(readerKubeconfig, ['verdicts', '-n', 'web', '-o', 'json'])).rejects.toThrow(/forbidden \(403/);
  });

  it('verdicts --watch followed the would-deny verdicts as they came', async () => {
    if (!watch) throw new Error('no watch');
    const want = Object.keys(EXPECTED['payments-isolation']).filter((k) => k.startsWith('WouldDeny'));
    await watch.waitFor('every would-deny of prod', (rows) => {
      const seen = tally(rows.map((r) => r.verdict));
      return want.every((w) => w in seen);
    });
    expect(new Set(watch.arrivals.map((r) => r.verdict.verdict))).toEqual(new Set(['WouldDeny']));
  });

  it('describe shows the counts, the offenders and why it is not safe to promote', async () => {
    interface Described { evaluation: { flowsWouldDeny: number; flowsAllowed: number }; topOffenders: Offender[]; promotion: { safe: boolean } }
    const d = JSON.parse(await plugin(readerKubeconfig, ['describe', 'payments-isolation', '-n', 'prod', '-o', 'json'])) as Described;
    expect({ wouldDeny: d.evaluation.flowsWouldDeny, allowed: d.evaluation.flowsAllowed, safe: d.promotion.safe }).toEqual({ ...sums('payments-isolation'), safe: false });
    expect(d.topOffenders.map((o) => `${side(o.source)} -> ${side(o.destination)}`)).toContain('web/frontend -> prod/payments');
    const text = await plugin(readerKubeconfig, ['describe', 'postgres-ingress', '-n', 'prod']);
    expect(text).toMatch(/Safe to promote:\s+yes/i);
  });

  it('audit test replays the recorded traffic against an edited policy: the web frontend becomes allowed', async () => {
    interface Report { flows: { src: { namespace?: string; pod?: string; ip?: string }; dst: { namespace?: string; pod?: string; ip?: string }; flow: { protocol: string; port: number }; verdicts: { policy: string; direction: string; verdict: string }[] }[] }
    const report = JSON.parse(await plugin(adminKubeconfig, ['audit', 'test', '-f', join(MANIFESTS, 'payments-isolation-edited.yaml'), '-o', 'json'])) as Report;
    const seen = new Set<string>();
    for (const f of report.flows) {
      for (const v of f.verdicts.filter((x) => x.policy.endsWith('payments-isolation'))) {
        seen.add(`${v.verdict} ${v.direction} ${side(f.src)} -> ${side(f.dst)} ${f.flow.port}/${f.flow.protocol}`);
      }
    }
    // Each distinct flow once; the web frontend's connections now allowed, the rest as before.
    expect([...seen].sort()).toEqual(Object.keys(EXPECTED['payments-isolation'])
      .map((k) => k.replace('WouldDeny Ingress web/frontend', 'Allow Ingress web/frontend')).sort());
  });

  it('ui -A: its own port-forward to the broker pod, whose image serves the web view; the policies (the cluster-scoped one with its promote-cluster command) and the verdicts through its proxy; --open starts $BROWSER; Ctrl-C ends it with exit 0', async () => {
    const opened = join(dir, 'opened');
    const browser = join(dir, 'browser');
    await writeFile(browser, `#!/bin/sh\nprintf '%s\\n' "$@" > '${opened}'\n`);
    await chmod(browser, 0o755);
    const ui = startPlugin(cluster, adminKubeconfig, ['ui', '-A', '--open'], { BROWSER: browser });
    try {
      let url: string | undefined;
      const deadline = Date.now() + 60_000;
      while (url === undefined) {
        url = /(http:\/\/127\.0\.0\.1:\d+\/ui\/)/.exec(ui.stdout())?.[1];
        if (ui.exitCode() !== undefined) throw new Error(`ui exited ${String(ui.exitCode())}: ${ui.stderr()}`);
        if (url === undefined && Date.now() > deadline) throw new Error(`ui printed no URL: ${ui.stdout()}${ui.stderr()}`);
        if (url === undefined) await new Promise((r) => setTimeout(r, 200));
      }
      // The page and its bundled script, from the broker image's own assets.
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
      expect(await page.text()).toContain('<script src="app.js"');
      const script = await fetch(new URL('app.js', url));
      expect([script.status, script.headers.get('content-type')]).toEqual([200, expect.stringMatching(/javascript/)]);
      expect((await script.text()).length).toBeGreaterThan(1000);
      const list = (await (await fetch(new URL('/ui/api/policies', url))).json()) as UiPolicyList;
      const named = Object.fromEntries(list.policies.map((p) => [`${p.kind} ${p.namespace}/${p.name}`, p.promoteCommand]));
      expect(named).toMatchObject({
        'AuditNetworkPolicy prod/payments-isolation': 'kubectl kguardian audit promote payments-isolation -n prod | kubectl apply -f -',
        'AuditClusterNetworkPolicy /platform-ingress': 'kubectl kguardian audit promote-cluster platform-ingress | kubectl apply -f -',
      });
      // The view's own read of the verdicts (its latest generation, with each connection's state).
      const res = await fetch(new URL('/audit/verdicts?policy=payments-isolation&namespace=prod&generations=latest&limit=1000', url));
      expect(res.status).toBe(200);
      const rows = ((await res.json()) as { verdicts: StoredVerdict[] }).verdicts;
      expect(tally(rows)).toEqual(EXPECTED['payments-isolation']);
      expect(new Set(rows.filter((v) => v.port === 9999).map((v) => v.state))).toEqual(new Set(['refused']));
      await expect.poll(() => readFile(opened, 'utf8').catch(() => ''), { timeout: 20_000 }).toBe(`${url}\n`);
      ui.kill('SIGINT');
      expect(await ui.exited).toBe(0);
      await expect(fetch(url)).rejects.toThrow();
    } finally {
      if (ui.exitCode() === undefined) ui.kill('SIGKILL');
    }
  });

  it('audit promote --apply turns the quiet policy into a NetworkPolicy with its spec', async () => {
    await plugin(adminKubeconfig, ['audit', 'promote', 'postgres-ingress', '-n', 'prod', '--apply']);
    const np = await cluster.json<{ metadata: { annotations?: Record<string, string> }; spec: unknown }>(['-n', 'prod', 'get', 'networkpolicy', 'postgres-ingress']);
    const anp = await policyObject('postgres-ingress');
    expect(np.spec).toEqual(anp.spec);
    expect(np.metadata.annotations?.['kguardian.dev/promoted-from']).toBe(`AuditNetworkPolicy/prod/postgres-ingress@${anp.metadata.generation}`);
    // The seed's policy file and the one the API server holds have the same spec.
    const file = yaml.load(await readFile(join(MANIFESTS, 'postgres-ingress.yaml'), 'utf8')) as { spec: unknown };
    expect(np.spec).toEqual(file.spec);
  });
});

describe('traffic from the node itself', () => {
  it('records the kubelet\'s probes, sent from the CNI bridge\'s address, as from the node, not an unknown peer', async () => {
    const client = pod('tools/client');
    const gateway = client.ipv4.replace(/\.\d+$/, '.1');
    const token = (await cluster.kubectl(['-n', 'kguardian', 'create', 'token', 'platform-admin'])).trim();
    const broker = await forwardBroker(cluster);
    try {
      const deadline = Date.now() + 60_000;
      let probes: StoredFlow[] = [];
      while (probes.length === 0) {
        if (Date.now() > deadline) throw new Error(`no flow from ${gateway} to ${client.name} in the broker`);
        const res = await fetch(`${broker.url}/v1/flows?limit=5000&since=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}`, { headers: { authorization: `Bearer ${token}` } });
        expect(res.status).toBe(200);
        const page = (await res.json()) as { flows: StoredFlow[] };
        probes = page.flows.filter((f) => f.direction === 'Ingress' && f.src.ip === gateway && f.dst.pod === client.name);
        if (probes.length === 0) await new Promise((r) => setTimeout(r, 500));
      }
      expect(new Set(probes.map((f) => `${f.src.kind} -> ${f.dst.kind} ${f.dst.port}/${f.protocol}`))).toEqual(new Set(['node -> pod 8080/TCP']));
    } finally {
      broker.stop();
    }
  });
});
