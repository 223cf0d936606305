/**
 * The agent-to-broker wire format, shared with the broker (contracts/flow-batch.ts). Re-exported
 * here so agent modules depend on one local name.
 * Agent conventions on top of it: src.port is 0 when several source ports were aggregated into one
 * observation; count is connections for TCP and packets (both ways, as seen by the observing
 * socket) for UDP.
 */
export type { EndpointKind, FlowBatch, FlowObservation, ObservedEndpoint } from '../../contracts/flow-batch.js';
