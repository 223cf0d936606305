/**
 * What `ui` is asked (its parsed flags), apart from the command so the runner (run.ts), which
 * the command loads on demand, can name it.
 */
import type { BrokerOptions } from '../broker/types.js';
import type { KubeFlags } from '../kube/connect.js';

export interface UiOptions {
  kube: KubeFlags;
  broker: BrokerOptions;
  allNamespaces: boolean;
  port: number;
  open: boolean;
}
