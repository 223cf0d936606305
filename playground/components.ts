/**
 * kguardian's three daemons as the playground and the end-to-end test run them: each its own
 * process on loopback, its log in the run folder, ready when its probe (or, for the agent,
 * kg-loader's "attached" line) says so. Configuration is the documented environment only.
 */
import { join } from 'node:path';
import type { Cleanup } from './cleanup.js';
import { answers, Daemon } from './daemon.js';
import { EVALUATOR_MAIN, KG_LOADER } from './paths.js';

const NODE = process.execPath;
const TSX = ['--import', 'tsx'];
/** Where the broker and the evaluator listen: never the machine's other interfaces. */
const LOOPBACK = '127.0.0.1';

export interface Started {
  daemon: Daemon;
  url: string;
}

/**
 * A component's own ServiceAccount: a kubeconfig whose user is its token (its calls to the API
 * server) and the token in a file (what it shows the other daemons). Given, the component runs
 * with AUTH_MODE=kubernetes as in a cluster; absent, AUTH_MODE=none (the loopback demo).
 */
export interface Credentials {
  kubeconfig: string;
  tokenFile: string;
}

export interface BrokerOptions {
  port: number;
  runDir: string;
  /** Unset: embedded PGlite in runDir/broker-db. */
  databaseUrl?: string;
  evaluatorUrl?: string;
  credentials?: Credentials;
}

export async function startBroker(o: BrokerOptions, cleanup: Cleanup): Promise<Started> {
  // Loopback only (HOST): the playground's daemons may run with AUTH_MODE=none.
  const env: Record<string, string> = { AUTH_MODE: 'none', HOST: LOOPBACK, PORT: String(o.port), DATA_DIR: join(o.runDir, 'broker-db') };
  if (o.credentials) Object.assign(env, { AUTH_MODE: 'kubernetes', KUBECONFIG: o.credentials.kubeconfig, EVALUATOR_TOKEN_FILE: o.credentials.tokenFile });
  if (o.databaseUrl) env.DATABASE_URL = o.databaseUrl;
  if (o.evaluatorUrl) env.EVALUATOR_URL = o.evaluatorUrl;
  const daemon = Daemon.spawn({ name: 'broker', cmd: NODE, args: [...TSX, 'daemons/broker/main.ts'], env, unset: o.databaseUrl ? [] : ['DATABASE_URL'], logFile: join(o.runDir, 'broker.log') }, cleanup);
  const url = `http://127.0.0.1:${o.port}`;
  await daemon.waitFor('the broker to be ready', () => answers(`${url}/readyz`), 120_000);
  return { daemon, url };
}

export interface EvaluatorOptions {
  port: number;
  runDir: string;
  brokerUrl: string;
  kubeconfig: string;
  leaseNamespace: string;
  /** This replica's name in the Lease (POD_NAME); replicas of one stack need different ones. */
  identity?: string;
  credentials?: Credentials;
}

export async function startEvaluator(o: EvaluatorOptions, cleanup: Cleanup): Promise<Started> {
  const env = {
    HOST: LOOPBACK,
    PORT: String(o.port),
    AUTH_MODE: 'none',
    BROKER_URL: o.brokerUrl,
    WINDOW: '1h',
    STATUS_INTERVAL: '1s',
    LEASE_NAMESPACE: o.leaseNamespace,
    LEASE_NAME: 'kguardian-evaluator',
    LEASE_DURATION: '15s',
    POD_NAME: o.identity ?? 'playground-evaluator',
    POD_NAMESPACE: o.leaseNamespace,
    KUBECONFIG: o.kubeconfig,
    ...(o.credentials ? { AUTH_MODE: 'kubernetes', KUBECONFIG: o.credentials.kubeconfig, BROKER_TOKEN_FILE: o.credentials.tokenFile } : {}),
  };
  const name = o.identity ?? 'evaluator';
  const daemon = Daemon.spawn({ name, cmd: NODE, args: [...TSX, EVALUATOR_MAIN], env, logFile: join(o.runDir, `${name}.log`) }, cleanup);
  const url = `http://127.0.0.1:${o.port}`;
  await daemon.waitFor('the evaluator to be ready (informers synced)', () => answers(`${url}/readyz`), 120_000);
  return { daemon, url };
}

export interface AgentOptions {
  node: string;
  runDir: string;
  brokerUrl: string;
  kubeconfig: string;
  metricsPort: number;
  bucketMs: number;
  credentials?: Credentials;
}

export async function startAgent(o: AgentOptions, cleanup: Cleanup): Promise<Started> {
  const env = {
    KG_NODE_NAME: o.node,
    KG_BROKER_URL: o.brokerUrl,
    KG_METRICS_PORT: String(o.metricsPort),
    // No ServiceAccount token unless credentials are given: the broker runs with AUTH_MODE=none.
    KG_TOKEN_FILE: join(o.runDir, 'no-token'),
    KG_LOADER,
    KG_BUCKET_MS: String(o.bucketMs),
    KUBECONFIG: o.kubeconfig,
    ...(o.credentials ? { KG_TOKEN_FILE: o.credentials.tokenFile, KUBECONFIG: o.credentials.kubeconfig } : {}),
  };
  const daemon = Daemon.spawn({ name: 'agent', cmd: NODE, args: [...TSX, 'daemons/agent/main.ts'], env, logFile: join(o.runDir, 'agent.log') }, cleanup);
  await daemon.waitFor('kg-loader to attach its eBPF programs', () => daemon.lines.some((l) => l.includes('kg-loader: attached')), 120_000);
  return { daemon, url: `http://127.0.0.1:${o.metricsPort}/metrics` };
}

/** One Prometheus sample from a /metrics URL; undefined when absent or unreachable. */
export async function metric(url: string, name: string): Promise<number | undefined> {
  try {
    const text = await (await fetch(url, { signal: AbortSignal.timeout(2000) })).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line ? Number(line.slice(name.length + 1)) : undefined;
  } catch {
    return undefined;
  }
}
