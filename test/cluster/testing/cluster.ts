/**
 * scripts/cluster.sh as the tests drive it: up and down in a folder of the test's own, kubectl
 * against the cluster, and commands run inside a real pod's network namespace (found through
 * containerd), so traffic leaves through the pod's veth, the bridge and kube-proxy's rules.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../../playground/paths.js';

const run = promisify(execFile);
const SCRIPT = `${REPO_ROOT}scripts/cluster.sh`;

export interface ClusterEnv {
  KUBECONFIG: string;
  KUBECTL: string;
  CONTAINERD_ADDRESS: string;
  NODE_NAME: string;
  NODE_IP: string;
  CLUSTER_DIR: string;
  /** The NetworkPolicy enforcer `up --enforcer` started ('kube-router'), or '' for none. */
  ENFORCER: string;
}

export async function clusterScript(args: string[], dir: string): Promise<{ stdout: string; stderr: string }> {
  return run('bash', [SCRIPT, ...args, '--dir', dir], { maxBuffer: 64 * 1024 * 1024, timeout: 15 * 60_000 });
}

export async function clusterEnv(dir: string): Promise<ClusterEnv> {
  const { stdout } = await clusterScript(['env'], dir);
  const env = Object.fromEntries(stdout.trim().split('\n').map((l) => {
    const i = l.indexOf('=');
    return [l.slice(0, i), l.slice(i + 1)];
  }));
  return env as unknown as ClusterEnv;
}

export class Cluster {
  constructor(readonly env: ClusterEnv) {}

  async kubectl(args: string[], input?: string): Promise<string> {
    const child = run(this.env.KUBECTL, ['--kubeconfig', this.env.KUBECONFIG, ...args], { maxBuffer: 64 * 1024 * 1024, timeout: 5 * 60_000 });
    if (input !== undefined) {
      child.child.stdin?.end(input);
    }
    return (await child).stdout;
  }

  async json<T>(args: string[]): Promise<T> {
    return JSON.parse(await this.kubectl([...args, '-o', 'json'])) as T;
  }

  /** The host pid of a container of a pod (its first container by default), from containerd. */
  async podPid(namespace: string, pod: string, container?: string): Promise<number> {
    interface Status { name: string; containerID?: string }
    const p = await this.json<{ status: { containerStatuses?: Status[] } }>(['-n', namespace, 'get', 'pod', pod]);
    const statuses = p.status.containerStatuses ?? [];
    const status = container === undefined ? statuses[0] : statuses.find((s) => s.name === container);
    const id = status?.containerID?.replace(/^containerd:\/\//, '');
    if (!id) throw new Error(`pod ${namespace}/${pod} has no running container`);
    const { stdout } = await run('ctr', ['--address', this.env.CONTAINERD_ADDRESS, '-n', 'k8s.io', 'task', 'ls']);
    const line = stdout.split('\n').find((l) => l.startsWith(`${id} `));
    const pid = Number(line?.trim().split(/\s+/)[1]);
    if (!pid) throw new Error(`containerd has no task for container ${id} of ${namespace}/${pod}`);
    return pid;
  }

  /** Runs a host program inside the network namespace of a pod. */
  async inPodNetwork(namespace: string, pod: string, cmd: string[]): Promise<string> {
    const pid = await this.podPid(namespace, pod);
    const { stdout } = await run('nsenter', ['-t', String(pid), '-n', '--', ...cmd], { timeout: 60_000 });
    return stdout;
  }
}
