/**
 * The broker's configuration, from environment variables, validated at start-up so a typo stops
 * the process with a message naming the variable instead of misbehaving later.
 *
 *   DATABASE_URL            PostgreSQL URL; unset = embedded PGlite in DATA_DIR
 *   DATA_DIR                PGlite folder (default ./.kguardian/broker-db)
 *   HOST                    address to listen on (default 0.0.0.0, every interface, as a pod needs;
 *                           127.0.0.1 keeps a local run off the network)
 *   PORT                    HTTP port (default 9090)
 *   HTTP_HEADERS_TIMEOUT_MS time a client has to send its request headers, default 10000
 *   HTTP_REQUEST_TIMEOUT_MS time a client has to send its whole request, body included, default
 *                           30000 (a full batch over a slow link takes seconds, not minutes)
 *   EVALUATOR_URL           base URL of the evaluator; unset = flows are stored, not evaluated
 *   FLOW_RETENTION_DAYS     default 7
 *   VERDICT_RETENTION_DAYS  default 7 (also how long finished replay jobs are kept)
 *   BATCH_ID_RETENTION_HOURS  how long batch ids are remembered, so a retried batch is not stored
 *                           twice; default 24 (agents retry for minutes, not hours)
 *   AUTH_MODE               kubernetes (default) | none (local demo only)
 *   DB_POOL_SIZE            default 10
 *   INGEST_WRITERS          ingest transactions in flight at once, default 2
 *   STREAM_MAX_CLIENTS      verdict streams open at once, default 100 (each polls the database)
 *   EVALUATOR_BATCH, EVALUATOR_CONCURRENCY, EVALUATOR_TIMEOUT_MS: see evaluation/dispatcher.ts
 *   ENFORCEMENT_CHECKS      on (default) | off: keep what the enforced NetworkPolicies predict for each
 *                           judged flow, for `verify` and EnforcementMismatch Events (off: those have
 *                           nothing to report; audit verdicts are unchanged)
 *   REPLAY_PAGE_SIZE        flow ids per revisit of a replay's retry pass, default 5000
 *   REPLAY_BUCKET_MINUTES   replayed verdicts: one row per flow and bucket of this many minutes (divides 1440), default 10
 *   REPLAY_BATCH            distinct flows per replay call to the evaluator, default 5000, at most
 *                           what one POST /evaluate takes (contracts/evaluate-limits.ts)
 *   REPLAY_CONCURRENCY      replay pages being judged at once, default 4
 *   REPLAY_SETTLE_MS        how long a new replay revisits rows with pending observations, default 2000
 *   EVALUATOR_TOKEN_FILE    bearer token for the evaluator, re-read every minute (default: the
 *                           pod's ServiceAccount token when mounted; see runtime/token-file.ts)
 *   POLICY_METRICS_MAX_POLICIES  audit policies with per-policy metric series, default 500 (the
 *                           rest share one overflow series; see policy-metrics.ts)
 *   POLICY_METRICS_WINDOW_MINUTES  width of the per-policy window gauge, default 60
 */
import { EVALUATE_LIMITS } from '../../contracts/evaluate-limits.js';
import { listenHost } from '../listen-host.js';
import { evaluatorTokenPath } from '../../runtime/token-file.js';
import type { RetentionConfig } from './store/types.js';

export interface BrokerConfig {
  databaseUrl?: string;
  dataDir: string;
  host: string;
  port: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  evaluatorUrl?: string;
  flowRetentionDays: number;
  verdictRetentionDays: number;
  batchIdRetentionHours: number;
  authMode: 'kubernetes' | 'none';
  poolSize: number;
  ingestWriters: number;
  streamMaxClients: number;
  evaluatorBatch: number;
  evaluatorConcurrency: number;
  evaluatorTimeoutMs: number;
  enforcementChecks: boolean;
  evaluatorTokenFile?: string;
  replayPageSize: number;
  replayBatch: number;
  replayBucketMinutes: number;
  replayConcurrency: number;
  replaySettleMs: number;
  policyMetricsMaxPolicies: number;
  policyMetricsWindowMinutes: number;
}

export class ConfigError extends Error {
  constructor(readonly variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

function int(env: NodeJS.ProcessEnv, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(name, `must be an integer from ${min} to ${max}, not ${JSON.stringify(raw)}`);
  return n;
}

function host(env: NodeJS.ProcessEnv): string {
  const h = listenHost(env.HOST);
  if ('problem' in h) throw new ConfigError('HOST', h.problem);
  return h.host;
}

function url(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  try {
    new URL(raw);
  } catch {
    throw new ConfigError(name, 'must be a URL');
  }
  return raw;
}

function onOff(env: NodeJS.ProcessEnv, name: string, def: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (raw !== 'on' && raw !== 'off') throw new ConfigError(name, `must be on or off, not ${JSON.stringify(raw)}`);
  return raw === 'on';
}

/**
 * Flows per call to the evaluator: at most `max`, and never more than one POST /evaluate takes
 * (contracts/evaluate-limits.ts), or the evaluator would refuse every call with a 400 and the
 * flows would stay pending for ever.
 */
function flowsPerCall(env: NodeJS.ProcessEnv, name: string, dflt: number, max: number): number {
  const limit = Math.min(max, EVALUATE_LIMITS.maxFlows);
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (Number.isInteger(n) && n >= 1 && n <= limit) return n;
  const why = limit === EVALUATE_LIMITS.maxFlows ? ' (the evaluator takes at most that many flows in one request)' : '';
  throw new ConfigError(name, `must be an integer from 1 to ${limit}${why}, not ${JSON.stringify(raw)}`);
}

/** Minutes that divide a day, so a replay bucket never spans two daily partitions. */
function dayDivisor(env: NodeJS.ProcessEnv, name: string, dflt: number): number {
  const v = int(env, name, dflt, 1, 1440);
  if (1440 % v !== 0) throw new ConfigError(name, 'must divide 1440 (a day) evenly');
  return v;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): BrokerConfig {
  const authMode = env.AUTH_MODE ?? 'kubernetes';
  if (authMode !== 'kubernetes' && authMode !== 'none') throw new ConfigError('AUTH_MODE', 'must be kubernetes or none');
  const headersTimeoutMs = int(env, 'HTTP_HEADERS_TIMEOUT_MS', 10_000, 1000, 600_000);
  const requestTimeoutMs = int(env, 'HTTP_REQUEST_TIMEOUT_MS', 30_000, 1000, 3_600_000);
  // Node refuses a headers timeout longer than the request timeout.
  if (headersTimeoutMs > requestTimeoutMs) throw new ConfigError('HTTP_HEADERS_TIMEOUT_MS', 'must not exceed HTTP_REQUEST_TIMEOUT_MS');
  return {
    databaseUrl: url(env, 'DATABASE_URL'),
    dataDir: env.DATA_DIR || '.kguardian/broker-db',
    host: host(env),
    port: int(env, 'PORT', 9090, 0, 65535),
    headersTimeoutMs,
    requestTimeoutMs,
    evaluatorUrl: url(env, 'EVALUATOR_URL'),
    flowRetentionDays: int(env, 'FLOW_RETENTION_DAYS', 7, 1, 366),
    verdictRetentionDays: int(env, 'VERDICT_RETENTION_DAYS', 7, 1, 366),
    batchIdRetentionHours: int(env, 'BATCH_ID_RETENTION_HOURS', 24, 1, 24 * 366),
    authMode,
    poolSize: int(env, 'DB_POOL_SIZE', 10, 1, 200),
    ingestWriters: int(env, 'INGEST_WRITERS', 2, 1, 16),
    streamMaxClients: int(env, 'STREAM_MAX_CLIENTS', 100, 1, 10_000),
    evaluatorBatch: flowsPerCall(env, 'EVALUATOR_BATCH', 500, 10_000),
    evaluatorConcurrency: int(env, 'EVALUATOR_CONCURRENCY', 2, 1, 64),
    evaluatorTimeoutMs: int(env, 'EVALUATOR_TIMEOUT_MS', 10_000, 100, 600_000),
    enforcementChecks: onOff(env, 'ENFORCEMENT_CHECKS', true),
    evaluatorTokenFile: evaluatorTokenPath(env),
    replayPageSize: int(env, 'REPLAY_PAGE_SIZE', 5000, 1, 20_000),
    replayBucketMinutes: dayDivisor(env, 'REPLAY_BUCKET_MINUTES', 10),
    replayBatch: flowsPerCall(env, 'REPLAY_BATCH', 5000, EVALUATE_LIMITS.maxFlows),
    replayConcurrency: int(env, 'REPLAY_CONCURRENCY', 4, 1, 32),
    replaySettleMs: int(env, 'REPLAY_SETTLE_MS', 2000, 0, 600_000),
    policyMetricsMaxPolicies: int(env, 'POLICY_METRICS_MAX_POLICIES', 500, 0, 100_000),
    policyMetricsWindowMinutes: int(env, 'POLICY_METRICS_WINDOW_MINUTES', 60, 1, 1440),
  };
}

/** What the store keeps, and for how long. */
export function retentionOf(cfg: BrokerConfig): RetentionConfig {
  return { flowsDays: cfg.flowRetentionDays, verdictsDays: cfg.verdictRetentionDays, batchIdHours: cfg.batchIdRetentionHours };
}
