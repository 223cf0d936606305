/** The large body benchmark's bodies are what it says: valid batches at the broker's limits, or one byte past. */
import { describe, expect, it } from 'vitest';
import { FLOW_BATCH_LIMITS, parseFlowBatch } from '../../contracts/flow-batch.js';
import { countContainers } from '../../daemons/broker/api/json-turns.js';
import { maxValidBody, oversizedBody } from '../../bench/lib/max-flow-bodies.js';

const AT = '2026-03-01T10:00:05.000Z';

describe('bench/lib/max-flow-bodies', () => {
  it.each(['agent-like', 'costliest'] as const)('the %s body is a valid batch of the most observations, exactly the byte cap', (kind) => {
    const body = maxValidBody(kind, 3, 'node-a', AT);
    expect(body.byteLength).toBe(FLOW_BATCH_LIMITS.maxBodyBytes);
    expect(countContainers(body.toString(), Infinity)).toBeLessThanOrEqual(FLOW_BATCH_LIMITS.maxContainers);
    const parsed = parseFlowBatch(JSON.parse(body.toString()));
    expect(parsed.ok && parsed.value.flows.length).toBe(FLOW_BATCH_LIMITS.maxFlows);
    if (!parsed.ok) return;
    // Every observation a flow of its own: each is a row to write.
    expect(new Set(parsed.value.flows.map((f) => `${f.src.ip} ${f.dst.ip}:${f.dst.port}`)).size).toBe(FLOW_BATCH_LIMITS.maxFlows);
  });

  it('the costliest body holds as many objects and arrays as the limit leaves room for', () => {
    const containers = countContainers(maxValidBody('costliest', 1, 'node-a', AT).toString(), Infinity);
    expect(FLOW_BATCH_LIMITS.maxContainers - containers).toBeLessThan(FLOW_BATCH_LIMITS.maxFlows);
  });

  it('bodies of different sequence numbers are different batches', () => {
    const ids = [0, 1].map((seq) => (JSON.parse(maxValidBody('agent-like', seq, 'node-a', AT).toString()) as { batchId: string }).batchId);
    expect(new Set(ids).size).toBe(2);
  });

  it('the oversized body is one byte past the cap, and still valid JSON', () => {
    const body = oversizedBody(2, 'node-a', AT);
    expect(body.byteLength).toBe(FLOW_BATCH_LIMITS.maxBodyBytes + 1);
    expect(() => JSON.parse(body.toString()) as unknown).not.toThrow();
  });
});
