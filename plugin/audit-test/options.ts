/**
 * What `audit test` is asked (its parsed flags), apart from the command so the live readers
 * (live-inputs.ts), which the command loads on demand, can name it.
 */
import type { BrokerOptions } from '../broker/types.js';
import type { KubeFlags } from '../kube/connect.js';
import type { AuditOutput } from './render.js';

export interface AuditTestOptions {
  files: string[];
  cluster: string | undefined;
  flows: string | undefined;
  output: AuditOutput;
  /** --no-headers: leave out the column header lines of the table and wide outputs. */
  noHeaders: boolean;
  failOnDeny: boolean;
  /** Look-back for the broker's flows when --flows is not given. */
  since: string;
  broker?: BrokerOptions;
  kube?: KubeFlags;
}
