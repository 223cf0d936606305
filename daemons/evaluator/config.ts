/**
 * The evaluator's configuration, from environment variables, checked at start-up so a typo stops
 * the process with a message naming the variable instead of misbehaving later.
 *
 *   HOST               address to listen on (default 0.0.0.0, every interface, as a pod needs;
 *                      127.0.0.1 keeps a local run off the network)
 *   PORT               HTTP port (default 9091)
 *   AUTH_MODE          kubernetes (default) | none (local demo only)
 *   BROKER_URL         base URL of the broker; unset = evaluate only (no status, no replays)
 *   BROKER_TOKEN_FILE  bearer token shown to the broker, re-read on rotation (default: the pod's
 *                      ServiceAccount token when it is mounted)
 *   WINDOW             rolling window of the status counts (default 1h)
 *   STATUS_INTERVAL    least time between two status writes of one policy (default 10s)
 *   LEASE_NAMESPACE    default $POD_NAMESPACE, else kguardian
 *   LEASE_NAME         default kguardian-evaluator
 *   LEASE_DURATION     default 15s
 *   POD_NAME           this replica's identity in the Lease (default: the host name)
 *   KUBECONFIG         read by the Kubernetes client (in-cluster credentials when unset)
 */
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { goDuration, parseDuration } from '../../runtime/duration.js';
import { listenHost } from '../listen-host.js';

export const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export interface Duration {
  /** As written, or in Go syntax when written with days: for status.evaluation.window (the CRD takes Go syntax). */
  text: string;
  ms: number;
}

export interface EvaluatorConfig {
  host: string;
  port: number;
  authMode: 'kubernetes' | 'none';
  brokerUrl?: string;
  brokerTokenFile?: string;
  window: Duration;
  statusIntervalMs: number;
  lease: { namespace: string; name: string; durationMs: number };
  identity: string;
}

export class ConfigError extends Error {
  constructor(readonly variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

function duration(env: NodeJS.ProcessEnv, name: string, def: string, minMs: number, maxMs: number): Duration {
  const raw = env[name];
  const text = raw === undefined || raw === '' ? def : raw.trim();
  const ms = parseDuration(text);
  if (ms === undefined) throw new ConfigError(name, `must be a duration such as 15s, 10m, 1h30m or 7d, not ${JSON.stringify(raw)}`);
  if (ms < minMs || ms > maxMs) throw new ConfigError(name, `must be from ${minMs / 1000}s to ${maxMs / 1000}s, not ${text}`);
  return { text: goDuration(text, ms), ms };
}

function host(env: NodeJS.ProcessEnv): string {
  const h = listenHost(env.HOST);
  if ('problem' in h) throw new ConfigError('HOST', h.problem);
  return h.host;
}

function port(env: NodeJS.ProcessEnv): number {
  const raw = env.PORT;
  if (raw === undefined || raw === '') return 9091;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError('PORT', `must be an integer from 0 to 65535, not ${JSON.stringify(raw)}`);
  return n;
}

function url(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be a URL such as http://kguardian-broker:9090, not ${JSON.stringify(raw)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ConfigError(name, 'must be an http or https URL');
  return raw.replace(/\/+$/, '');
}

// A Lease's namespace and name are DNS labels/subdomains; checked here rather than on the first API call.
function dnsName(env: NodeJS.ProcessEnv, name: string, def: string): string {
  const raw = env[name];
  const v = raw === undefined || raw === '' ? def : raw;
  if (v.length > 253 || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(v)) throw new ConfigError(name, `must be a Kubernetes object name, not ${JSON.stringify(v)}`);
  return v;
}

function tokenFile(env: NodeJS.ProcessEnv, exists: (p: string) => boolean): string | undefined {
  const set = env.BROKER_TOKEN_FILE;
  if (set !== undefined && set !== '') return set;
  return exists(SERVICE_ACCOUNT_TOKEN) ? SERVICE_ACCOUNT_TOKEN : undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, exists: (p: string) => boolean = existsSync): EvaluatorConfig {
  const authMode = env.AUTH_MODE === undefined || env.AUTH_MODE === '' ? 'kubernetes' : env.AUTH_MODE;
  if (authMode !== 'kubernetes' && authMode !== 'none') throw new ConfigError('AUTH_MODE', `must be kubernetes or none, not ${JSON.stringify(authMode)}`);
  const podNamespace = env.POD_NAMESPACE === undefined || env.POD_NAMESPACE === '' ? 'kguardian' : env.POD_NAMESPACE;
  const leaseDuration = duration(env, 'LEASE_DURATION', '15s', 1000, 600_000);
  return {
    host: host(env),
    port: port(env),
    authMode,
    brokerUrl: url(env, 'BROKER_URL'),
    brokerTokenFile: tokenFile(env, exists),
    window: duration(env, 'WINDOW', '1h', 60_000, 30 * 86_400_000),
    statusIntervalMs: duration(env, 'STATUS_INTERVAL', '10s', 100, 3_600_000).ms,
    lease: {
      namespace: dnsName(env, 'LEASE_NAMESPACE', podNamespace),
      name: dnsName(env, 'LEASE_NAME', 'kguardian-evaluator'),
      durationMs: leaseDuration.ms,
    },
    identity: env.POD_NAME === undefined || env.POD_NAME === '' ? hostname() : env.POD_NAME,
  };
}
