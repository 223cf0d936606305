// The chart under a set of value combinations: each passes `helm lint --strict` and renders what
// the combination promises; the schema and the templates refuse bad values with a message that
// names the value; and what the daemons receive is accepted by their own configuration loaders.
import { describe, expect, it } from 'vitest';
import { loadConfig as agentConfig } from '../daemons/agent/config.js';
import { loadConfig as brokerConfig } from '../daemons/broker/config.js';
import { loadConfig as evaluatorConfig } from '../daemons/evaluator/config.js';
import { containerEnv, type EnvSamples } from './testing/env.js';
import { CHART, find, helmWithValues, parseObjects, renderChart, type K8sObject } from './testing/helm.js';
import { envVar, onlyContainer } from './testing/workload.js';

interface Case {
  title: string;
  values: object;
  check: (objects: K8sObject[]) => void;
}

const count = (objects: K8sObject[], kind: string): number => objects.filter((o) => o.kind === kind).length;
const replicas = (o: K8sObject): unknown => (o.spec as { replicas?: number }).replicas;
const brokerNetworkPolicy = (objects: K8sObject[]): { ingress: { from?: unknown[] }[] } =>
  find(objects, 'NetworkPolicy', 'kguardian-broker').spec as { ingress: { from?: unknown[] }[] };

const cases: Case[] = [
  {
    title: 'defaults: two evaluators, bundled PostgreSQL, three NetworkPolicies, no ServiceMonitor',
    values: {},
    check: (o) => {
      expect(replicas(find(o, 'Deployment', 'kguardian-evaluator'))).toBe(2);
      expect(find(o, 'StatefulSet', 'kguardian-postgresql')).toBeDefined();
      expect(find(o, 'Secret', 'kguardian-postgresql')).toBeDefined();
      expect(count(o, 'NetworkPolicy')).toBe(3);
      expect(count(o, 'ServiceMonitor')).toBe(0);
      // Only the evaluator runs more than one replica: the broker and PostgreSQL get no budget.
      expect(o.filter((x) => x.kind === 'PodDisruptionBudget').map((x) => x.metadata.name)).toEqual(['kguardian-evaluator']);
      // Agents come from node addresses: with no nodeCIDRs the broker's port is open to all (still authenticated).
      expect(brokerNetworkPolicy(o).ingress).toEqual([{ ports: [{ protocol: 'TCP', port: 9090 }] }]);
    },
  },
  {
    title: 'external database: no PostgreSQL objects, DATABASE_URL from the named Secret',
    values: { database: { type: 'external', external: { existingSecret: 'pg-url' } } },
    check: (o) => {
      expect(o.filter((x) => x.metadata.name.includes('postgresql')).map((x) => x.kind)).toEqual([]);
      const url = envVar(onlyContainer(find(o, 'Deployment', 'kguardian-broker')), 'DATABASE_URL');
      expect(url.valueFrom?.secretKeyRef).toEqual({ name: 'pg-url', key: 'DATABASE_URL' });
    },
  },
  {
    title: 'an existing PostgreSQL password Secret: the chart makes none',
    values: { postgresql: { existingSecret: 'my-pg' } },
    check: (o) => {
      expect(count(o, 'Secret')).toBe(0);
      expect(envVar(onlyContainer(find(o, 'StatefulSet', 'kguardian-postgresql')), 'POSTGRES_PASSWORD').valueFrom?.secretKeyRef?.name).toBe('my-pg');
    },
  },
  {
    title: 'serviceMonitor on: one per component, and a headless Service for the agents',
    values: { serviceMonitor: { enabled: true, labels: { release: 'prom' } } },
    check: (o) => {
      expect(o.filter((x) => x.kind === 'ServiceMonitor').map((x) => x.metadata.name).sort()).toEqual(['kguardian-agent', 'kguardian-broker', 'kguardian-evaluator']);
      expect(find(o, 'ServiceMonitor', 'kguardian-broker').metadata.labels?.release).toBe('prom');
      expect((find(o, 'Service', 'kguardian-agent-metrics').spec as { clusterIP: string }).clusterIP).toBe('None');
    },
  },
  // A PodDisruptionBudget only where there is more than one replica to keep: with one,
  // maxUnavailable 1 protects nothing. It selects exactly the Deployment's pods.
  ...(['broker', 'evaluator'] as const).flatMap((component) =>
    [1, 2, 3].map((n) => ({
      title: `${component} replicas ${n}: ${n > 1 ? 'a PodDisruptionBudget with maxUnavailable 1' : 'no PodDisruptionBudget'}`,
      values: { [component]: { replicas: n } },
      check: (o: K8sObject[]): void => {
        const deployment = find(o, 'Deployment', `kguardian-${component}`);
        expect(replicas(deployment)).toBe(n);
        const pdb = o.find((x) => x.kind === 'PodDisruptionBudget' && x.metadata.name === `kguardian-${component}`);
        if (n === 1) expect(pdb).toBeUndefined();
        else expect(pdb?.spec).toEqual({ maxUnavailable: 1, selector: (deployment.spec as { selector: unknown }).selector });
        expect(o.filter((x) => x.kind === 'PodDisruptionBudget' && x.metadata.name.includes('postgresql'))).toEqual([]);
      },
    })),
  ),
  {
    title: 'nodeCIDRs: the broker admits the evaluator, those ranges and the extra peers only',
    values: { networkPolicy: { nodeCIDRs: ['10.0.0.0/16'], extraFrom: [{ namespaceSelector: { matchLabels: { team: 'monitoring' } } }] } },
    check: (o) => {
      const from = brokerNetworkPolicy(o).ingress[0]?.from ?? [];
      expect(from).toHaveLength(3);
      expect(from).toContainEqual({ ipBlock: { cidr: '10.0.0.0/16' } });
      expect(from).toContainEqual({ namespaceSelector: { matchLabels: { team: 'monitoring' } } });
    },
  },
  {
    title: 'sysResource adds CAP_SYS_RESOURCE for 5.8-5.10 kernels',
    values: { agent: { sysResource: true } },
    check: (o) => { expect(onlyContainer(find(o, 'DaemonSet', 'kguardian-agent')).securityContext?.capabilities?.add).toEqual(['BPF', 'PERFMON', 'NET_ADMIN', 'SYS_RESOURCE']); },
  },
  {
    title: 'networkPolicy and PodDisruptionBudgets off',
    values: { networkPolicy: { enabled: false }, podDisruptionBudget: { enabled: false } },
    check: (o) => { expect(count(o, 'NetworkPolicy') + count(o, 'PodDisruptionBudget')).toBe(0); },
  },
];

describe('value combinations', () => {
  it.each(cases)('helm lint --strict: $title', async ({ values }) => {
    const r = await helmWithValues(['lint', '--strict', CHART], values);
    expect(r.stdout + r.stderr).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(r.code).toBe(0);
  });

  it.each(cases)('helm template: $title', async ({ values, check }) => {
    check(parseObjects(await renderChart(values)));
  });
});

const rejected: { title: string; values: object; message: string }[] = [
  { title: 'an unknown AUTH_MODE', values: { authMode: 'open' }, message: '/authMode' },
  { title: 'zero evaluators', values: { evaluator: { replicas: 0 } }, message: '/evaluator/replicas' },
  { title: 'a misspelt key', values: { evaluatr: { replicas: 2 } }, message: 'evaluatr' },
  { title: 'a database type that does not exist', values: { database: { type: 'embedded' } }, message: '/database/type' },
  { title: 'a loader argument with a comma (KG_LOADER_ARGS is comma-separated)', values: { agent: { loaderArgs: ['--flush-ms=1,2'] } }, message: '/agent/loaderArgs/0' },
  { title: 'remoteIdentity as a string (KG_REMOTE_IDENTITY takes true or false)', values: { agent: { remoteIdentity: 'yes' } }, message: '/agent/remoteIdentity' },
  { title: 'a broker buffer of no observations', values: { agent: { maxBuffered: 0 } }, message: '/agent/maxBuffered' },
  { title: 'a WINDOW that is not a duration', values: { evaluator: { window: 'an hour' } }, message: '/evaluator/window' },
  { title: 'an external database without its Secret', values: { database: { type: 'external' } }, message: 'database.type=external needs database.external.existingSecret' },
];

describe('bad values', () => {
  it.each(rejected)('refuses $title', async ({ values, message }) => {
    const r = await helmWithValues(['template', 'kguardian', CHART], values);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(message);
  });
});

const samples: EnvSamples = {
  fields: { 'metadata.name': 'kguardian-evaluator-7d9f-x2', 'metadata.namespace': 'kguardian', 'spec.nodeName': 'node-1', 'status.hostIPs': '10.0.0.5,fd00::5' },
  secrets: { 'kguardian-postgresql/password': 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6' },
};

describe('what the daemons receive', () => {
  it('the broker accepts its environment: PostgreSQL URL with the password, the evaluator\'s URL', async () => {
    const env = containerEnv(onlyContainer(find(parseObjects(await renderChart()), 'Deployment', 'kguardian-broker')), samples);
    const config = brokerConfig(env);
    expect(config.databaseUrl).toBe('postgresql://kguardian:a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6@kguardian-postgresql.kguardian.svc.cluster.local:5432/kguardian');
    expect(config).toMatchObject({ port: 9090, authMode: 'kubernetes', evaluatorUrl: 'http://kguardian-evaluator.kguardian.svc.cluster.local:9091' });
  });

  it('the evaluator accepts its environment: the broker\'s URL, its Lease in the release namespace', async () => {
    const env = containerEnv(onlyContainer(find(parseObjects(await renderChart()), 'Deployment', 'kguardian-evaluator')), samples);
    const config = evaluatorConfig(env, () => true);
    expect(config).toMatchObject({
      port: 9091,
      authMode: 'kubernetes',
      brokerUrl: 'http://kguardian-broker.kguardian.svc.cluster.local:9090',
      lease: { namespace: 'kguardian', name: 'kguardian-evaluator', durationMs: 15_000 },
      identity: 'kguardian-evaluator-7d9f-x2',
    });
  });

  it('the agent accepts its environment: node, addresses, broker, and the host cgroup root for kg-loader', async () => {
    const values = { agent: { serviceCIDRs: ['10.96.0.0/12'], excludeNamespaces: ['kube-system'] } };
    const env = containerEnv(onlyContainer(find(parseObjects(await renderChart(values)), 'DaemonSet', 'kguardian-agent')), samples);
    const { config, errors } = agentConfig(env);
    expect(errors).toEqual([]);
    expect(config).toMatchObject({
      node: 'node-1',
      nodeIps: ['10.0.0.5', 'fd00::5'],
      brokerUrl: 'http://kguardian-broker.kguardian.svc.cluster.local:9090',
      loaderArgs: ['--cgroup=/host/cgroup'],
      serviceCidrs: ['10.96.0.0/12'],
      excludeNamespaces: ['kube-system'],
      metricsPort: 9102,
      remoteIdentity: true,
      maxBuffered: 200_000,
    });
  });

  it.each([
    [{ remoteIdentity: false, maxBuffered: 5000 }, { remoteIdentity: false, maxBuffered: 5000 }],
    [{ maxBuffered: 1_000_000 }, { remoteIdentity: true, maxBuffered: 1_000_000 }],
  ])('the agent takes agent.remoteIdentity and agent.maxBuffered: %o', async (agent, expected) => {
    const env = containerEnv(onlyContainer(find(parseObjects(await renderChart({ agent })), 'DaemonSet', 'kguardian-agent')), samples);
    const { config, errors } = agentConfig(env);
    expect(errors).toEqual([]);
    expect(config).toMatchObject(expected);
  });
});
