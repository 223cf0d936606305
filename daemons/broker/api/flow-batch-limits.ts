/** Limits on one `POST /v1/flows` batch, shared by the schema, its fast path and the route. */
export const FLOW_BATCH_LIMITS = {
  maxBodyBytes: 16 * 1024 * 1024,
  maxFlows: 20_000,
  /** Upper bound of one observation's count: far above any real aggregate, far below overflow. */
  maxCount: 1_000_000_000,
} as const;
