/**
 * `kubectl kguardian gen` closing the loop on a real cluster with a real enforcer (kube-router,
 * `scripts/cluster.sh up --enforcer kube-router`): workloads talk (a client through a Service, the
 * api to its database through a Service, DNS through CoreDNS), `gen networkpolicy` learns one
 * AuditNetworkPolicy per workload from the broker's flows, `kubectl apply` puts them in audit
 * mode, the same traffic again is judged by the evaluator with WOULD-DENY 0, `gen --holdout`
 * measures what policies learned for the whole cluster would deny in that later window,
 * `audit promote` turns them into NetworkPolicies, and with the enforcer on the observed traffic
 * still flows while a pod never seen calling the api is now dropped.
 *
 * The shared cluster runs without the enforcer (the other files count on NetworkPolicies being
 * stored and never applied): `up --enforcer kube-router` on it starts kube-router alone (up is
 * idempotent: it leaves the running components and their configuration files alone), and at the
 * end `up --enforcer none` stops it and removes its rules and ipsets. Everything else this file
 * makes lives in its two namespaces, deleted at the end with their policies.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../playground/paths.js';
import { requireRoot } from '../netns/require-root.js';
import { clusterScript, type Cluster } from './testing/cluster.js';
import { eventually } from './testing/poll.js';
import { sharedCluster } from './testing/shared.js';
import { userKubeconfig } from './testing/user-kubeconfig.js';
import { clusterIps, deployWorkloads, dnsLookups, execIn, hostPort, tcpConnect, type RunningPod, type Workload } from './testing/workloads.js';

requireRoot('the real-cluster tests');

const run = promisify(execFile);

const SHOP = 'gen-shop';
const WEB = 'gen-web';
const WORKLOADS: Workload[] = [
  { namespace: SHOP, name: 'api', labels: { app: 'api' }, httpPort: 8080, servicePort: 80 },
  { namespace: SHOP, name: 'db', labels: { app: 'db' }, httpPort: 5432, servicePort: 5432 },
  { namespace: WEB, name: 'client', labels: { app: 'client' }, httpPort: 8080 },
  // Never calls anything before the policies are enforced: the caller they must now drop.
  { namespace: WEB, name: 'stranger', labels: { app: 'stranger' }, httpPort: 8080 },
];
/** Per round: client -> api (Service), api -> db (Service), api's lookups of db's name. */
const ROUND = { clientToApi: 3, apiToDb: 3, lookups: 2 };
/** The plugin's calls: each opens its own port-forward to the broker, about a second of CPU here. */
const PLUGIN_EVERY_MS = 2000;

interface AuditPolicyJson {
  kind: string;
  metadata: { name: string; namespace: string; generation?: number; annotations?: Record<string, string> };
  spec: { podSelector: unknown; policyTypes?: string[]; ingress?: { from?: unknown[]; ports?: { port?: number | string; protocol?: string }[] }[]; egress?: { to?: unknown[]; ports?: { port?: number | string; protocol?: string }[] }[] };
  status?: { observedGeneration?: number; conditions?: { type: string; status: string }[]; evaluation?: { flowsEvaluated?: number; flowsAllowed?: number; flowsWouldDeny?: number } };
}

let cluster: Cluster;
let clusterDir: string;
/** Whether this file started kube-router (and so stops it). */
let startedEnforcer = false;
let dir: string;
/** A cluster admin with a token (the broker takes bearer tokens, not the admin's client certificate). */
let adminKubeconfig: string;
let pods: Map<string, RunningPod>;
let svc: { api: string; db: string };
/** When this file's traffic began, and when its second round (the held-out window) began. */
let learnFrom = 0;
let heldOutFrom = 0;

function pod(key: string): RunningPod {
  const p = pods.get(key);
  if (!p) throw new Error(`no pod ${key}`);
  return p;
}

/** `kubectl kguardian ARGS` as the cluster admin, the plugin from this checkout on PATH, its own port-forward to the broker. */
function plugin(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: adminKubeconfig, PATH: `${REPO_ROOT}bin${delimiter}${process.env.PATH ?? ''}` };
  delete env.KGUARDIAN_BROKER_URL;
  return new Promise((resolve, reject) => {
    const child = spawn(cluster.env.KUBECTL, ['kguardian', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => { resolve({ code: code ?? -1, stdout, stderr }); });
  });
}

async function round(): Promise<void> {
  for (let i = 0; i < ROUND.clientToApi; i++) expect(await tcpConnect(cluster, pod(`${WEB}/client`), svc.api, 80)).toBe('connected');
  for (let i = 0; i < ROUND.apiToDb; i++) expect(await tcpConnect(cluster, pod(`${SHOP}/api`), svc.db, 5432)).toBe('connected');
  expect(await dnsLookups(cluster, pod(`${SHOP}/api`), `db.${SHOP}.svc.cluster.local.`, ROUND.lookups)).toEqual(Array(ROUND.lookups).fill(svc.db));
}

/** What a generated policy's rules name, in words, sorted: "ingress gen-web app=client 8080/TCP". */
function ruleWords(p: AuditPolicyJson): string[] {
  const peer = (x: unknown): string => {
    const o = x as { namespaceSelector?: { matchLabels?: Record<string, string> }; podSelector?: { matchLabels?: Record<string, string> }; ipBlock?: { cidr: string } };
    if (o.ipBlock) return o.ipBlock.cidr;
    const ns = o.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] ?? '?';
    return `${ns} ${Object.entries(o.podSelector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).sort().join(',')}`;
  };
  const out: string[] = [];
  for (const r of p.spec.ingress ?? []) for (const f of r.from ?? []) for (const port of r.ports ?? []) out.push(`ingress ${peer(f)} ${String(port.port)}/${port.protocol ?? ''}`);
  for (const r of p.spec.egress ?? []) for (const t of r.to ?? []) for (const port of r.ports ?? []) out.push(`egress ${peer(t)} ${String(port.port)}/${port.protocol ?? ''}`);
  return out.sort();
}

/** A test workload's stable pod labels (testing/workloads.ts adds kguardian.test/workload). */
const labelsOf = (app: string): string => `app=${app},kguardian.test/workload=${app}`;
/**
 * Ports by the destination's declared names: agnhost's `http` (httpPort), CoreDNS's `dns` and
 * `dns-tcp` (gen allows DNS over TCP too wherever it saw it over UDP).
 */
const EXPECTED_RULES: Record<string, string[]> = {
  'gen-api': [`egress ${SHOP} ${labelsOf('db')} http/TCP`, 'egress kube-system k8s-app=kube-dns dns/UDP', 'egress kube-system k8s-app=kube-dns dns-tcp/TCP', `ingress ${WEB} ${labelsOf('client')} http/TCP`].sort(),
  'gen-db': [`ingress ${SHOP} ${labelsOf('api')} http/TCP`],
};

/**
 * With KG_GEN_RECORD=DIR, the file also writes what the held-out measure read, for
 * bench/gen-holdout.bench.ts to judge offline: the flows of the learning window and of the
 * held-out window (`flows export`, read apart as `gen --holdout` reads them), and the cluster.
 */
const RECORD = process.env.KG_GEN_RECORD;

async function record(file: string, args: readonly string[]): Promise<void> {
  if (RECORD === undefined) return;
  const r = await plugin(args);
  expect(r.code, r.stderr).toBe(0);
  await writeFile(join(RECORD, file), r.stdout);
}

/** Whole seconds from `since` to now, rounded up or down, in the plugin's duration grammar. */
function secondsSince(since: number, rounding: (x: number) => number): string {
  return `${rounding((Date.now() - since) / 1000)}s`;
}

let generated: AuditPolicyJson[] = [];

beforeAll(async () => {
  const shared = await sharedCluster();
  cluster = shared.cluster;
  clusterDir = shared.dir;
  if (cluster.env.ENFORCER !== 'kube-router') {
    startedEnforcer = true;
    await clusterScript(['up', '--enforcer', 'kube-router'], clusterDir);
  }
  const agnhost = shared.images.agnhost;
  if (!agnhost) throw new Error('the shared cluster has no agnhost image');
  dir = await mkdtemp(join(tmpdir(), 'kgc-gen-'));
  learnFrom = Date.now();
  pods = await deployWorkloads(cluster, agnhost, { [SHOP]: {}, [WEB]: {} }, WORKLOADS);
  adminKubeconfig = await userKubeconfig(cluster, dir, SHOP, 'gen-admin', [{ role: 'ClusterRole/cluster-admin' }]);
  const [api] = await clusterIps(cluster, SHOP, 'api');
  const [db] = await clusterIps(cluster, SHOP, 'db');
  if (!api || !db) throw new Error('the Services have no ClusterIP');
  svc = { api, db };
});

afterAll(async () => {
  await cluster?.kubectl(['delete', 'clusterrolebinding', 'gen-admin-0', '--ignore-not-found']);
  await cluster?.kubectl(['delete', 'namespace', SHOP, WEB, '--ignore-not-found', '--wait=true', '--timeout=120s']);
  if (dir) await rm(dir, { recursive: true, force: true });
  if (startedEnforcer) await clusterScript(['up', '--enforcer', 'none'], clusterDir);
});

describe('gen networkpolicy, audit, promote, enforce', () => {
  it('learns one AuditNetworkPolicy per workload of the namespace from the recorded traffic, each rule what was seen', async () => {
    await round();
    // The agent ships its buckets every few seconds: ask again until the broker's flows give every rule.
    let last = '';
    generated = await eventually('gen to see every observed peer', async () => {
      const r = await plugin(['gen', 'networkpolicy', '-n', SHOP, '--since', '1h']);
      if (r.code !== 0) {
        last = r.stderr;
        return undefined;
      }
      const docs = yaml.loadAll(r.stdout) as AuditPolicyJson[];
      last = JSON.stringify(Object.fromEntries(docs.map((d) => [d.metadata.name, ruleWords(d)])));
      return last === JSON.stringify(EXPECTED_RULES) ? docs : undefined;
    }, 120_000, PLUGIN_EVERY_MS).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}; gen's last answer: ${last}`);
    });
    expect(generated.map((d) => d.kind)).toEqual(['AuditNetworkPolicy', 'AuditNetworkPolicy']);
    expect(generated.map((d) => d.spec.podSelector)).toEqual(['api', 'db'].map((app) => ({ matchLabels: { app, 'kguardian.test/workload': app } })));
    for (const d of generated) expect(d.metadata.annotations?.['kguardian.dev/generated-from']).toMatch(/\d+ flows/);
  });

  it('applied in audit mode, the same traffic again is judged with WOULD-DENY 0', async () => {
    expect(generated).toHaveLength(2);
    await cluster.kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: generated }));
    if (RECORD !== undefined) await mkdir(RECORD, { recursive: true });
    await record('learn.jsonl', ['flows', 'export', '-A', '--since', secondsSince(learnFrom, Math.ceil)]);
    heldOutFrom = Date.now();
    await round();
    // Both rounds: api sees 2 × (3 in + 3 out + 2 lookups), db 2 × 3 in.
    const want: Record<string, number> = { 'gen-api': 2 * (ROUND.clientToApi + ROUND.apiToDb + ROUND.lookups), 'gen-db': 2 * ROUND.apiToDb };
    for (const [name, flows] of Object.entries(want)) {
      const p = await eventually(`${name} to count both rounds`, async () => {
        const o = await cluster.json<AuditPolicyJson>(['-n', SHOP, 'get', 'kganp', name]);
        const synced = o.status?.observedGeneration === o.metadata.generation && o.status?.conditions?.some((c) => c.type === 'Synced' && c.status === 'True');
        return synced && (o.status?.evaluation?.flowsEvaluated ?? 0) >= flows ? o : undefined;
      }, 120_000, PLUGIN_EVERY_MS);
      expect({ name, wouldDeny: p.status?.evaluation?.flowsWouldDeny, allowed: p.status?.evaluation?.flowsAllowed }).toEqual({ name, wouldDeny: 0, allowed: flows });
      process.stderr.write(`gen on the real cluster: ${name} learned from round 1, judged over rounds 1 and 2 by the evaluator: ${flows} conversations allowed, 0 would be denied\n`);
    }
  });

  it('learned for every workload of the cluster before the second round, judged on it (--holdout): this file\'s workloads lose nothing', async () => {
    expect(heldOutFrom).toBeGreaterThan(0);
    // The broker holds both rounds by now (the evaluator counted them): learn from this file's start to the second round, judge the rest.
    const r = await plugin(['gen', 'networkpolicy', '-A', '--since', secondsSince(learnFrom, Math.ceil), '--holdout', secondsSince(heldOutFrom, Math.floor), '-o', 'json']);
    const report = r.stderr.split('\n').findIndex((l) => l.startsWith('held-out window '));
    expect(report, r.stderr).toBeGreaterThanOrEqual(0);
    const lines = r.stderr.split('\n').slice(report).filter((l) => l !== '');
    process.stderr.write(`gen --holdout on the real cluster (every workload; exit ${r.code}):\n${r.stderr}`);
    expect(lines[0]).toMatch(/^held-out window .*: \d+ flow lines? judged/);
    // The held-out round repeats the learned one: nothing of it may be denied, whatever the cluster's other workloads did meanwhile.
    expect(lines.slice(1).filter((l) => l.includes(SHOP) || l.includes(WEB))).toEqual([]);
    await record('held-out.jsonl', ['flows', 'export', '-A', '--since', secondsSince(heldOutFrom, Math.floor)]);
    if (RECORD !== undefined) {
      const kinds = 'namespaces,nodes,pods,services,deployments,replicasets,statefulsets,daemonsets,jobs';
      await writeFile(join(RECORD, 'cluster.yaml'), await cluster.kubectl(['get', kinds, '-A', '-o', 'yaml']));
    }
  });

  it('promoted and enforced by kube-router, the observed traffic still flows and a caller never seen is dropped', async () => {
    const promoted: string[] = [];
    for (const name of ['gen-api', 'gen-db']) {
      const r = await plugin(['audit', 'promote', name, '-n', SHOP]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/kind: NetworkPolicy/);
      promoted.push(r.stdout);
    }
    await cluster.kubectl(['apply', '-f', '-'], promoted.join('\n---\n'));
    // kube-router restores its filter table in one piece: once both policies' jumps are in it, both are enforced.
    await eventually('kube-router to enforce gen-api and gen-db', async () => {
      const { stdout } = await run('iptables-save', ['-t', 'filter'], { maxBuffer: 64 * 1024 * 1024 });
      return ['gen-api', 'gen-db'].every((n) => stdout.includes(`run through nw policy ${n}"`)) ? true : undefined;
    });
    await round();
    // kube-router rejects what no policy allows (an ICMP port unreachable: the caller sees a refusal) or drops it.
    const api = pod(`${SHOP}/api`);
    for (const [ip, port] of [[api.ipv4, 8080], [svc.api, 80]] as const) {
      const stranger = await execIn(cluster, pod(`${WEB}/stranger`), ['/agnhost', 'connect', '--timeout=3s', hostPort(ip, port)]);
      expect(stranger.code, `${hostPort(ip, port)}: ${stranger.stderr}`).not.toBe(0);
      expect(stranger.stderr).toMatch(/REFUSED|TIMEOUT/);
    }
  });
});
