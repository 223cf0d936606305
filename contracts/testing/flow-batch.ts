/**
 * Builders for flow observations and batches, for the tests of every part that sends or receives
 * them, so each test states only what it is about.
 */
import type { FlowBatch, FlowObservation } from '../flow-batch.js';

let batchSeq = 0;

export function observation(over: Partial<FlowObservation> & { at?: string } = {}): FlowObservation {
  const at = over.at ?? '2026-03-01T10:00:05.000Z';
  const o: FlowObservation = {
    src: { ip: '10.0.1.5', port: 40001, kind: 'pod', namespace: 'frontend', pod: 'web-1' },
    dst: { ip: '10.0.2.7', port: 8080, kind: 'pod', namespace: 'prod', pod: 'payments-1' },
    protocol: 'TCP',
    direction: 'Egress',
    state: 'established',
    firstSeen: at,
    lastSeen: at,
    count: 1,
    node: 'node-a',
    ...over,
  };
  delete (o as { at?: string }).at;
  return o;
}

export function batch(flows: FlowObservation[], over: Partial<FlowBatch> = {}): FlowBatch {
  batchSeq += 1;
  return { batchId: `batch-${batchSeq}-${Math.random().toString(36).slice(2)}`, node: 'node-a', flows, ...over };
}
