/**
 * What `describe` is asked (its parsed flags), apart from the command so the runner (run.ts),
 * which the command loads on demand, can name it.
 */
import type { KubeFlags } from '../kube/connect.js';
import type { DescribeTarget } from './target.js';

export type DescribeOutput = 'text' | 'json' | 'yaml';

export interface DescribeOptions {
  kube: KubeFlags;
  target: DescribeTarget;
  output: DescribeOutput;
}
