/**
 * The evaluator's client of the broker: the rolling summary of one policy generation
 * (GET /audit/summary?uid=&generation=&window=&top=) and replay jobs (POST /v1/replays,
 * GET /v1/replays/{id}). It is the shared retrying JSON client (runtime/json-client.ts): every
 * attempt has a timeout; network errors, timeouts, 429 and 5xx are retried with capped, jittered
 * exponential backoff (the wait is injectable so tests never sleep); other 4xx are not.
 * Responses are validated with the contracts' schemas (summary.ts, replay.ts, enforcement.ts), the
 * modules the broker types its answers with: a malformed answer is an error, never a half-read status.
 * The bearer token comes from a TokenSource (BROKER_TOKEN_FILE, re-read as the kubelet rotates
 * it). The client's `signal` (the evaluator stopping) ends a call and its waits at once.
 */
import { enforcementMismatchesSchema, type EnforcementMismatch } from '../../contracts/enforcement.js';
import { replayProgressSchema, type ReplayProgress, type ReplayRequest } from '../../contracts/replay.js';
import { summaryAnswerSchema, type SummaryAnswer } from '../../contracts/summary.js';
import type { Sleep } from '../../runtime/abortable-sleep.js';
import type { Random } from '../../runtime/backoff.js';
import { createJsonClient, isRetryable, type CallProblem, type JsonClient, type JsonRequest } from '../../runtime/json-client.js';
import type { TokenSource } from '../../runtime/token-file.js';
import type { AuditPolicyVersion } from './cluster/cluster-model.js';

export interface SummaryQuery {
  uid: string;
  generation: number;
  /** The window as a duration the broker parses (e.g. 1h, 90m). */
  window: string;
  top: number;
}

export interface BrokerClient {
  summary(q: SummaryQuery): Promise<SummaryAnswer>;
  /** Creates (or, for the same uid and generation, finds) the replay of a policy generation. */
  createReplay(policy: AuditPolicyVersion, since: Date): Promise<ReplayProgress>;
  getReplay(id: string): Promise<ReplayProgress>;
}

/** The verify side of the broker (EnforcementMismatch Events). */
export interface EnforcementClient {
  /** The flows where enforced NetworkPolicies and the kernel disagree, seen within the window (a duration such as 15m). */
  enforcementMismatches(window: string): Promise<EnforcementMismatch[]>;
}

export interface BrokerClientOptions {
  baseUrl: string;
  token?: TokenSource;
  timeoutMs?: number;
  /** Attempts per call, the first included (default 4). */
  attempts?: number;
  backoffMs?: number;
  maxBackoffMs?: number;
  /** The backoff jitter's random source; tests pin it. */
  random?: Random;
  fetch?: typeof fetch;
  sleep?: Sleep;
  /** Stops every call: an attempt in flight and a wait between attempts end at once. */
  signal?: AbortSignal;
}

export class BrokerError extends Error {
  constructor(message: string, readonly retryable: boolean, readonly status?: number) {
    super(message);
    this.name = 'BrokerError';
  }
}

/** The broker's own words for a refusal (its JSON `error`), cut short. */
function errorText(body: unknown): string {
  const error = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
  return typeof error === 'string' ? `: ${error.slice(0, 300)}` : '';
}

function errorOf(p: CallProblem, req: JsonRequest<unknown>): BrokerError {
  const path = req.path;
  const retryable = isRetryable(p);
  switch (p.kind) {
    case 'timeout':
      return new BrokerError(`broker timed out on ${path}`, retryable);
    case 'network':
      return new BrokerError(`broker unreachable: ${String(p.cause)}`, retryable);
    case 'status':
      return new BrokerError(`broker answered ${p.status} to ${req.method ?? 'GET'} ${path}${errorText(p.body)}`, retryable, p.status);
    case 'invalid-json':
      return new BrokerError(`broker sent a body that is not JSON for ${path}`, retryable);
    case 'malformed':
      return new BrokerError(`broker sent an unexpected answer to ${path}: ${p.problem.slice(0, 300)}`, retryable);
    case 'aborted':
      return new BrokerError(`broker call to ${path} stopped: the evaluator is shutting down`, retryable);
  }
}

export function createBrokerClient(opts: BrokerClientOptions): BrokerClient & EnforcementClient {
  const http: JsonClient = createJsonClient({
    baseUrl: opts.baseUrl,
    token: opts.token,
    timeoutMs: opts.timeoutMs,
    attempts: opts.attempts ?? 4,
    backoff: { initialMs: opts.backoffMs ?? 200, maxMs: opts.maxBackoffMs ?? 5000 },
    random: opts.random,
    fetch: opts.fetch,
    sleep: opts.sleep,
    signal: opts.signal,
    errorOf,
  });
  return {
    summary: (q) => {
      const params = new URLSearchParams({ uid: q.uid, generation: String(q.generation), window: q.window, top: String(q.top) });
      return http.request({ path: `/audit/summary?${params.toString()}`, answer: summaryAnswerSchema });
    },
    createReplay: (p, since) => {
      const body: ReplayRequest = { policy: { uid: p.uid, kind: p.kind, namespace: p.namespace, name: p.name, generation: p.generation }, since: since.toISOString() };
      return http.request({ method: 'POST', path: '/v1/replays', body, answer: replayProgressSchema });
    },
    getReplay: (id) => http.request({ path: `/v1/replays/${encodeURIComponent(id)}`, answer: replayProgressSchema }),
    enforcementMismatches: async (window) => {
      const params = new URLSearchParams({ since: window, mismatches: 'true' });
      return (await http.request({ path: `/v1/enforcement?${params.toString()}`, answer: enforcementMismatchesSchema })).rows;
    },
  };
}
