/**
 * An agent-like client for the reliability tests: sends numbered batches of distinct flows and
 * retries each (same batch id) until the broker says 200, whatever happens in between
 * (connection refused or reset, timeouts, 503). It records every status it saw.
 */
import { batchJson, observationJson, postJson } from './broker-process.js';

export interface IngestPlan {
  batches: number;
  perBatch: number;
  /** Start time of every observation (RFC 3339). */
  at: string;
}

export interface IngestReport {
  statuses: Map<number | string, number>;
  retries: number;
}

function ip(n: number): string {
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

/** Batch `b` of the plan, always the same text, so a retry is a true re-send. */
export function planBatch(plan: IngestPlan, b: number): string {
  const items: string[] = [];
  for (let i = b * plan.perBatch; i < (b + 1) * plan.perBatch; i++) items.push(observationJson({ srcIp: ip(i >> 6), srcPod: `r-${i >> 6}`, dstIp: '10.250.0.1', dstPort: 1 + (i & 63), at: plan.at, count: 1, node: 'node-r' }));
  return batchJson(`rel-${b}`, 'node-r', `[${items.join(',')}]`);
}

/** Sends every batch of the plan with `concurrency` in flight, retrying each until it is stored. */
export async function ingestWithRetries(url: () => string, plan: IngestPlan, concurrency = 4, onAck?: (acked: number) => void): Promise<IngestReport> {
  const statuses = new Map<number | string, number>();
  const note = (k: number | string): void => {
    statuses.set(k, (statuses.get(k) ?? 0) + 1);
  };
  let next = 0;
  let acked = 0;
  let retries = 0;
  const worker = async (): Promise<void> => {
    for (let b = next++; b < plan.batches; b = next++) {
      const body = planBatch(plan, b);
      for (;;) {
        try {
          const r = await postJson(`${url()}/v1/flows`, body, 10_000);
          note(r.status);
          if (r.status === 200) break;
        } catch (err) {
          note((err as { code?: string }).code ?? (err as Error).message);
        }
        retries++;
        await new Promise((r) => setTimeout(r, 100));
      }
      onAck?.(++acked);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { statuses, retries };
}
