/**
 * What the broker's HTTP app is built from. Everything with state or side effects is passed in,
 * so tests build an app on PGlite with a fixed clock and call `app.request()` without a port.
 */
import type { Authenticator } from '../../runtime/auth/types.js';
import type { Clock } from '../../runtime/clock.js';
import type { Logger } from '../../runtime/logger.js';
import type { BrokerMetrics } from './metrics.js';
import type { IngestGateOptions } from './middleware/ingest-gate.js';
import type { RetentionConfig, Store } from './store/types.js';

export interface BrokerDeps {
  store: Store;
  clock: Clock;
  auth: Authenticator;
  logger: Logger;
  metrics: BrokerMetrics;
  retention: RetentionConfig;
  /** How often an idle stream looks for verdicts written by other replicas (ms); default 1000. */
  streamPollMs?: number;
  /** Comment line sent on idle streams to keep proxies from closing them (ms); default 15000. */
  streamHeartbeatMs?: number;
  /** Verdict streams open at once; past it a new one gets 503. Default 100. */
  maxStreams?: number;
  ingest?: IngestGateOptions;
  /** Called after a batch is stored (wakes the evaluation loop). */
  onFlowsStored?: () => void;
  /** Called after a replay job is created (wakes the replay worker). */
  onReplayCreated?: () => void;
  /** Where the web view's built files are (ui/build.ts); default ui/assets beside the code. */
  uiDir?: string;
}
