/**
 * The evaluator as a process (daemons/evaluator/main.ts under tsx), configured only through its
 * environment contract, against the test API server and a real broker process over PostgreSQL:
 * it becomes ready, serves /metrics and POST /evaluate, leads and writes status through the
 * broker, and on SIGTERM exits 0 having released its Lease. A bad environment value exits 2 with
 * a message naming the variable.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { CoordinationV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, ROOT, startBroker, type Broker } from '../broker/testing/broker-process.js';
import { createTestDatabase, type TestDatabase } from '../broker/testing/test-database.js';
import { kubeConfig, kubeconfigPath } from '../../test/kube/client.js';
import { installCrds } from '../../test/kube/crds.js';
import { applyManifest } from '../../test/kube/manifest.js';
import { createTestNamespace } from '../../test/kube/namespace.js';
import { createRunningPod } from '../../test/kube/pods.js';
import { eventually } from './testing/evaluator-harness.js';

interface Proc {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** Spawns main.ts with exactly `env` (plus PATH and HOME), never the test runner's environment. */
function spawnEvaluator(env: Record<string, string>): Proc {
  const child = spawn('node', ['--import', 'tsx', 'daemons/evaluator/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    resolve(code);
  }));
  return { child, output: () => out, exited };
}

const POLICY = (ns: string): string => `
apiVersion: kguardian.dev/v1alpha1
kind: AuditNetworkPolicy
metadata: { name: db-ingress, namespace: ${ns} }
spec:
  podSelector: { matchLabels: { app: db } }
  policyTypes: [Ingress]
  ingress: [{ from: [{ podSelector: { matchLabels: { app: web } } }] }]
`;

describe('daemons/evaluator/main.ts as a process', () => {
  let kc: KubeConfig;
  let db: TestDatabase;
  let broker: Broker;
  let evaluator: Proc;
  let ns: string;
  let leaseNamespace: string;
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;

  beforeAll(async () => {
    kc = kubeConfig();
    await installCrds(kc);
    ns = await createTestNamespace(kc, 'kg-main');
    leaseNamespace = await createTestNamespace(kc, 'kg-main-lease');
    await createRunningPod(kc, ns, 'db-1', ['10.71.0.2'], { labels: { app: 'db' } });
    await createRunningPod(kc, ns, 'batch-1', ['10.71.0.3'], { labels: { app: 'batch' } });
    await applyManifest(kc, POLICY(ns), ns);
    db = await createTestDatabase(inject('databaseUrl'), 'evaluator_main');
    const brokerPort = freePort();
    evaluator = spawnEvaluator({
      HOST: '127.0.0.1', PORT: String(port), AUTH_MODE: 'none', BROKER_URL: `http://127.0.0.1:${brokerPort}`, KUBECONFIG: kubeconfigPath(),
      LEASE_NAMESPACE: leaseNamespace, LEASE_DURATION: '15s', POD_NAME: 'evaluator-proc', STATUS_INTERVAL: '1s',
    });
    broker = await startBroker({ DATABASE_URL: db.url, EVALUATOR_URL: url, HOST: '127.0.0.1' }, brokerPort);
  }, 120_000);

  afterAll(async () => {
    if (evaluator.child.exitCode === null) evaluator.child.kill('SIGKILL');
    await broker.kill();
    await db.drop();
  });

  it('becomes ready, serves metrics and POST /evaluate, writes status as leader, and on SIGTERM exits 0 releasing its Lease', async () => {
    await eventually('/readyz answers 200', async () => ((await fetch(`${url}/readyz`)).status === 200 ? true : undefined), 60_000)
      .catch((err: unknown) => {
        throw new Error(`${(err as Error).message}; output: ${evaluator.output()}`);
      });
    // HOST=127.0.0.1 binds that address only: 127.0.0.2, loopback too on Linux, is refused, for both daemons.
    for (const p of [port, Number(new URL(broker.url).port)]) {
      expect((await fetch(`http://127.0.0.1:${p}/healthz`)).status).toBe(200);
      await expect(fetch(`http://127.0.0.2:${p}/healthz`)).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } });
    }
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^kguardian_evaluator_model_objects\{/m);

    const res = await fetch(`${url}/evaluate`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ flows: [{ id: 1, observedAt: new Date().toISOString(), count: 1, direction: 'Ingress', flow: {
        src: { ip: '10.71.0.3', namespace: ns, pod: 'batch-1' }, dst: { ip: '10.71.0.2', namespace: ns, pod: 'db-1' }, protocol: 'TCP', port: 5432 } }] }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { results: { id: number; verdicts: { ref: { namespace: string; name: string }; verdict: string }[] }[] };
    expect(body.results[0]?.verdicts).toMatchObject([{ ref: { namespace: ns, name: 'db-ingress' }, verdict: 'WouldDeny' }]);

    // As the only replica it leads, and its status writes go through the broker.
    const leases = kc.makeApiClient(CoordinationV1Api);
    const holder = async (): Promise<string | undefined> =>
      (await leases.readNamespacedLease({ namespace: leaseNamespace, name: 'kguardian-evaluator' })).spec?.holderIdentity;
    await eventually('the process holds the Lease', async () => ((await holder()) === 'evaluator-proc' ? true : undefined));
    await eventually('observedGeneration 1 written', async () => {
      const obj = (await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
        group: 'kguardian.dev', version: 'v1alpha1', namespace: ns, plural: 'auditnetworkpolicies', name: 'db-ingress',
      })) as { status?: { observedGeneration?: number } };
      return obj.status?.observedGeneration === 1 ? true : undefined;
    });

    evaluator.child.kill('SIGTERM');
    expect(await evaluator.exited).toBe(0);
    expect(await holder()).toBeFalsy();
  }, 180_000);
});

describe('the environment contract', () => {
  it.each([
    { variable: 'LEASE_DURATION', value: 'forever' },
    { variable: 'BROKER_URL', value: 'ftp://broker' },
    { variable: 'HOST', value: '127.0.0.1:9091' },
  ])('a bad $variable exits 2 naming it', async ({ variable, value }) => {
    const p = spawnEvaluator({ [variable]: value });
    expect(await p.exited).toBe(2);
    expect(p.output()).toContain(`invalid configuration: ${variable}:`);
  }, 60_000);
});
