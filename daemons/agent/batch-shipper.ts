/**
 * Ships FlowObservations to the broker (`POST /v1/flows`) in batches, losing nothing that fits
 * in memory: each batch gets its id once and keeps it through every retry, so the broker stores
 * it exactly once however often a timeout or a restart makes us resend. Retries back off
 * exponentially (capped) through an injectable delay. The buffer is bounded: when it is full,
 * the oldest observations are dropped, counted, and logged once per episode, never silently.
 *
 * Responses: 2xx is done (a duplicate too). Only the 4xx that say the batch itself is malformed
 * (400, 413, 415, 422) drop it, counted as rejected: it would never be accepted, and retrying it
 * forever would block everything behind it. Everything else is retried with the same batch id:
 * 5xx, 408, 429, network errors, and notably 401/403. A projected ServiceAccount token rotates
 * (the kubelet swaps the file) and can be briefly expired or not yet known, and RBAC can be
 * granted after the agent starts: neither is the batch's fault, so the token is asked for again
 * on every attempt (`token` re-reads the file) and the batch waits, counted in `authRetries`
 * and logged as an auth problem, while the bounded buffer keeps counting whatever it must drop.
 */
import { randomUUID } from 'node:crypto';
import { backoffMs } from '../../runtime/backoff.js';
import type { TokenSource } from '../../runtime/token-file.js';
import type { FlowBatch, FlowObservation } from './flow-observation.js';

export interface ShipperOptions {
  brokerUrl: string;
  node: string;
  /** Bearer token (the agent's service account token), asked for again on every attempt, so a
   * rotated token file is picked up by the next retry (runtime/token-file.ts). */
  token?: TokenSource;
  /** Observations held at most, across queued batches. */
  maxBuffered?: number;
  /** Observations per batch (the broker accepts up to 20,000). */
  maxBatch?: number;
  backoff?: { initialMs: number; maxMs: number };
  fetch?: typeof fetch;
  delay?: (ms: number) => Promise<void>;
  log?: (line: string) => void;
}

export interface ShipperStats {
  sent: number;
  dropped: number;
  rejected: number;
  retries: number;
  /** Retries because the broker refused the credentials (401) or the access (403). */
  authRetries: number;
  buffered: number;
}

interface Pending {
  batch: FlowBatch;
  attempts: number;
}

/** 4xx that mean the batch itself can never be accepted; any other answer is retried. */
const MALFORMED = new Set([400, 413, 415, 422]);

const AUTH_HINT: Record<number, string> = {
  401: 'the broker refused the token (expired, rotating, or not yet valid); the token file is re-read on each retry',
  403: 'the agent\'s ServiceAccount may not create flows.kguardian.dev (check the agent\'s ClusterRoleBinding)',
};

export class BatchShipper {
  readonly stats: ShipperStats = { sent: 0, dropped: 0, rejected: 0, retries: 0, authRetries: 0, buffered: 0 };
  private readonly queue: Pending[] = [];
  private readonly opts: Required<Omit<ShipperOptions, 'token'>> & Pick<ShipperOptions, 'token'>;
  private dropping = false;
  private running: Promise<void> | undefined;

  constructor(options: ShipperOptions) {
    this.opts = {
      maxBuffered: 200_000,
      maxBatch: 5_000,
      backoff: { initialMs: 500, maxMs: 30_000 },
      fetch: globalThis.fetch,
      delay: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      log: (line) => void process.stderr.write(`${line}\n`),
      ...options,
    };
  }

  /** Queues observations; starts sending if idle. Returns at once. */
  enqueue(flows: readonly FlowObservation[]): void {
    for (let i = 0; i < flows.length; i += this.opts.maxBatch) {
      const part = flows.slice(i, i + this.opts.maxBatch);
      this.queue.push({ batch: { batchId: randomUUID(), node: this.opts.node, flows: part }, attempts: 0 });
      this.stats.buffered += part.length;
    }
    this.enforceBound();
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves when everything queued so far was sent or dropped. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private enforceBound(): void {
    let over = this.stats.buffered - this.opts.maxBuffered;
    if (over <= 0) {
      this.dropping = false;
      return;
    }
    if (!this.dropping) this.opts.log(`kguardian-agent: broker buffer full (${this.opts.maxBuffered} observations): dropping the oldest, see kguardian_agent_observations_dropped_total`);
    this.dropping = true;
    // Never cut the batch being sent (index 0): its id may already be stored by the broker.
    while (over > 0 && this.queue.length > 1) {
      const [victim] = this.queue.splice(1, 1);
      if (!victim) break;
      this.stats.dropped += victim.batch.flows.length;
      this.stats.buffered -= victim.batch.flows.length;
      over -= victim.batch.flows.length;
    }
  }

  private async drain(): Promise<void> {
    for (let head = this.queue[0]; head; head = this.queue[0]) {
      const outcome = await this.send(head.batch);
      if (outcome === 'retry' || outcome === 'auth') {
        head.attempts++;
        this.stats.retries++;
        if (outcome === 'auth') this.stats.authRetries++;
        await this.opts.delay(backoffMs(head.attempts, this.opts.backoff));
        continue;
      }
      this.queue.shift();
      this.stats.buffered -= head.batch.flows.length;
      if (outcome === 'sent') this.stats.sent += head.batch.flows.length;
      else this.stats.rejected += head.batch.flows.length;
    }
  }

  private async send(batch: FlowBatch): Promise<'sent' | 'rejected' | 'retry' | 'auth'> {
    const token = await this.opts.token?.token();
    try {
      const res = await this.opts.fetch(`${this.opts.brokerUrl}/v1/flows`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(batch),
      });
      if (res.ok) return 'sent';
      const text = await res.text().catch(() => '');
      if (MALFORMED.has(res.status)) {
        this.opts.log(`kguardian-agent: broker rejected batch ${batch.batchId} (${res.status}), dropping ${batch.flows.length} observations: ${text.slice(0, 500)}`);
        return 'rejected';
      }
      const hint = AUTH_HINT[res.status];
      if (hint !== undefined) {
        this.opts.log(`kguardian-agent: broker answered ${res.status} for batch ${batch.batchId}: ${hint}; keeping the batch and retrying (kguardian_agent_broker_auth_retries_total): ${text.slice(0, 200)}`);
        return 'auth';
      }
      this.opts.log(`kguardian-agent: broker answered ${res.status} for batch ${batch.batchId}, retrying: ${text.slice(0, 200)}`);
      return 'retry';
    } catch (err) {
      this.opts.log(`kguardian-agent: failed to reach the broker for batch ${batch.batchId}, retrying: ${String(err)}`);
      return 'retry';
    }
  }
}
