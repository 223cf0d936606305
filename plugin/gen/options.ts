/**
 * What `gen networkpolicy` is asked (its parsed flags) and what a run reads, apart from run.ts so
 * the live readers (live-inputs.ts), which run.ts loads on demand, can name them.
 */
import type { BrokerOptions } from '../broker/types.js';
import type { Source } from '../input/read-source.js';
import type { KubeFlags } from '../kube/connect.js';
import type { GenOutput } from './render.js';
import type { GenKind } from './types.js';

export interface GenOptions {
  workload: string | undefined;
  selector: string | undefined;
  namespace: string | undefined;
  allNamespaces: boolean;
  since: string;
  sinceMs: number;
  kind: GenKind;
  output: GenOutput;
  outputDir: string | undefined;
  cluster: string | undefined;
  flows: string | undefined;
  aggregateV4: number;
  aggregateV6: number;
  minFlows: number;
  holdoutMs: number | undefined;
  broker?: BrokerOptions;
  kube?: KubeFlags;
}

/**
 * Why a --holdout cannot be cut from the broker's --since window (it is as long or longer, so
 * nothing would be left to learn from), or undefined when it can. A flow file is its own window.
 */
export function holdoutProblem(opts: Pick<GenOptions, 'since' | 'sinceMs' | 'holdoutMs' | 'flows'>, holdout: string): string | undefined {
  if (opts.flows !== undefined || opts.holdoutMs === undefined || opts.holdoutMs < opts.sinceMs) return undefined;
  return `--holdout ${holdout} is not shorter than --since ${opts.since}, the window it is cut from: nothing would be left to learn from; give a shorter --holdout or a longer --since`;
}

/** What the run reads: the cluster, the flows to learn from, and the held-out flows when asked. */
export interface GenInputs {
  cluster: Source;
  flows: Source;
  /** Set when the flows came from the broker: the held-out window was read apart. */
  heldOut?: { flows: Source; from: number; to: number };
  /** The namespace of the kubeconfig context, for a live run without -n. */
  contextNamespace?: string;
  /** How the window reads in annotations: "broker flows since 7d", "flows.jsonl". */
  source: string;
}
