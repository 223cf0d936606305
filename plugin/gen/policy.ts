/**
 * A workload's rules written as a policy object: an AuditNetworkPolicy (the default: apply it and
 * watch WOULD-DENY) or a NetworkPolicy, with both policy types, so what was not seen is denied.
 * Rules cannot carry annotations, so the policy's annotations say where each rule came from:
 * one line per rule, "ingress[0]: 12 flows, FIRST to LAST", and its notes.
 */
import { GROUP_VERSION } from '../../contracts/audit-policy-api.js';
import type { NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec } from '../../policy/index.js';
import type { GeneratedPolicy, GenKind, GenPeer, GenRule, GenSettings, Provenance, Workload } from './types.js';

export const GENERATED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const GENERATED_BY = 'kubectl-kguardian-gen';
export const SOURCE_ANNOTATION = 'kguardian.dev/generated-from';
export const RULES_ANNOTATION = 'kguardian.dev/generated-rules';
export const WORKLOAD_ANNOTATION = 'kguardian.dev/generated-for';

const API_VERSION: Record<GenKind, string> = { AuditNetworkPolicy: GROUP_VERSION, NetworkPolicy: 'networking.k8s.io/v1' };
/** metadata.name is a DNS subdomain: at most 253 characters. */
const MAX_NAME = 253;
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** RFC 3339 to the second (to the millisecond only when there are milliseconds). */
export function timeText(ms: number | undefined): string {
  return ms === undefined ? 'unknown' : new Date(ms).toISOString().replace('.000Z', 'Z');
}

export function provenanceText(p: Provenance): string {
  const flows = `${p.flows} flow${p.flows === 1 ? '' : 's'}`;
  return p.first === undefined ? `${flows}, time not recorded` : `${flows}, ${timeText(p.first)} to ${timeText(p.last)}`;
}

function peerObject(peer: GenPeer): NetworkPolicyPeer[] {
  if (peer.kind === 'workload')
    return [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: peer.namespace } }, podSelector: Object.keys(peer.selector).length > 0 ? { matchLabels: { ...peer.selector } } : {} }];
  if (peer.kind === 'nodes') return peer.cidrs.map((cidr) => ({ ipBlock: { cidr } }));
  return [{ ipBlock: { cidr: peer.cidr } }];
}

function portObjects(rule: GenRule): NetworkPolicyPort[] {
  return rule.ports.map((p) => ({ protocol: p.protocol, port: p.port }));
}

function ruleLines(direction: 'ingress' | 'egress', rules: readonly GenRule[]): string[] {
  return rules.map((r, i) => [`${direction}[${i}]: ${provenanceText(r.provenance)}`, ...r.notes].join('; '));
}

/** gen-NAME, or gen-KIND-NAME when another workload of the namespace has the same name. */
export function policyName(w: Workload, clash: boolean): string {
  const name = clash ? `gen-${w.kind.toLowerCase()}-${w.name}` : `gen-${w.name}`;
  return name.length <= MAX_NAME ? name : name.slice(0, MAX_NAME).replace(/[-.]+$/, '');
}

/** The rules generated for one workload, each direction's. */
export interface WorkloadRules {
  ingress: GenRule[];
  egress: GenRule[];
}

export function policyObject(w: Workload, name: string, rules: WorkloadRules, total: Provenance, settings: GenSettings): GeneratedPolicy {
  const { ingress, egress } = rules;
  const spec: NetworkPolicySpec = { podSelector: { matchLabels: { ...w.selector } }, policyTypes: ['Ingress', 'Egress'] };
  if (ingress.length > 0) spec.ingress = ingress.map((r) => ({ from: peerObject(r.peer), ports: portObjects(r) }));
  if (egress.length > 0) spec.egress = egress.map((r) => ({ to: peerObject(r.peer), ports: portObjects(r) }));
  const lines = [...ruleLines('ingress', ingress), ...ruleLines('egress', egress)];
  return {
    workload: w,
    ingress,
    egress,
    provenance: total,
    object: {
      apiVersion: API_VERSION[settings.kind],
      kind: settings.kind,
      metadata: {
        name,
        namespace: w.namespace,
        labels: { [GENERATED_BY_LABEL]: GENERATED_BY },
        annotations: {
          [WORKLOAD_ANNOTATION]: `${w.kind}/${w.name}`,
          [SOURCE_ANNOTATION]: `${settings.source}: ${provenanceText(total)}`,
          ...(lines.length > 0 ? { [RULES_ANNOTATION]: lines.join('\n') } : {}),
        },
      },
      spec,
    },
  };
}
