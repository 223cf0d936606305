/**
 * The agent-to-broker wire format, fixed by the lead and owned by the broker
 * (daemons/broker/api/flow-batch.ts). Re-exported here so agent modules depend on one local name.
 * Agent conventions on top of it: src.port is 0 when several source ports were aggregated into one
 * observation; count is connections for TCP and packets (both ways, as seen by the observing
 * socket) for UDP.
 */
export type { EndpointKind, FlowBatch, FlowObservation, ObservedEndpoint } from '../broker/api/flow-batch.js';
