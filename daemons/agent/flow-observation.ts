/**
 * The agent-to-broker wire format, as fixed by the lead. The broker owns the definition
 * (daemons/broker/api/flow-batch.ts); this is a structural copy so the agent builds while that
 * file is not yet committed. Replace with `export type { ... } from '../broker/api/flow-batch.js'`
 * once it is: the shapes are identical, so nothing else changes.
 */
export type EndpointKind = 'pod' | 'host' | 'node' | 'external' | 'unknown';

export interface ObservedEndpoint {
  ip: string;
  port: number; // 0 when several source ports were aggregated into one observation
  kind: EndpointKind;
  namespace?: string;
  pod?: string;
  podUid?: string;
}

export interface FlowObservation {
  src: ObservedEndpoint; // initiator (TCP: the connect() side; UDP: sender of the first packet seen)
  dst: ObservedEndpoint;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  direction: 'Ingress' | 'Egress'; // Egress = seen leaving the source's socket, Ingress = arriving at the destination's
  state: 'established' | 'attempt' | 'refused' | 'seen';
  firstSeen: string; // RFC 3339 with ms
  lastSeen: string;
  count: number; // TCP: connections; UDP: packets (both ways) in this observation; >= 1
  node: string;
}

export interface FlowBatch {
  batchId: string;
  node: string;
  flows: FlowObservation[];
}
