/** What the evaluator's HTTP app is built from: passed in, so tests use `app.request()` without a port. */
import type { Authenticator } from '../../../runtime/auth/types.js';
import type { Logger } from '../../../runtime/logger.js';
import type { ClusterModel } from '../cluster/model-types.js';
import type { EvaluatorMetrics } from '../metrics.js';

export interface EvaluatorDeps {
  model: ClusterModel;
  auth: Authenticator;
  metrics: EvaluatorMetrics;
  logger: Logger;
}
