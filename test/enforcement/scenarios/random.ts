/**
 * Seeded random policy sets over the model's pods: label selectors with matchLabels and every
 * matchExpressions operator, namespace selectors by name and by label, ipBlock with except, numeric and
 * named ports, endPort ranges, rules with no peers or no ports, both directions, and several policies on
 * one pod. The same seed gives the same scenarios (the pods' addresses fill in the ipBlocks when a
 * scenario is laid onto a copy), so a disagreement can be replayed from the report.
 */
import type {
  IPBlock, LabelSelector, LabelSelectorRequirement, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer,
  NetworkPolicyPort, NetworkPolicySpec,
} from '../../../policy/types.js';
import { NAMESPACE_LABELS, NAMESPACES, POD_LABELS, PODS, type ModelNamespace } from '../universe.js';
import { NAME_LABEL, type CopyContext, type PolicyDef, type ScenarioDef } from './types.js';
import { seededRandom } from '../../../runtime/testing/seeded-random.js';

/** The scenarios' generator, seeded per scenario (runtime/testing/seeded-random.ts). */
export const rng = seededRandom;

class Pick {
  constructor(private readonly next: () => number) {}
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  one<T>(xs: readonly T[]): T {
    return xs[this.int(0, xs.length - 1)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  some<T>(xs: readonly T[], min: number, max: number): T[] {
    const pool = [...xs];
    const n = Math.min(pool.length, this.int(min, max));
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(pool.splice(this.int(0, pool.length - 1), 1)[0] as T);
    return out;
  }
}

/** Label keys and the values the model uses for them (plus one no object has). */
function domain(labels: Record<string, string>[]): Map<string, string[]> {
  const d = new Map<string, string[]>();
  for (const l of labels) {
    for (const [k, v] of Object.entries(l)) d.set(k, [...new Set([...(d.get(k) ?? []), v])]);
  }
  for (const [k, vs] of d) d.set(k, [...vs, 'none']);
  d.set('absent', ['x']);
  return d;
}

const POD_DOMAIN = domain(PODS.map((p) => ({ pod: p, ...POD_LABELS[p] })));
const NS_DOMAIN = domain(NAMESPACES.map((n) => ({ ns: n, ...NAMESPACE_LABELS[n] })));

function requirement(p: Pick, d: Map<string, string[]>): LabelSelectorRequirement {
  const key = p.one([...d.keys()]);
  const operator = p.one(['In', 'NotIn', 'Exists', 'DoesNotExist']);
  if (operator === 'Exists' || operator === 'DoesNotExist') return { key, operator };
  return { key, operator, values: p.some(d.get(key) ?? [], 1, 2) };
}

function selector(p: Pick, d: Map<string, string[]>): LabelSelector {
  const shape = p.int(0, 3);
  if (shape === 0) return {};
  const out: LabelSelector = {};
  if (shape !== 2) {
    const key = p.one([...d.keys()].filter((k) => k !== 'absent'));
    out.matchLabels = { [key]: p.one(d.get(key) ?? []) };
  }
  if (shape !== 1) out.matchExpressions = Array.from({ length: p.int(1, 2) }, () => requirement(p, d));
  return out;
}

/** A namespace selector by label, or by name through kubernetes.io/metadata.name. Returned as a function of the copy. */
function namespaceSelector(p: Pick): (c: CopyContext) => LabelSelector {
  if (p.chance(0.35)) {
    const names = p.some<ModelNamespace>(NAMESPACES, 1, 2);
    const op = p.one(['In', 'NotIn']);
    if (op === 'In' && names.length === 1 && p.chance(0.5)) return (c) => ({ matchLabels: { [NAME_LABEL]: c.ns(names[0] as ModelNamespace) } });
    return (c) => ({ matchExpressions: [{ key: NAME_LABEL, operator: op, values: names.map((n) => c.ns(n)) }] });
  }
  const s = selector(p, NS_DOMAIN);
  return () => s;
}

const MODEL_PODS = NAMESPACES.flatMap((n) => PODS.map((pod) => `${n}/${pod}`));

/** Prefix length's network of an IPv4 address. */
function network(ip: string, prefix: number): string {
  const n = ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const net = (n & mask) >>> 0;
  return `${[24, 16, 8, 0].map((s) => (net >>> s) & 255).join('.')}/${prefix}`;
}

function ipBlock(p: Pick): (c: CopyContext) => IPBlock {
  const shape = p.int(0, 3);
  if (shape === 0) {
    const pod = p.one(MODEL_PODS);
    return (c) => ({ cidr: `${c.ip(pod)}/32` });
  }
  if (shape === 1) {
    // A short prefix around a pod: it holds some of its neighbours too (addresses are handed out in order).
    const pod = p.one(MODEL_PODS);
    const prefix = p.int(27, 30);
    return (c) => ({ cidr: network(c.ip(pod), prefix) });
  }
  const cidr = p.one(['10.254.128.0/24', '10.254.0.0/16', '0.0.0.0/0']);
  const excepted = p.some(MODEL_PODS, 1, 2);
  const widen = p.chance(0.3) ? p.int(29, 31) : 32;
  return (c) => ({ cidr, except: [...new Set(excepted.map((e) => network(c.ip(e), widen)))] });
}

function peer(p: Pick): (c: CopyContext) => NetworkPolicyPeer {
  const shape = p.int(0, 3);
  if (shape === 0) {
    const s = selector(p, POD_DOMAIN);
    return () => ({ podSelector: s });
  }
  if (shape === 1) {
    const ns = namespaceSelector(p);
    return (c) => ({ namespaceSelector: ns(c) });
  }
  if (shape === 2) {
    const ns = namespaceSelector(p);
    const s = selector(p, POD_DOMAIN);
    return (c) => ({ namespaceSelector: ns(c), podSelector: s });
  }
  const b = ipBlock(p);
  return (c) => ({ ipBlock: b(c) });
}

const NAMED = ['serve-80-tcp', 'serve-81-tcp', 'serve-80-udp', 'serve-81-udp', 'serve-82-tcp'];

function port(p: Pick): NetworkPolicyPort {
  const out: NetworkPolicyPort = {};
  const protocol = p.one([undefined, 'TCP', 'UDP', 'SCTP', 'TCP', 'UDP']);
  if (protocol !== undefined) out.protocol = protocol;
  const shape = p.int(0, 4);
  if (shape === 0) return out;
  if (shape === 1) {
    out.port = p.one(NAMED);
    return out;
  }
  out.port = p.one([79, 80, 81, 82]);
  if (shape >= 3) out.endPort = out.port + p.int(0, shape === 4 ? 100 : 1);
  return out;
}

interface RuleDraft {
  peers?: ((c: CopyContext) => NetworkPolicyPeer)[];
  ports?: NetworkPolicyPort[];
}

function rule(p: Pick): RuleDraft {
  const r: RuleDraft = {};
  const peers = p.int(0, 3);
  if (peers === 1 && p.chance(0.2)) r.peers = [];
  else if (peers > 0) r.peers = Array.from({ length: peers === 3 ? 2 : 1 }, () => peer(p));
  if (p.chance(0.6)) r.ports = Array.from({ length: p.int(1, 2) }, () => port(p));
  return r;
}

function policy(p: Pick, id: string, index: number): (c: CopyContext) => PolicyDef {
  const namespace = p.one(NAMESPACES);
  const podSelector = selector(p, POD_DOMAIN);
  const types = p.one([['Ingress'], ['Egress'], ['Ingress', 'Egress'], undefined]);
  const ingress = types === undefined || types.includes('Ingress') ? Array.from({ length: p.int(0, 2) }, () => rule(p)) : undefined;
  const egress = types === undefined ? (p.chance(0.5) ? Array.from({ length: p.int(0, 2) }, () => rule(p)) : undefined)
    : types.includes('Egress') ? Array.from({ length: p.int(0, 2) }, () => rule(p)) : undefined;
  return (c) => {
    const spec: NetworkPolicySpec = { podSelector };
    if (types !== undefined) spec.policyTypes = types;
    if (ingress !== undefined) {
      spec.ingress = ingress.map((r): NetworkPolicyIngressRule => ({
        ...(r.peers === undefined ? {} : { from: r.peers.map((f) => f(c)) }),
        ...(r.ports === undefined ? {} : { ports: r.ports }),
      }));
    }
    if (egress !== undefined) {
      spec.egress = egress.map((r): NetworkPolicyEgressRule => ({
        ...(r.peers === undefined ? {} : { to: r.peers.map((f) => f(c)) }),
        ...(r.ports === undefined ? {} : { ports: r.ports }),
      }));
    }
    return { namespace, name: `p${index}`, spec };
  };
}

/** Scenario `r{n}` of a seed: 1 to 4 policies; a third of the sets put two or more on one namespace's pods. */
export function randomScenario(seed: number, n: number): ScenarioDef {
  const p = new Pick(rng(seed * 100_003 + n));
  const id = `r${String(n).padStart(3, '0')}`;
  const count = p.int(1, 4);
  const makers = Array.from({ length: count }, (_, i) => policy(p, id, i));
  return {
    id,
    source: 'random',
    title: `random set ${n} of seed ${seed} (${count} ${count === 1 ? 'policy' : 'policies'})`,
    policies: (c) => makers.map((m) => m(c)),
  };
}

export function randomScenarios(seed: number, count: number): ScenarioDef[] {
  return Array.from({ length: count }, (_, n) => randomScenario(seed, n));
}
