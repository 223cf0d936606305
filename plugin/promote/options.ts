/**
 * What `audit promote` and `audit promote-cluster` are asked (their parsed flags), apart from the
 * commands so the runners, which the commands load on demand, can name them.
 */
import type { KubeFlags } from '../kube/connect.js';
import type { PromoteFlags } from './finish.js';

export interface PromoteOptions {
  kube: KubeFlags;
  name: string | undefined;
  all: boolean;
  allNamespaces: boolean;
  /** -l: with --all, only policies with these labels. */
  selector: string | undefined;
  flags: PromoteFlags;
}

export interface PromoteClusterOptions {
  kube: KubeFlags;
  name: string;
  targets: string[];
  flags: PromoteFlags;
}
