/**
 * Grouping pods into workloads and choosing their selectors: every controller chain, with and
 * without the controller objects in the file, and the labels that must never select.
 */
import { describe, expect, it } from 'vitest';
import { isStableLabel } from './stable-labels.js';
import { clusterOf, controller, pod } from './testing/cluster.js';
import { workloadId } from './types.js';

describe('groupWorkloads', () => {
  it.each([
    {
      title: 'Pod -> ReplicaSet -> Deployment, selected by the Deployment template labels',
      items: [
        controller('Deployment', 'prod/api', { app: 'api', tier: 'web' }),
        controller('ReplicaSet', 'prod/api-7f9c', { app: 'api', tier: 'web', 'pod-template-hash': '7f9c' }, ['Deployment', 'api']),
        pod('prod/api-7f9c-a', { labels: { app: 'api', tier: 'web', 'pod-template-hash': '7f9c' }, owner: ['ReplicaSet', 'api-7f9c'], ips: ['10.0.0.1'] }),
        pod('prod/api-7f9c-b', { labels: { app: 'api', tier: 'web', 'pod-template-hash': '7f9c' }, owner: ['ReplicaSet', 'api-7f9c'], ips: ['10.0.0.2'] }),
      ],
      expected: [{ id: 'prod/deployment/api', selector: { app: 'api', tier: 'web' }, pods: 2 }],
    },
    {
      // The Deployment controller names a ReplicaSet DEPLOYMENT-HASH: the Deployment is known without the objects.
      title: 'a Deployment is inferred from the ReplicaSet name and pod-template-hash when neither object is in the file',
      items: [pod('kube-system/coredns-5d78c-x', { labels: { 'k8s-app': 'kube-dns', 'pod-template-hash': '5d78c' }, owner: ['ReplicaSet', 'coredns-5d78c'] })],
      expected: [{ id: 'kube-system/deployment/coredns', selector: { 'k8s-app': 'kube-dns' }, pods: 1 }],
    },
    {
      title: 'two rollouts of one Deployment (two ReplicaSets, two hashes) are one workload',
      items: [
        pod('prod/api-1111-a', { labels: { app: 'api', 'pod-template-hash': '1111' }, owner: ['ReplicaSet', 'api-1111'] }),
        pod('prod/api-2222-a', { labels: { app: 'api', 'pod-template-hash': '2222' }, owner: ['ReplicaSet', 'api-2222'] }),
      ],
      expected: [{ id: 'prod/deployment/api', selector: { app: 'api' }, pods: 2 }],
    },
    {
      title: 'a ReplicaSet whose name does not end in the hash stays a ReplicaSet',
      items: [pod('prod/legacy-x', { labels: { app: 'legacy' }, owner: ['ReplicaSet', 'legacy'] })],
      expected: [{ id: 'prod/replicaset/legacy', selector: { app: 'legacy' }, pods: 1 }],
    },
    {
      title: 'StatefulSet without its object: the labels all its pods share, minus per-pod ones',
      items: [
        pod('db/pg-0', { labels: { app: 'pg', 'statefulset.kubernetes.io/pod-name': 'pg-0', 'apps.kubernetes.io/pod-index': '0', 'controller-revision-hash': 'pg-5d' }, owner: ['StatefulSet', 'pg'] }),
        pod('db/pg-1', { labels: { app: 'pg', 'statefulset.kubernetes.io/pod-name': 'pg-1', 'apps.kubernetes.io/pod-index': '1', 'controller-revision-hash': 'pg-5d' }, owner: ['StatefulSet', 'pg'] }),
      ],
      expected: [{ id: 'db/statefulset/pg', selector: { app: 'pg' }, pods: 2 }],
    },
    {
      title: 'DaemonSet: controller-revision-hash and pod-template-generation never select',
      items: [controller('DaemonSet', 'ops/agent', { app: 'agent' }), pod('ops/agent-x', { labels: { app: 'agent', 'controller-revision-hash': 'a1', 'pod-template-generation': '3' }, owner: ['DaemonSet', 'agent'] })],
      expected: [{ id: 'ops/daemonset/agent', selector: { app: 'agent' }, pods: 1 }],
    },
    {
      title: 'Job: its uid labels never select, job-name does',
      items: [
        controller('Job', 'ops/migrate', { 'job-name': 'migrate', 'controller-uid': 'u1', 'batch.kubernetes.io/controller-uid': 'u1' }),
        pod('ops/migrate-x', { labels: { 'job-name': 'migrate', 'controller-uid': 'u1', 'batch.kubernetes.io/controller-uid': 'u1' }, owner: ['Job', 'migrate'] }),
      ],
      expected: [{ id: 'ops/job/migrate', selector: { 'job-name': 'migrate' }, pods: 1 }],
    },
    {
      // Each run is a new Job with a new job-name: only the CronJob's own template labels are stable.
      title: 'Pod -> Job -> CronJob: grouped under the CronJob, job-name left out',
      items: [
        { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'report', namespace: 'ops' }, spec: { jobTemplate: { spec: { template: { metadata: { labels: { app: 'report' } } } } } } },
        controller('Job', 'ops/report-2901', { app: 'report', 'job-name': 'report-2901' }, ['CronJob', 'report']),
        pod('ops/report-2901-x', { labels: { app: 'report', 'job-name': 'report-2901' }, owner: ['Job', 'report-2901'] }),
      ],
      expected: [{ id: 'ops/cronjob/report', selector: { app: 'report' }, pods: 1 }],
    },
    {
      title: 'a pod without owner is its own workload',
      items: [pod('dev/debug', { labels: { run: 'debug' } })],
      expected: [{ id: 'dev/pod/debug', selector: { run: 'debug' }, pods: 1 }],
    },
    {
      title: 'an owner of a kind the generator does not know groups its pods by what they share',
      items: [pod('prod/r-a', { labels: { app: 'r', canary: 'yes' }, owner: ['Rollout', 'r'] }), pod('prod/r-b', { labels: { app: 'r' }, owner: ['Rollout', 'r'] })],
      expected: [{ id: 'prod/rollout/r', selector: { app: 'r' }, pods: 2 }],
    },
  ])('$title', ({ items, expected }) => {
    const { cluster } = clusterOf(items);
    expect(cluster.workloads.map((w) => ({ id: workloadId(w), selector: w.selector, pods: w.pods.length }))).toEqual(expected);
  });

  it('indexes pod-network IPs only; node addresses come from Nodes, hostIP and host-network pods', () => {
    const { cluster } = clusterOf([
      { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: '192.168.0.1' }, { type: 'Hostname', address: 'n1' }] } },
      pod('a/web', { labels: { app: 'web' }, ips: ['10.0.0.1', 'fd00::1'], hostIP: '192.168.0.2' }),
      pod('kube-system/proxy', { labels: { app: 'proxy' }, ips: ['192.168.0.3'], hostNetwork: true }),
    ]);
    expect([...cluster.podByIp.keys()].sort()).toEqual(['10.0.0.1', 'fd00::1']);
    expect([...cluster.nodeAddresses].sort()).toEqual(['192.168.0.1', '192.168.0.2', '192.168.0.3']);
    expect(cluster.workloads.find((w) => w.name === 'proxy')?.hostNetwork).toBe(true);
  });

  it.each([
    { key: 'pod-template-hash', kind: 'Deployment', stable: false },
    { key: 'controller-revision-hash', kind: 'StatefulSet', stable: false },
    { key: 'statefulset.kubernetes.io/pod-name', kind: 'StatefulSet', stable: false },
    { key: 'batch.kubernetes.io/controller-uid', kind: 'Job', stable: false },
    { key: 'job-name', kind: 'Job', stable: true },
    { key: 'job-name', kind: 'CronJob', stable: false },
    { key: 'app.kubernetes.io/name', kind: 'Deployment', stable: true },
  ])('label $key on a $kind is stable: $stable', ({ key, kind, stable }) => {
    expect(isStableLabel(key, kind)).toBe(stable);
  });
});
