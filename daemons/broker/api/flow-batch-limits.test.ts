/** The body cap is derived from the flow limit: real batches fit under it, with room to spare. */
import { describe, expect, it } from 'vitest';
import { observation } from '../testing/fixtures.js';
import { FLOW_BATCH_LIMITS, OBSERVATION_BYTES } from '../../../contracts/flow-batch-limits.js';
import { countContainers } from './json-turns.js';

const UID = '0b9c6f1e-7d2a-4c1b-9a8e-3f5d2c1b0a99';
/** An observation as the agent writes it with both ends stamped, UIDs included. */
const stamped = observation({
  src: { ip: '10.244.12.130', port: 51234, kind: 'pod', namespace: 'frontend', pod: 'web-7d9f8b6c5-x2x4q', podUid: UID },
  dst: { ip: '10.244.7.18', port: 8080, kind: 'pod', namespace: 'payments', pod: 'payments-api-5c6d7e8f9-abcde', podUid: UID },
  count: 12_345,
  node: 'ip-10-0-1-23.ec2.internal',
});

function body(flows: unknown[]): string {
  return JSON.stringify({ batchId: 'node-a-1767225600000-42', node: 'node-a', flows });
}

describe('FLOW_BATCH_LIMITS', () => {
  it('is maxFlows observations of the per-observation budget (9.8 MiB)', () => {
    expect(FLOW_BATCH_LIMITS.maxBodyBytes).toBe(FLOW_BATCH_LIMITS.maxFlows * OBSERVATION_BYTES);
    expect(FLOW_BATCH_LIMITS.maxBodyBytes).toBeLessThan(10 * 1024 * 1024);
  });

  it('takes a full batch of stamped observations', () => {
    const text = body(Array(FLOW_BATCH_LIMITS.maxFlows).fill(stamped));
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(FLOW_BATCH_LIMITS.maxBodyBytes);
    expect(countContainers(text, Infinity)).toBeLessThanOrEqual(FLOW_BATCH_LIMITS.maxContainers);
  });

  it("takes an agent's batch (5,000) even with the longest pod names and node name", () => {
    const long = observation({
      src: { ...stamped.src, ip: 'fd00:1234:5678:9abc:def0:1234:5678:9abc', pod: 'p'.repeat(253), namespace: 'n'.repeat(63) },
      dst: { ...stamped.dst, ip: 'fd00:1234:5678:9abc:def0:1234:5678:9abd', pod: 'q'.repeat(253), namespace: 'm'.repeat(63) },
      node: 'x'.repeat(253),
    });
    expect(Buffer.byteLength(body(Array(5000).fill(long)))).toBeLessThanOrEqual(FLOW_BATCH_LIMITS.maxBodyBytes);
  });
});
