/**
 * scripts/cluster.sh on the real host: up brings a real single-node cluster (kubelet on containerd,
 * CNI bridge, kube-proxy, CoreDNS, a StorageClass) whose pods reach the API server and cluster
 * DNS, whose kubelet serves logs, exec and port-forward through the API server with a certificate
 * the cluster CA signed; with --enforcer kube-router, NetworkPolicies become kube-router's chains and
 * ipsets; up a second time changes nothing, an up in another folder is refused while this cluster
 * runs, and `up --enforcer none` takes the enforcer away again; down, run with kube-router enforcing
 * a NetworkPolicy (its chains and ipsets in place, as the enforcement and conformance stages leave
 * them), leaves the host exactly as it was (processes, mounts, network namespaces, links, addresses,
 * routes, iptables and ip6tables, ipsets, cgroups, sysctls, default paths).
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireRoot } from '../netns/require-root.js';
import { Cluster, clusterEnv, clusterScript } from './testing/cluster.js';
import { clusterConfig } from './testing/cluster-config.js';
import { hostState, type HostState } from './testing/host-state.js';

requireRoot('the real-cluster tests');

const run = promisify(execFile);

let dir: string;
let before: HostState;
let cluster: Cluster;
let kubeconfig: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kgc-test-'));
  before = await hostState(dir);
  kubeconfig = (await clusterScript(['up', '--enforcer', 'kube-router'], dir)).stdout.trim();
  cluster = new Cluster(await clusterEnv(dir));
});

afterAll(async () => {
  if (dir) await clusterScript(['down'], dir);
});

interface Pod { metadata: { name: string; namespace: string }; status: { podIP?: string; podIPs?: { ip: string }[]; conditions?: { type: string; status: string }[] } }

/** A NetworkPolicy kube-router turns into its chain and ipsets; the rule's comment names it. */
const DNS_POLICY = {
  apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'dns-from-system', namespace: 'kube-system' },
  spec: { podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } }, ingress: [{ from: [{ podSelector: {} }] }] },
};
const DNS_POLICY_COMMENT = 'policy name dns-from-system namespace kube-system';

async function filterTable(): Promise<string> {
  return (await run('iptables-save', ['-t', 'filter'])).stdout;
}

async function ipsets(): Promise<string[]> {
  return (await run('ipset', ['list', '-n'])).stdout.split('\n').filter((s) => s !== '').sort();
}

/** The pid of each component the cluster runs (the enforcer's included). */
async function componentPids(): Promise<string[]> {
  const names = ['containerd', 'kubelet', 'kube-proxy', 'kube-controller-manager', 'kube-scheduler', 'host-path-provisioner', 'kube-router'];
  return Promise.all(names.map((n) => readFile(join(dir, 'pids', n), 'utf8')));
}

async function systemPods(): Promise<Pod[]> {
  return (await cluster.json<{ items: Pod[] }>(['-n', 'kube-system', 'get', 'pods'])).items;
}

async function corednsPod(): Promise<Pod> {
  const pods = (await cluster.json<{ items: Pod[] }>(['-n', 'kube-system', 'get', 'pods', '-l', 'k8s-app=kube-dns'])).items;
  expect(pods).toHaveLength(1);
  return pods[0]!;
}

describe('scripts/cluster.sh up', () => {
  it('prints the kubeconfig of a cluster whose node is Ready with an IPv4 and an IPv6 address', async () => {
    expect(kubeconfig).toBe(cluster.env.KUBECONFIG);
    const node = await cluster.json<{ status: { addresses: { type: string; address: string }[]; conditions: { type: string; status: string }[] } }>(
      ['get', 'node', cluster.env.NODE_NAME]);
    expect(node.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(node.status.addresses.filter((a) => a.type === 'InternalIP').map((a) => a.address)).toEqual(['10.254.0.1', 'fd6b:6763::1']);
  });

  it('runs CoreDNS Ready, with a dual-stack pod address from the bridge', async () => {
    const pods = await systemPods();
    expect(pods.length).toBeGreaterThan(0);
    for (const pod of pods) {
      expect(pod.status.conditions?.find((c) => c.type === 'Ready')?.status, pod.metadata.name).toBe('True');
    }
    const dns = await corednsPod();
    expect(dns.status.podIPs?.map((p) => p.ip)).toEqual([expect.stringMatching(/^10\.254\.128\./), expect.stringMatching(/^fd6b:6763:1::/)]);
  });

  it('serves the kubernetes Service to pods: from a pod, through kube-proxy, to the API server on the node address', async () => {
    const dns = await corednsPod();
    const ca = join(dir, 'controlplane', 'pki', 'ca.crt');
    const version = await cluster.inPodNetwork(dns.metadata.namespace, dns.metadata.name,
      ['curl', '-sS', '--max-time', '10', '--cacert', ca, 'https://10.254.16.1/version']);
    expect(JSON.parse(version)).toMatchObject({ gitVersion: 'v1.36.3' });
    const slices = await cluster.json<{ items: { endpoints: { addresses: string[] }[] }[] }>(
      ['-n', 'default', 'get', 'endpointslices', '-l', 'kubernetes.io/service-name=kubernetes']);
    expect(slices.items.flatMap((s) => s.endpoints.flatMap((e) => e.addresses))).toEqual(['10.254.0.1']);
  });

  it('answers cluster names through CoreDNS at the kube-dns ClusterIP, from a pod, over UDP', async () => {
    const dns = await corednsPod();
    const script = `const r = new (require('node:dns').promises.Resolver)(); r.setServers(['10.254.16.10']);
      Promise.all([r.resolve4('kubernetes.default.svc.cluster.local'), r.resolve4('kube-dns.kube-system.svc.cluster.local')])
        .then((a) => console.log(JSON.stringify(a)), (e) => { console.error(e.message); process.exit(1); });`;
    const answers = JSON.parse(await cluster.inPodNetwork(dns.metadata.namespace, dns.metadata.name, [process.execPath, '-e', script])) as string[][];
    expect(answers).toEqual([['10.254.16.1'], ['10.254.16.10']]);
  });

  it('serves logs, exec and port-forward through the API server and the real kubelet (its certificate signed by the cluster CA)', async () => {
    const dns = await corednsPod();
    const logs = await cluster.kubectl(['-n', 'kube-system', 'logs', dns.metadata.name]);
    expect(logs).toContain('CoreDNS-');
    const exec = await cluster.kubectl(['-n', 'kube-system', 'exec', dns.metadata.name, '--', '/coredns', '-version']);
    expect(exec).toContain('CoreDNS-');

    const forward = spawn(cluster.env.KUBECTL, ['--kubeconfig', cluster.env.KUBECONFIG, '-n', 'kube-system', 'port-forward', `pod/${dns.metadata.name}`, ':8080']);
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        forward.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /127\.0\.0\.1:(\d+) ->/.exec(out);
          if (m) resolve(Number(m[1]));
        });
        forward.on('exit', (code) => { reject(new Error(`kubectl port-forward exited with ${String(code)}`)); });
      });
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      expect(await res.text()).toBe('OK');
    } finally {
      forward.kill();
    }
  });

  it('binds a claim of the default StorageClass to a local volume on the node, owned by the pod fsGroup', async () => {
    const pause = (await readFile(join(dir, 'containerd', 'config.toml'), 'utf8')).match(/sandbox_image = "([^"]+)"/)?.[1];
    const manifest = {
      apiVersion: 'v1', kind: 'List', items: [
        { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'default' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '16Mi' } } } },
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'uses-data', namespace: 'default' },
          spec: { securityContext: { runAsUser: 999, fsGroup: 999 },
            containers: [{ name: 'pause', image: pause, imagePullPolicy: 'Never', volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
            volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }] } },
      ],
    };
    await cluster.kubectl(['apply', '-f', '-'], JSON.stringify(manifest));
    await cluster.kubectl(['-n', 'default', 'wait', '--for=condition=Ready', 'pod/uses-data', '--timeout=120s']);
    const pvc = await cluster.json<{ spec: { volumeName: string }; status: { phase: string } }>(['-n', 'default', 'get', 'pvc', 'data']);
    expect(pvc.status.phase).toBe('Bound');
    const pv = await cluster.json<{ spec: { local: { path: string } } }>(['get', 'pv', pvc.spec.volumeName]);
    expect(pv.spec.local.path.startsWith(`${dir}/volumes/`)).toBe(true);
    const { gid } = await stat(pv.spec.local.path);
    expect(gid).toBe(999);
    await cluster.kubectl(['-n', 'default', 'delete', 'pod/uses-data', 'pvc/data', '--wait']);
  });

  it('runs kube-router as the enforcer: a NetworkPolicy becomes its iptables chain and ipsets', async () => {
    expect(cluster.env.ENFORCER).toBe('kube-router');
    await cluster.kubectl(['apply', '-f', '-'], JSON.stringify(DNS_POLICY));
    // The rule's comment names the policy once kube-router's sync that saw it restored the filter table.
    await expect.poll(filterTable, { timeout: 60_000, interval: 200 }).toContain(DNS_POLICY_COMMENT);
    expect(await filterTable()).toMatch(/^:KUBE-ROUTER-FORWARD /m);
    expect((await ipsets()).filter((s) => s.startsWith('KUBE-'))).not.toEqual([]);
    await cluster.kubectl(['-n', 'kube-system', 'delete', 'networkpolicy', 'dns-from-system']);
    await expect.poll(filterTable, { timeout: 60_000, interval: 200 }).not.toContain(DNS_POLICY_COMMENT);
  });

  it('is idempotent: a second up prints the same kubeconfig, restarts nothing and writes no configuration file', async () => {
    // kube-proxy exits when its file is written, even with the same bytes: a rewrite kills it a moment after up returns.
    const configs = ['cni/10-kgc.conflist', 'containerd/config.toml', 'kubelet/config.yaml', 'kube-proxy/config.yaml'];
    const written = async (): Promise<number[]> => Promise.all(configs.map(async (f) => (await stat(join(dir, f))).mtimeMs));
    const first = await componentPids();
    const firstWritten = await written();
    expect((await clusterScript(['up'], dir)).stdout.trim()).toBe(kubeconfig);
    expect(await componentPids()).toEqual(first);
    expect(await written()).toEqual(firstWritten);
  });

  it('refuses an up in another folder while this cluster runs, saying so, and leaves this one running untouched', async () => {
    const other = await mkdtemp(join(tmpdir(), 'kgc-other-'));
    try {
      const first = await componentPids();
      const refused = await clusterScript(['up'], other).then(() => undefined, (err: unknown) => err as { code?: number; stderr?: string });
      expect(refused, 'a second up succeeded').toBeDefined();
      expect(refused?.code).not.toBe(0);
      expect(refused?.stderr).toMatch(/another cluster already runs on this host \(interface kgc-node exists, not made by .*kgc-other-.*\); stop it with its own scripts\/cluster\.sh down --dir/);
      expect(await readdir(other)).toEqual([]);
      expect(await componentPids()).toEqual(first);
      expect((await clusterScript(['status'], dir)).stdout).toContain(`kubeconfig: ${kubeconfig}`);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('up --enforcer none stops kube-router and removes its chains and ipsets, leaving kube-proxy\'s', async () => {
    await clusterScript(['up', '--enforcer', 'none'], dir);
    const filter = await filterTable();
    expect(filter.split('\n').filter((l) => /KUBE-(ROUTER|NWPLCY|POD-FW)/.test(l))).toEqual([]);
    expect(filter).toMatch(/^:KUBE-FORWARD /m);
    expect(await ipsets()).toEqual(before.ipsets);
    expect((await clusterEnv(dir)).ENFORCER).toBe('');
    await expect(stat(join(dir, 'pids', 'kube-router'))).rejects.toThrow(/ENOENT/);
  });
});

describe('scripts/cluster.sh down', () => {
  it('leaves the host exactly as up found it, run while kube-router enforces a NetworkPolicy (its chains and ipsets in place)', async () => {
    // The enforcer back on, as the enforcement and conformance stages run the cluster. up returns after
    // the new kube-router's first sync, so its chains are there at once.
    await clusterScript(['up', '--enforcer', 'kube-router'], dir);
    expect(await filterTable()).toMatch(/^:KUBE-ROUTER-FORWARD /m);
    await cluster.kubectl(['apply', '-f', '-'], JSON.stringify(DNS_POLICY));
    await expect.poll(filterTable, { timeout: 60_000, interval: 200 }).toContain(DNS_POLICY_COMMENT);
    expect((await ipsets()).filter((s) => !before.ipsets.includes(s))).not.toEqual([]);
    await clusterScript(['down'], dir);
    const after = await hostState(dir);
    expect(after).toEqual(before);
  });

  it('takes down, at the next up in another folder, a cluster a killed run left behind; then starts, and its own down restores the host', async () => {
    const left = await mkdtemp(join(tmpdir(), 'kgc-left-'));
    const next = await mkdtemp(join(tmpdir(), 'kgc-next-'));
    try {
      await clusterScript(['up', '--enforcer', 'kube-router'], left);
      await killEverything(left);
      const { stdout, stderr } = await clusterScript(['up'], next);
      expect(stderr).toMatch(/a cluster was left behind in .*kgc-left-.* \(none of its processes runs: .*\); taking it down first/);
      expect(stdout.trim()).toBe(join(next, 'controlplane', 'kubeconfig'));
      await expect(stat(left)).rejects.toThrow(/ENOENT/);
      await clusterScript(['down'], next);
      expect(await hostState(next)).toEqual(before);
    } finally {
      await rm(left, { recursive: true, force: true });
      await rm(next, { recursive: true, force: true });
    }
  });
});

/**
 * What the end of a session does to a run: every process the cluster in DIR started, its containers
 * and their shims get SIGKILL, and nothing of its own down runs.
 */
async function killEverything(clusterDir: string): Promise<void> {
  const pidFiles = [...(await readdir(join(clusterDir, 'pids'))).map((n) => join(clusterDir, 'pids', n)), join(clusterDir, 'controlplane', 'pid')];
  const pids = await Promise.all(pidFiles.map(async (f) => Number((await readFile(f, 'utf8')).trim())));
  const cgroups = clusterConfig().kgc_cgroup_root!;
  // Containers and shims first found, as a script: cgroup.procs files at every depth under the
  // kubelet's parent, and the shims whose command line names the cluster's containerd socket.
  const { stdout } = await run('bash', ['-c', 'find /sys/fs/cgroup/*"$1" -name cgroup.procs -exec cat {} + 2>/dev/null; pgrep -f "containerd-shim.*$2" || true', 'kill', cgroups, clusterDir]);
  pids.push(...stdout.split('\n').filter((l) => l !== '').map(Number));
  for (const pid of new Set(pids)) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
  }
  await expect.poll(() => pids.filter((pid) => alive(pid)), { timeout: 10_000 }).toEqual([]);
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}
