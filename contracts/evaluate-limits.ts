/**
 * Limits of one `POST /evaluate` request: the evaluator refuses a request past them, and the
 * broker sizes its calls to fit (EVALUATOR_BATCH and REPLAY_BATCH are held to maxFlows at start-up,
 * so a setting the evaluator would refuse on every call stops the broker with a message instead).
 */
export const EVALUATE_LIMITS = {
  /** 32 MiB: 20,000 items with the longest names the schema allows are about 16 MiB. */
  maxBodyBytes: 32 * 1024 * 1024,
  maxFlows: 20_000,
  /** Upper bound of one item's count: far above any real aggregate, far below overflow. */
  maxCount: 1_000_000_000,
} as const;
