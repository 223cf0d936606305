/**
 * Limits on one `POST /v1/flows` batch, shared by the schema, its fast path and the route.
 *
 * The body cap follows from the flow limit: maxFlows observations of at most
 * OBSERVATION_BYTES each. An observation with both ends stamped is 330 to 500 bytes of JSON with
 * usual names (namespace, pod, pod UID, IPv4 addresses, node), so a full batch of 20,000 is 6.3
 * to 9.5 MiB and fits; agents send at most 5,000 a batch, which fits even with 253-character pod
 * and node names (about 1.4 KB an observation). The old 16 MiB cap let through bodies that no
 * agent writes and that took seconds to parse. flow-batch-limits.test.ts measures these sizes.
 */
const MAX_FLOWS = 20_000;
/** Budget of one observation in the body, whitespace and members newer agents add included. */
export const OBSERVATION_BYTES = 512;
/** Objects and arrays one observation may bring: itself, src and dst, and room for newer members. */
const OBSERVATION_CONTAINERS = 8;

export const FLOW_BATCH_LIMITS = {
  maxFlows: MAX_FLOWS,
  /** 10,240,000 bytes (9.8 MiB). */
  maxBodyBytes: MAX_FLOWS * OBSERVATION_BYTES,
  /** Objects and arrays in one body, checked before parsing (see api/json-turns.ts). */
  maxContainers: MAX_FLOWS * OBSERVATION_CONTAINERS + 16,
  /** Upper bound of one observation's count: far above any real aggregate, far below overflow. */
  maxCount: 1_000_000_000,
} as const;
