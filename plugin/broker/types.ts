/**
 * What the plugin reads from the broker. The answers' shapes are contracts/broker-api.ts, which
 * the broker's store returns, so the plugin and the broker cannot drift apart without the
 * compiler noticing.
 */
import type { FlowPage, StoredFlow, StoredVerdict, VerdictPage } from '../../contracts/broker-api.js';

export type { FlowPage, StoredFlow, StoredVerdict, VerdictPage };

/** How the plugin finds the broker and proves who it is. */
export interface BrokerOptions {
  /** Talk to this URL directly instead of port-forwarding to the broker's pod. */
  brokerUrl: string | undefined;
  brokerNamespace: string;
  brokerService: string;
  token: string | undefined;
  tokenFile: string | undefined;
}

/**
 * Where the broker's address came from, in precedence order: --broker-url, then the
 * KGUARDIAN_BROKER_URL environment variable, then a port-forward found through the cluster.
 */
export type BrokerOrigin = 'flag' | 'env' | 'port-forward';

/** An open way to the broker: its base URL and the token to send. `close` ends any port-forward. */
export interface BrokerConnection {
  baseUrl: string;
  origin: BrokerOrigin;
  token: string | undefined;
  close(): Promise<void>;
}
