/**
 * The evaluator's client of the broker: the rolling summary of one policy generation
 * (GET /audit/summary?uid=&generation=&window=&top=) and replay jobs (POST /v1/replays,
 * GET /v1/replays/{id}). Every call has a timeout; network errors, timeouts, 429 and 5xx are
 * retried with capped exponential backoff (the delay is injectable so tests never sleep);
 * other 4xx are not. Responses are validated with zod: a malformed answer is an error, never a
 * half-read status. The bearer token comes from a TokenSource (BROKER_TOKEN_FILE, re-read as
 * the kubelet rotates it).
 */
import { z } from 'zod';
import { backoffMs } from '../../runtime/backoff.js';
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
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

export class BrokerError extends Error {
  constructor(message: string, readonly retryable: boolean, readonly status?: number) {
    super(message);
    this.name = 'BrokerError';
  }
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function errorText(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { error?: unknown };
    return typeof body.error === 'string' ? `: ${body.error.slice(0, 300)}` : '';
  } catch {
    return '';
  }
}

async function once(opts: BrokerClientOptions, path: string, init: RequestInit): Promise<unknown> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (init.body !== undefined) headers['Content-Type'] = 'application/json';
  const token = await opts.token?.token();
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await (opts.fetch ?? fetch)(`${opts.baseUrl}${path}`, { ...init, headers, signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000) });
  } catch (err) {
    const timeout = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    throw new BrokerError(timeout ? `broker timed out on ${path}` : `broker unreachable: ${String(err)}`, true);
  }
  if (!res.ok) {
    throw new BrokerError(`broker answered ${res.status} to ${init.method ?? 'GET'} ${path}${await errorText(res)}`, res.status === 429 || res.status >= 500, res.status);
  }
  try {
    return await res.json();
  } catch {
    throw new BrokerError(`broker sent a body that is not JSON for ${path}`, true);
  }
}

async function call<T>(opts: BrokerClientOptions, schema: z.ZodType<T>, path: string, init: RequestInit = {}): Promise<T> {
  const attempts = opts.attempts ?? 4;
  const sleep = opts.sleep ?? defaultSleep;
  const backoff = { initialMs: opts.backoffMs ?? 200, maxMs: opts.maxBackoffMs ?? 5000 };
  for (let i = 1; ; i++) {
    try {
      const parsed = schema.safeParse(await once(opts, path, init));
      if (!parsed.success) throw new BrokerError(`broker sent an unexpected answer to ${path}: ${parsed.error.message.slice(0, 300)}`, false);
      return parsed.data;
    } catch (err) {
      if (!(err instanceof BrokerError) || !err.retryable || i >= attempts) throw err;
      await sleep(backoffMs(i, backoff));
    }
  }
}

export function createBrokerClient(opts: BrokerClientOptions): BrokerClient & EnforcementClient {
  const o = { ...opts, baseUrl: opts.baseUrl.replace(/\/+$/, '') };
  return {
    summary: (q) => {
      const params = new URLSearchParams({ uid: q.uid, generation: String(q.generation), window: q.window, top: String(q.top) });
      return call(o, summarySchema, `/audit/summary?${params.toString()}`);
    },
    createReplay: (p, since) => {
      const policy = { uid: p.uid, kind: p.kind, namespace: p.namespace, name: p.name, generation: p.generation };
      return call(o, replaySchema, '/v1/replays', { method: 'POST', body: JSON.stringify({ policy, since: since.toISOString() }) });
    },
    getReplay: (id) => call(o, replaySchema, `/v1/replays/${encodeURIComponent(id)}`),
    enforcementMismatches: async (window) => {
      const params = new URLSearchParams({ since: window, mismatches: 'true' });
      return (await call(o, enforcementSchema, `/v1/enforcement?${params.toString()}`)).rows;
    },
  };
}
