/**
 * A scenario: a set of NetworkPolicies over the model's pods (universe.ts), written in the model's names
 * and laid onto one copy of the pods when it runs (namespace names and pod addresses differ per copy).
 */
import type { NetworkPolicySpec } from '../../../policy/types.js';
import type { ModelNamespace } from '../universe.js';

export interface PolicyDef {
  namespace: ModelNamespace;
  name: string;
  spec: NetworkPolicySpec;
}

/** What a scenario may ask of the copy it runs on. */
export interface CopyContext {
  /** The copy's name of a model namespace (for kubernetes.io/metadata.name selectors). */
  ns(model: ModelNamespace): string;
  /** The IPv4 address of a model pod (`x/b`) in this copy. */
  ip(model: string): string;
}

export interface ScenarioDef {
  /** Unique, short, DNS-label safe: it prefixes the policies' names (`u07-deny-all`, `r123-p0`). */
  id: string;
  source: 'upstream' | 'random';
  title: string;
  policies(ctx: CopyContext): PolicyDef[];
}

export const NAME_LABEL = 'kubernetes.io/metadata.name';
