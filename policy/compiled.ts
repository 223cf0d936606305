/**
 * A policy after compilation: every Kubernetes default and quirk already applied (policyTypes
 * defaulting, empty lists, nil selectors), so evaluation reads only explicit variants.
 */
import type { CompiledIpBlock } from './address.js';
import type { PortList } from './port.js';
import type { Selector } from './selector.js';
import type { PolicyKind, PolicyObject, PolicyRef } from './types.js';

/** A rule's peer scope (peer.ts compiles and matches them; its comment table lists every case). */
export type NamespaceScope = { kind: 'policyNamespace' } | { kind: 'all' } | { kind: 'selector'; selector: Selector };

export type Peer = { kind: 'pods'; namespaces: NamespaceScope; pods: Selector } | { kind: 'ipBlock'; block: CompiledIpBlock };

export type PeerList = { kind: 'any' } | { kind: 'peers'; peers: readonly Peer[] };

/** The fixed parts of the sentences that quote one rule; kept on the (shared) compiled rule. */
export interface RuleText {
  /** ": FIELD rule N allows " */
  allows: string;
  /** Per peer index: " (PEER; PORTS)" */
  via: readonly string[];
  /** "; FIELD rule N admits the peer but only on PORTS" */
  nearMiss: string;
}

/** The fixed parts naming one policy; kept on the compiled policy. */
export interface PolicyText {
  /** "KIND NS/NAME" */
  head: string;
  /** "KIND NS/NAME selects " */
  selects: string;
}

export interface CompiledRule {
  index: number;
  peers: PeerList;
  ports: PortList;
  /** Fixed parts of the reasons that quote this rule (explain.ts). */
  text: RuleText;
}

/** Which namespaces' pods a policy can select. */
export type TargetNamespaces =
  /** Namespaced kinds: only their own namespace. */
  | { kind: 'name'; name: string }
  /** AuditClusterNetworkPolicy with a nil or empty namespaceSelector. */
  | { kind: 'all' }
  | { kind: 'selector'; selector: Selector };

export interface CompiledPolicy {
  /** "Kind/namespace/name": unique across kinds. */
  id: string;
  ref: PolicyRef;
  /** "namespace/name", or "name" for cluster-scoped policies. */
  display: string;
  kind: PolicyKind;
  /** True for NetworkPolicy: the CNI enforces it today. */
  enforced: boolean;
  targetNamespaces: TargetNamespaces;
  target: Selector;
  /** null when the direction is not in policyTypes; [] is default-deny for that direction. */
  ingress: readonly CompiledRule[] | null;
  egress: readonly CompiledRule[] | null;
  source: PolicyObject;
  /** Fixed parts of this policy's reason sentences (explain.ts). */
  reasonTexts: PolicyText;
}

export function policyId(kind: PolicyKind, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}
