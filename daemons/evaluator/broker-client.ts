/**
 * The evaluator's client of the broker: the rolling summary of one policy generation
 * (GET /audit/summary?uid=&generation=&window=&top=) and replay jobs (POST /v1/replays,
 * GET /v1/replays/{id}). It is the shared retrying JSON client (runtime/json-client.ts): every
 * attempt has a timeout; network errors, timeouts, 429 and 5xx are retried with capped, jittered
 * exponential backoff (the wait is injectable so tests never sleep); other 4xx are not.
 * Responses are validated with zod: a malformed answer is an error, never a half-read status.
 * The bearer token comes from a TokenSource (BROKER_TOKEN_FILE, re-read as the kubelet rotates
 * it). The client's `signal` (the evaluator stopping) ends a call and its waits at once.
 */
import { z } from 'zod';
import type { Sleep } from '../../runtime/abortable-sleep.js';
import type { Random } from '../../runtime/backoff.js';
import { createJsonClient, isRetryable, type CallProblem, type JsonClient, type JsonRequest } from '../../runtime/json-client.js';
import type { TokenSource } from '../../runtime/token-file.js';
import type { AuditPolicyVersion } from './cluster/cluster-model.js';

export type ReplayState = 'Running' | 'Complete' | 'Failed' | 'Superseded';

const endpointSchema = z.object({ namespace: z.string().max(253), pod: z.string().max(253), ip: z.string().max(45) });

const offenderSchema = z.object({
  src: endpointSchema,
  dst: endpointSchema,
  port: z.int().min(0).max(65535),
  protocol: z.enum(['TCP', 'UDP', 'SCTP']),
  direction: z.enum(['Ingress', 'Egress']),
  count: z.int().min(0),
  lastSeen: z.string(),
  /** The count per connection state; absent from a broker older than the field. */
  states: z.partialRecord(z.enum(['established', 'attempt', 'refused', 'seen', 'unknown']), z.int().min(0)).default({}),
});

const summarySchema = z.object({
  since: z.string(),
  until: z.string(),
  allow: z.int().min(0),
  wouldDeny: z.int().min(0),
  /** Observations whose peer had no pod but a private IP (the Degraded condition). */
  unidentifiedPeers: z.int().min(0),
  topOffenders: z.array(offenderSchema),
});

const replaySchema = z.object({
  id: z.union([z.int(), z.string().min(1)]).transform(String),
  state: z.enum(['Running', 'Complete', 'Failed', 'Superseded']),
  since: z.string().optional(),
  until: z.string().optional(),
  flowsScanned: z.int().min(0).optional(),
  flowsTotal: z.int().min(0).nullable().optional(),
  verdicts: z.int().min(0).optional(),
  error: z.string().optional(),
});

/** What the Events need of a GET /v1/enforcement row (contracts/enforcement.ts has the whole shape). */
const enforcementRowSchema = z.object({
  policy: z.object({ uid: z.string(), namespace: z.string(), name: z.string(), generation: z.int().min(0) }),
  direction: z.enum(['Ingress', 'Egress']),
  src: endpointSchema,
  dst: endpointSchema,
  port: z.int().min(0).max(65535),
  protocol: z.enum(['TCP', 'UDP', 'SCTP']),
  predicted: z.enum(['Allow', 'Deny']),
  outcome: z.enum(['Agrees', 'NotEnforced', 'DroppedElsewhere', 'Inconclusive']),
  explanation: z.string(),
  lastSeen: z.string(),
});
const enforcementSchema = z.object({ rows: z.array(enforcementRowSchema), truncated: z.boolean() });

export type EnforcementMismatch = z.infer<typeof enforcementRowSchema>;
export type SummaryOffender = z.infer<typeof offenderSchema>;
export type PolicySummary = z.infer<typeof summarySchema>;
export type ReplayJob = z.infer<typeof replaySchema>;

export interface SummaryQuery {
  uid: string;
  generation: number;
  /** The window as a duration the broker parses (e.g. 1h, 90m). */
  window: string;
  top: number;
}

export interface BrokerClient {
  summary(q: SummaryQuery): Promise<PolicySummary>;
  /** Creates (or, for the same uid and generation, finds) the replay of a policy generation. */
  createReplay(policy: AuditPolicyVersion, since: Date): Promise<ReplayJob>;
  getReplay(id: string): Promise<ReplayJob>;
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
      return http.request({ path: `/audit/summary?${params.toString()}`, answer: summarySchema });
    },
    createReplay: (p, since) => {
      const policy = { uid: p.uid, kind: p.kind, namespace: p.namespace, name: p.name, generation: p.generation };
      return http.request({ method: 'POST', path: '/v1/replays', body: { policy, since: since.toISOString() }, answer: replaySchema });
    },
    getReplay: (id) => http.request({ path: `/v1/replays/${encodeURIComponent(id)}`, answer: replaySchema }),
    enforcementMismatches: async (window) => {
      const params = new URLSearchParams({ since: window, mismatches: 'true' });
      return (await http.request({ path: `/v1/enforcement?${params.toString()}`, answer: enforcementSchema })).rows;
    },
  };
}
