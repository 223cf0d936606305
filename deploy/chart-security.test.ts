// Security properties of every workload the chart renders with its default values: who runs as
// root and why, the exact capabilities, host access, probes and resources.
import { beforeAll, describe, expect, it } from 'vitest';
import { find, parseObjects, renderChart, type K8sObject } from './testing/helm.js';
import { effective, onlyContainer, podSpec } from './testing/workload.js';

interface WorkloadRow {
  kind: string;
  name: string;
  runAsNonRoot: boolean;
  addedCaps: string[];
  hostNetwork: boolean;
  /** Host paths and whether each is mounted read-only. */
  hostPaths: Record<string, boolean>;
  /** What liveness and readiness probe: an HTTP path, or "exec". */
  probes: [string, string];
  serviceAccountToken: boolean;
}

const workloads: WorkloadRow[] = [
  { kind: 'Deployment', name: 'kguardian-broker', runAsNonRoot: true, addedCaps: [], hostNetwork: false, hostPaths: {}, probes: ['/healthz', '/readyz'], serviceAccountToken: true },
  { kind: 'Deployment', name: 'kguardian-evaluator', runAsNonRoot: true, addedCaps: [], hostNetwork: false, hostPaths: {}, probes: ['/healthz', '/readyz'], serviceAccountToken: true },
  // uid 0 with three capabilities and nothing else: see agent-privileges.kernel.test.ts.
  {
    kind: 'DaemonSet',
    name: 'kguardian-agent',
    runAsNonRoot: false,
    addedCaps: ['BPF', 'NET_ADMIN', 'PERFMON'],
    hostNetwork: true,
    hostPaths: { '/sys/fs/cgroup': true, '/sys/kernel/tracing': true },
    probes: ['/metrics', '/metrics'],
    serviceAccountToken: true,
  },
  { kind: 'StatefulSet', name: 'kguardian-postgresql', runAsNonRoot: true, addedCaps: [], hostNetwork: false, hostPaths: {}, probes: ['exec', 'exec'], serviceAccountToken: false },
];

function probeKind(probe: { httpGet?: { path: string }; exec?: unknown } | undefined): string | undefined {
  return probe?.httpGet?.path ?? (probe?.exec ? 'exec' : undefined);
}

function hostPaths(workload: K8sObject): Record<string, boolean> {
  const spec = podSpec(workload);
  const mounts = onlyContainer(workload).volumeMounts ?? [];
  const out: Record<string, boolean> = {};
  for (const v of spec.volumes ?? []) {
    if (v.hostPath) out[v.hostPath.path] = mounts.find((m) => m.name === v.name)?.readOnly === true;
  }
  return out;
}

describe('the rendered workloads\' security', () => {
  let objects: K8sObject[] = [];
  beforeAll(async () => {
    objects = parseObjects(await renderChart());
  });

  it('renders exactly these workloads', () => {
    const kinds = new Set(['Deployment', 'DaemonSet', 'StatefulSet', 'Job', 'CronJob', 'Pod', 'ReplicaSet']);
    const rendered = objects.filter((o) => kinds.has(o.kind)).map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(rendered).toEqual(workloads.map((w) => `${w.kind}/${w.name}`).sort());
  });

  it.each(workloads)('$name: never privileged, no escalation, read-only root, seccomp RuntimeDefault, drop ALL', (row) => {
    const w = find(objects, row.kind, row.name);
    expect(effective(w, 'privileged') ?? false).toBe(false);
    expect(effective(w, 'allowPrivilegeEscalation')).toBe(false);
    expect(effective(w, 'readOnlyRootFilesystem')).toBe(true);
    expect(effective(w, 'seccompProfile')).toEqual({ type: 'RuntimeDefault' });
    expect(onlyContainer(w).securityContext?.capabilities?.drop).toEqual(['ALL']);
    expect(podSpec(w).initContainers ?? []).toEqual([]);
  });

  it.each(workloads)('$name: runAsNonRoot is $runAsNonRoot, and a root uid only where it is not', (row) => {
    const w = find(objects, row.kind, row.name);
    expect(effective(w, 'runAsNonRoot')).toBe(row.runAsNonRoot);
    const uid = effective(w, 'runAsUser');
    if (row.runAsNonRoot) expect(uid).toBeGreaterThan(0);
    else expect(uid).toBe(0);
  });

  it.each(workloads)('$name: adds exactly the capabilities $addedCaps', (row) => {
    const added = onlyContainer(find(objects, row.kind, row.name)).securityContext?.capabilities?.add ?? [];
    expect([...added].sort()).toEqual(row.addedCaps);
  });

  it.each(workloads)('$name: host network $hostNetwork, never the host PID or IPC namespace, host paths as listed', (row) => {
    const w = find(objects, row.kind, row.name);
    const spec = podSpec(w);
    expect(spec.hostNetwork ?? false).toBe(row.hostNetwork);
    expect(spec.hostPID ?? false).toBe(false);
    expect(spec.hostIPC ?? false).toBe(false);
    expect(hostPaths(w)).toEqual(row.hostPaths);
  });

  it.each(workloads)('$name: liveness and readiness probes $probes', (row) => {
    const c = onlyContainer(find(objects, row.kind, row.name));
    expect([probeKind(c.livenessProbe), probeKind(c.readinessProbe)]).toEqual(row.probes);
  });

  it.each(workloads)('$name: cpu and memory requests and limits', (row) => {
    const { resources } = onlyContainer(find(objects, row.kind, row.name));
    for (const part of [resources?.requests, resources?.limits]) expect(Object.keys(part ?? {}).sort()).toEqual(['cpu', 'memory']);
  });

  it.each(workloads)('$name: its own ServiceAccount, with a token only if it talks to the API server', (row) => {
    const spec = podSpec(find(objects, row.kind, row.name));
    expect(spec.serviceAccountName).toBe(row.name);
    expect(find(objects, 'ServiceAccount', row.name)).toBeDefined();
    expect(spec.automountServiceAccountToken ?? true).toBe(row.serviceAccountToken);
  });

  it('PostgreSQL: the kubelet sets its volume\'s group once, not at every start (which breaks PGDATA\'s 0700 on a restart)', () => {
    const context = podSpec(find(objects, 'StatefulSet', 'kguardian-postgresql')).securityContext as Record<string, unknown> | undefined;
    expect(context).toMatchObject({ fsGroup: 999, fsGroupChangePolicy: 'OnRootMismatch' });
  });

  it('the agent tolerates every taint, so no node goes unaudited', () => {
    expect(podSpec(find(objects, 'DaemonSet', 'kguardian-agent')).tolerations).toEqual([{ operator: 'Exists' }]);
  });
});
