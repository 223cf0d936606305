/**
 * The whole pipeline on loopback: control plane, CRDs, the scenario's namespaces and Pods, the
 * broker, the evaluator and (with root) the eBPF agent over netns pods. Each part registers its
 * undo in the Cleanup as it starts.
 */
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { Cleanup } from './cleanup.js';
import { ensureNamespace, installCrds, registerPod, TEST_NODE } from './cluster.js';
import { metric, startAgent, startBroker, startEvaluator, type Credentials, type Started } from './components.js';
import { startControlPlane, type ControlPlaneHandle } from './control-plane.js';
import { kubectlFor, type Kubectl } from './kubectl.js';
import { step } from './log.js';
import { NetnsLab, type NetnsPod } from './netns.js';
import { freePort } from './ports.js';
import { NAMESPACES, PODS, type ScenarioPod } from './scenario.js';

export type TrafficMode = 'kernel' | 'recorded';

export interface StackOptions {
  runDir: string;
  mode: TrafficMode;
  /** First three octets of the pods' /24 (kernel mode). */
  subnet: string;
  /** Recorded mode: the addresses of the recording. */
  recordedIps?: Record<string, string>;
  /** Reuse a running control plane (the e2e test's global setup) instead of starting one. */
  controlPlane?: ControlPlaneHandle;
  /** Unset: the broker's embedded PGlite. */
  databaseUrl?: string;
  bucketMs?: number;
  /** Evaluator processes sharing one Lease, as the chart runs two (default 1). */
  evaluatorReplicas?: number;
  /** Each component's ServiceAccount (AUTH_MODE=kubernetes everywhere); unset: AUTH_MODE=none. */
  credentials?: StackCredentials;
}

export interface StackCredentials {
  broker: Credentials;
  evaluator: Credentials;
  agent: Credentials;
}

export interface StackPod {
  spec: ScenarioPod;
  ip: string;
  uid: string;
  netns?: NetnsPod;
}

export interface Stack {
  kubectl: Kubectl;
  kc: KubeConfig;
  broker: Started;
  /** The first replica (the broker's EVALUATOR_URL points at the last one). */
  evaluator: Started;
  /** Every replica, in start order; replica i is POD_NAME `playground-evaluator-i` when there are several. */
  evaluators: Started[];
  agent?: Started;
  pods: Map<string, StackPod>;
  /** Parts of the pipeline not started; every part exists now, so this stays empty (kept for main.ts and the e2e test). */
  missing: string[];
}

export const LEASE_NAMESPACE = 'kguardian';

async function placePods(o: StackOptions, cleanup: Cleanup): Promise<Map<string, { ip: string; netns?: NetnsPod }>> {
  const placed = new Map<string, { ip: string; netns?: NetnsPod }>();
  if (o.mode === 'recorded') {
    for (const p of PODS) placed.set(p.name, { ip: o.recordedIps?.[p.name] ?? '' });
    return placed;
  }
  const lab = new NetnsLab(cleanup, o.subnet);
  step(`creating a bridge and ${PODS.length} network namespaces named ${lab.prefix}-* (${o.subnet}.0/24), one per pod`);
  await lab.up();
  for (const p of PODS) {
    const netns = await lab.addPod(p.name);
    placed.set(p.name, { ip: netns.ip, netns });
  }
  return placed;
}

async function registerAll(kc: KubeConfig, placed: Map<string, { ip: string; netns?: NetnsPod }>): Promise<Map<string, StackPod>> {
  const pods = new Map<string, StackPod>();
  for (const spec of PODS) {
    const at = placed.get(spec.name) ?? { ip: '' };
    const uid = await registerPod(kc, spec, at.ip);
    step(`  Pod ${spec.namespace}/${spec.name} ${JSON.stringify(spec.labels)} podIP ${at.ip} on node ${TEST_NODE}`);
    pods.set(spec.name, { spec, ip: at.ip, uid, ...(at.netns ? { netns: at.netns } : {}) });
  }
  return pods;
}

/** What starting each daemon needs to know of the stack around it. */
interface DaemonContext {
  o: StackOptions;
  kubeconfig: string;
  cleanup: Cleanup;
  /** How the daemons authenticate, for the progress lines. */
  auth: string;
}

async function startDaemons(o: StackOptions, kubeconfig: string, cleanup: Cleanup): Promise<Pick<Stack, 'broker' | 'evaluator' | 'evaluators' | 'agent'>> {
  const brokerPort = await freePort();
  const evaluatorPorts: number[] = [];
  for (let i = 0; i < Math.max(1, o.evaluatorReplicas ?? 1); i++) evaluatorPorts.push(await freePort());
  // The last replica to start is the one least likely to hold the Lease: evaluating on a follower
  // is what a Service in front of several replicas does most of the time.
  const evaluatorUrl = `http://127.0.0.1:${evaluatorPorts.at(-1) ?? 0}`;
  const auth = o.credentials ? 'AUTH_MODE=kubernetes, its own ServiceAccount token' : 'AUTH_MODE=none';
  const ctx: DaemonContext = { o, kubeconfig, cleanup, auth };
  const broker = await startBrokerDaemon(ctx, brokerPort, evaluatorUrl);
  const evaluators = await startEvaluators(ctx, evaluatorPorts, broker.url);
  const [evaluator] = evaluators;
  if (!evaluator) throw new Error('no evaluator started');
  const agent = o.mode === 'kernel' ? await startAgentDaemon(ctx, broker.url) : undefined;
  return { broker, evaluator, evaluators, ...(agent ? { agent } : {}) };
}

async function startBrokerDaemon({ o, cleanup, auth }: DaemonContext, port: number, evaluatorUrl: string): Promise<Started> {
  const creds = o.credentials;
  step(`starting the broker on :${port} (${o.databaseUrl ? 'PostgreSQL' : `embedded PGlite in ${join(o.runDir, 'broker-db')}`}, ${creds ? auth : `${auth}: loopback demo only`})`);
  return startBroker({ port, runDir: o.runDir, ...(o.databaseUrl ? { databaseUrl: o.databaseUrl } : {}), evaluatorUrl, ...(creds ? { credentials: creds.broker } : {}) }, cleanup);
}

async function startEvaluators({ o, kubeconfig, cleanup, auth }: DaemonContext, ports: number[], brokerUrl: string): Promise<Started[]> {
  const creds = o.credentials;
  const evaluators: Started[] = [];
  for (const [i, port] of ports.entries()) {
    const identity = ports.length > 1 ? `playground-evaluator-${i}` : undefined;
    step(`starting the evaluator${identity ? ` ${identity}` : ''} on :${port} (${auth}, STATUS_INTERVAL=1s, WINDOW=1h)`);
    evaluators.push(await startEvaluator({ port, runDir: o.runDir, brokerUrl, kubeconfig, leaseNamespace: LEASE_NAMESPACE, ...(identity ? { identity } : {}), ...(creds ? { credentials: creds.evaluator } : {}) }, cleanup));
  }
  return evaluators;
}

async function startAgentDaemon({ o, kubeconfig, cleanup }: DaemonContext, brokerUrl: string): Promise<Started> {
  step('starting the node agent (kg-loader attaches eBPF programs to the root cgroup)');
  const creds = o.credentials;
  const agent = await startAgent({ node: TEST_NODE, runDir: o.runDir, brokerUrl, kubeconfig, metricsPort: await freePort(), bucketMs: o.bucketMs ?? 1000, ...(creds ? { credentials: creds.agent } : {}) }, cleanup);
  await agent.daemon.waitFor('the agent to know every pod', async () => ((await metric(agent.url, 'kguardian_agent_pods_known')) ?? 0) >= PODS.length, 60_000);
  return agent;
}

export async function startStack(o: StackOptions, cleanup: Cleanup): Promise<Stack> {
  step('starting the test control plane (a real kube-apiserver on loopback)');
  const cp = o.controlPlane ?? (await startControlPlane(join(o.runDir, 'controlplane'), cleanup));
  const kubectl = kubectlFor(cp.kubectl, cp.kubeconfig);
  const kc = new KubeConfig();
  kc.loadFromFile(cp.kubeconfig);
  step('installing the CRDs (AuditNetworkPolicy, AuditClusterNetworkPolicy)');
  await installCrds(kubectl);
  for (const ns of [...NAMESPACES, 'kube-system', LEASE_NAMESPACE]) await ensureNamespace(kc, ns);
  const placed = await placePods(o, cleanup);
  step('registering the pods in the API server');
  const pods = await registerAll(kc, placed);
  const daemons = await startDaemons(o, cp.kubeconfig, cleanup);
  return { kubectl, kc, pods, missing: [], ...daemons };
}
