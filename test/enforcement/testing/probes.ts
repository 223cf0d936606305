/**
 * Runs probes from pods, many at once: one prober process per source pod (probe.pl, perl from the
 * agnhost image's debian base) tries all of that pod's targets in parallel, and every source pod of every
 * copy probes at the same time.
 *
 * `exec` runs the prober inside the pod's container through the API server (kubectl exec), as a workload's
 * own process, so the kguardian agent sees it exactly as a workload; `netns` runs the host's perl in the
 * pod's network namespace (nsenter): the same packets from the same address through the same veth and the
 * same iptables, without an API round trip per pod, for the enforced rounds. The agent sees those too: its TCP
 * tracepoint is system-wide, its UDP programs sit on the root cgroup, and a socket at a pod's address is the pod's.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import type { Cluster } from '../../cluster/testing/cluster.js';
import type { Probe } from '../universe.js';

const run = promisify(execFile);
const PROBER = readFileSync(new URL('./probe.pl', import.meta.url), 'utf8');
/** Host pids of the pods' containers: the test's pods never restart. */
const pids = new Map<string, number>();

/** Finds the host pid of every running pod's first container at once: one kubectl get, one ctr task ls. */
export async function learnPids(cluster: Cluster): Promise<void> {
  interface Pod { metadata: { name: string; namespace: string }; status: { containerStatuses?: { containerID?: string }[] } }
  const pods = await cluster.json<{ items: Pod[] }>(['get', 'pods', '-A']);
  const { stdout } = await run('ctr', ['--address', cluster.env.CONTAINERD_ADDRESS, '-n', 'k8s.io', 'task', 'ls'], { maxBuffer: 16 * 1024 * 1024 });
  const tasks = new Map(stdout.trim().split('\n').slice(1).map((l) => {
    const [id = '', pid = ''] = l.trim().split(/\s+/);
    return [id, Number(pid)] as const;
  }));
  for (const p of pods.items) {
    const id = p.status.containerStatuses?.[0]?.containerID?.replace(/^containerd:\/\//, '');
    const pid = id === undefined ? undefined : tasks.get(id);
    if (pid) pids.set(`${p.metadata.namespace}/${p.metadata.name}`, pid);
  }
}

async function podPid(cluster: Cluster, namespace: string, pod: string): Promise<number> {
  const key = `${namespace}/${pod}`;
  let pid = pids.get(key);
  if (pid === undefined) {
    pid = await cluster.podPid(namespace, pod);
    pids.set(key, pid);
  }
  return pid;
}

export type ProbeMode = 'exec' | 'netns';

export interface ProbeOutcome {
  ok: boolean;
  /** `timeout`, `refused:...`: why it failed. */
  detail: string;
}

/** Runs every probe (each needs `dst.ip`); answers by probe key and copy: `copyIndex key`. */
export async function runProbes(cluster: Cluster, probes: { copy: number; probe: Probe }[], mode: ProbeMode, timeoutMs: number): Promise<Map<string, ProbeOutcome>> {
  const bySource = new Map<string, { copy: number; probe: Probe }[]>();
  for (const p of probes) {
    const k = `${p.probe.src.namespace}/${p.probe.src.pod}`;
    const list = bySource.get(k);
    if (list) list.push(p);
    else bySource.set(k, [p]);
  }
  const out = new Map<string, ProbeOutcome>();
  await inPool([...bySource.values()], mode === 'exec' ? 16 : 64, async (list) => {
    const first = list[0];
    if (!first) return;
    const src = first.probe.src;
    const ids = list.map((p, i) => ({ id: `p${i}`, p }));
    const args = [String(timeoutMs), ...ids.map(({ id, p }) => `${id},${p.probe.dst.ip ?? ''},${p.probe.port},${p.probe.protocol.toLowerCase()}`)];
    const stdout = mode === 'exec'
      ? await cluster.kubectl(['-n', src.namespace, 'exec', src.pod, '--', 'perl', '-e', PROBER, ...args])
      : (await run('nsenter', ['-t', String(await podPid(cluster, src.namespace, src.pod)), '-n', '--', 'perl', '-e', PROBER, ...args],
        { timeout: timeoutMs + 60_000, maxBuffer: 16 * 1024 * 1024 })).stdout;
    const results = new Map(stdout.trim().split('\n').map((l) => {
      const [id = '', verdict = '', detail = ''] = l.split(' ');
      return [id, { ok: verdict === 'ok', detail }] as const;
    }));
    for (const { id, p } of ids) {
      out.set(`${p.copy} ${p.probe.key}`, results.get(id) ?? { ok: false, detail: 'no answer from the prober' });
    }
  });
  return out;
}

/** Runs `work` on every item, at most `width` at a time (each exec holds an API server stream). */
async function inPool<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}
