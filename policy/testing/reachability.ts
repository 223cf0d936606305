/**
 * A reachability harness for the policy engine, built on the idea of the upstream
 * network-policy e2e suite: a fixed model of three namespaces (x, y, z) holding three pods
 * (a, b, c) each, a truth table saying which of the 81 (from, to) pairs may talk, and a probe
 * that asks `evaluateFlow` about every pair and prints which pairs disagree.
 *
 * The model: namespaces carry `ns: <name>` and `kubernetes.io/metadata.name: <name>`; pods
 * carry `pod: <letter>`, one IPv4 and one IPv6 address each (x/a is 10.244.1.11 and
 * fd00:244:1::11, z/c is 10.244.3.13 and fd00:244:3::13) and serve ports 80 and 81 on TCP,
 * UDP and SCTP under named container ports such as `serve-80-tcp` and `serve-81-sctp`.
 *
 * A scenario is written once, kind-agnostically, and `runScenario` runs it once with
 * NetworkPolicy objects and once with AuditNetworkPolicy objects: both runs must produce the
 * same `effective` table, while `enforced` must equal it for NetworkPolicy and allow
 * everything for AuditNetworkPolicy (audit never enforces).
 */
import { ClusterState } from '../cluster-state.js';
import { evaluateFlow } from '../evaluate.js';
import { NAMESPACE_NAME_LABEL } from '../model.js';
import { policyObject } from './testkit.js';
import type {
  ClusterNetworkPolicySpec,
  ContainerPort,
  FlowEndpoint,
  FlowEvaluation,
  NetworkPolicySpec,
  PodInfo,
  PolicyKind,
  Protocol,
} from '../types.js';
import { PROTOCOLS } from '../types.js';

// ---- The model ----

export const NAMESPACES = ['x', 'y', 'z'] as const;
export type ModelNamespace = (typeof NAMESPACES)[number];
export const POD_NAMES = ['a', 'b', 'c'] as const;
export type ModelPodName = (typeof POD_NAMES)[number];
/** "x/a" .. "z/c". */
export type ModelPod = `${ModelNamespace}/${ModelPodName}`;
export const MODEL_PODS: readonly ModelPod[] = NAMESPACES.flatMap((ns) => POD_NAMES.map((p): ModelPod => `${ns}/${p}`));
export const SERVED_PORTS: readonly number[] = [80, 81];

const NS_INDEX: Record<ModelNamespace, number> = { x: 1, y: 2, z: 3 };
const POD_INDEX: Record<ModelPodName, number> = { a: 1, b: 2, c: 3 };

function splitPod(ref: ModelPod): [ModelNamespace, ModelPodName] {
  return ref.split('/') as [ModelNamespace, ModelPodName];
}

/** The pod's address in one family: 10.244.<ns>.<10+pod> or fd00:244:<ns>::<10+pod>. */
export function podIp(ref: ModelPod, family: 4 | 6): string {
  const [ns, pod] = splitPod(ref);
  const host = 10 + POD_INDEX[pod];
  return family === 4 ? `10.244.${NS_INDEX[ns]}.${host}` : `fd00:244:${NS_INDEX[ns]}::${host}`;
}

/** Every model pod's container ports: serve-80-tcp, serve-80-udp, ..., serve-81-sctp. */
export function modelPorts(): ContainerPort[] {
  return SERVED_PORTS.flatMap((port) =>
    PROTOCOLS.map((protocol) => ({ name: `serve-${port}-${protocol.toLowerCase()}`, containerPort: port, protocol })),
  );
}

/** A model namespace's labels, plus any extra ones a scenario adds. */
export function modelNamespaceLabels(ns: ModelNamespace, extra: Record<string, string> = {}): Record<string, string> {
  return { ns, [NAMESPACE_NAME_LABEL]: ns, ...extra };
}

/** A model pod; `labels` replaces the default `pod: <letter>` when given. */
export function modelPod(ref: ModelPod, labels?: Record<string, string>): PodInfo {
  const [namespace, name] = splitPod(ref);
  return {
    namespace,
    name,
    labels: labels ?? { pod: name },
    ips: [podIp(ref, 4), podIp(ref, 6)],
    ports: modelPorts(),
    hostNetwork: false,
  };
}

/** A fresh state holding the 3x3 model and no policies. */
export function buildModel(): ClusterState {
  const state = new ClusterState();
  for (const ns of NAMESPACES) state.upsertNamespace({ name: ns, labels: modelNamespaceLabels(ns) });
  for (const ref of MODEL_PODS) state.upsertPod(modelPod(ref));
  return state;
}

// ---- Truth tables ----

/**
 * Which pods an expectation is about: "*" every pod, "x" every pod in namespace x, "x/a" one
 * pod, "* /a" (without the space) pod a in every namespace.
 */
export type PodPattern = '*' | ModelNamespace | ModelPod | `*/${ModelPodName}`;

function matchesPattern(pattern: PodPattern, pod: ModelPod): boolean {
  if (pattern === '*') return true;
  const [ns, name] = splitPod(pod);
  const slash = pattern.indexOf('/');
  if (slash === -1) return pattern === ns;
  const pns = pattern.slice(0, slash);
  return (pns === '*' || pns === ns) && pattern.slice(slash + 1) === name;
}

function cellKey(from: ModelPod, to: ModelPod): string {
  return `${from}>${to}`;
}

/** One pair on which two tables disagree. */
export interface PairDiff {
  from: ModelPod;
  to: ModelPod;
  expected: boolean;
  actual: boolean;
}

/**
 * Expected (or observed) connectivity of every ordered pair of model pods. Setters apply in
 * call order, so a broad rule followed by a narrow exception reads as the upstream suite's
 * tables do: `TruthTable.allowAll().denyTo('x/a').allow('x/b', 'x/a')`.
 */
export class TruthTable {
  private readonly cells = new Map<string, boolean>();

  private constructor(fill: boolean) {
    for (const from of MODEL_PODS) for (const to of MODEL_PODS) this.cells.set(cellKey(from, to), fill);
  }

  /** Every pair may talk: the state of a cluster with no policies. */
  static allowAll(): TruthTable {
    return new TruthTable(true);
  }

  /** No pair may talk. */
  static denyAll(): TruthTable {
    return new TruthTable(false);
  }

  /** Sets every pair whose source matches `from` and destination matches `to`. */
  set(from: PodPattern, to: PodPattern, allowed: boolean): this {
    for (const f of MODEL_PODS) {
      if (!matchesPattern(from, f)) continue;
      for (const t of MODEL_PODS) if (matchesPattern(to, t)) this.cells.set(cellKey(f, t), allowed);
    }
    return this;
  }

  /** Allow from `from` to `to`. */
  allow(from: PodPattern, to: PodPattern): this {
    return this.set(from, to, true);
  }

  deny(from: PodPattern, to: PodPattern): this {
    return this.set(from, to, false);
  }

  /** Deny everything to `to` (its ingress is closed to every pod). */
  denyTo(to: PodPattern): this {
    return this.set('*', to, false);
  }

  /** Deny everything from `from` (its egress is closed to every pod). */
  denyFrom(from: PodPattern): this {
    return this.set(from, '*', false);
  }

  /** A pod always reaches itself: NetworkPolicy never applies to a pod's own traffic. */
  allowLoopback(): this {
    for (const pod of MODEL_PODS) this.cells.set(cellKey(pod, pod), true);
    return this;
  }

  allowed(from: ModelPod, to: ModelPod): boolean {
    return this.cells.get(cellKey(from, to)) ?? false;
  }

  clone(): TruthTable {
    const copy = TruthTable.denyAll();
    for (const [k, v] of this.cells) copy.cells.set(k, v);
    return copy;
  }

  /** Pairs where `actual` disagrees with this table, in model order (from, then to). */
  diff(actual: TruthTable): PairDiff[] {
    const out: PairDiff[] = [];
    for (const from of MODEL_PODS)
      for (const to of MODEL_PODS) {
        const expected = this.allowed(from, to);
        const got = actual.allowed(from, to);
        if (expected !== got) out.push({ from, to, expected, actual: got });
      }
    return out;
  }

  /** Rows "from", columns "to"; "." allowed, "X" denied; cells in `marked` are bracketed. */
  render(marked: ReadonlySet<string> = new Set()): string[] {
    const header = ['   ', ...MODEL_PODS.map((p) => ` ${p.replace('/', '')}`)].join(' ');
    const rows = MODEL_PODS.map((from) => {
      const cells = MODEL_PODS.map((to) => {
        const mark = this.allowed(from, to) ? '.' : 'X';
        return marked.has(cellKey(from, to)) ? `[${mark}]` : ` ${mark} `;
      });
      return [from.replace('/', ' '), ...cells].join(' ');
    });
    return [header, ...rows];
  }
}

// ---- Probing the engine ----

/** A protocol and destination port, e.g. "TCP/80". */
export type Service = `${Protocol}/${number}`;
export const ALL_SERVICES: readonly Service[] = PROTOCOLS.flatMap((p) => SERVED_PORTS.map((port): Service => `${p}/${port}`));

function parseService(service: Service): { protocol: Protocol; port: number } {
  const [protocol, port] = service.split('/') as [Protocol, string];
  return { protocol, port: Number(port) };
}

/**
 * How a probe names the two ends of each flow: by pod name only (ipBlocks then see the
 * pod's primary address, IPv4 here), by IP only (the engine must find the pod by its
 * address), or by both (the pod named, ipBlocks see the given address). The "src:" and
 * "dst:" forms give that end both and the other its name only, so ipBlocks on the named-only
 * end must see its address of the family the flow uses.
 */
export type View = 'names' | 'ipv4' | 'ipv6' | 'names+ipv4' | 'names+ipv6' | 'src:names+ipv6' | 'dst:names+ipv6';
/** For scenarios that do not depend on addresses: each way of naming ends must agree. */
export const DEFAULT_VIEWS: readonly View[] = ['names', 'ipv4', 'ipv6'];
/** For ipBlock scenarios written with IPv4 CIDRs. */
export const IPV4_VIEWS: readonly View[] = ['names', 'ipv4', 'names+ipv4'];
/** For ipBlock scenarios written with IPv6 CIDRs. */
export const IPV6_VIEWS: readonly View[] = ['ipv6', 'names+ipv6', 'src:names+ipv6', 'dst:names+ipv6'];

/** One end of a flow between model pods, named as `view` says. */
export function flowEnd(ref: ModelPod, view: View, end: 'src' | 'dst' = 'src'): FlowEndpoint {
  const [namespace, pod] = splitPod(ref);
  switch (view) {
    case 'names':
      return { namespace, pod };
    case 'ipv4':
      return { ip: podIp(ref, 4) };
    case 'ipv6':
      return { ip: podIp(ref, 6) };
    case 'names+ipv4':
      return { namespace, pod, ip: podIp(ref, 4) };
    case 'names+ipv6':
      return { namespace, pod, ip: podIp(ref, 6) };
    case 'src:names+ipv6':
      return end === 'src' ? { namespace, pod, ip: podIp(ref, 6) } : { namespace, pod };
    case 'dst:names+ipv6':
      return end === 'dst' ? { namespace, pod, ip: podIp(ref, 6) } : { namespace, pod };
  }
}

export interface ProbeResult {
  service: Service;
  view: View;
  /** What promoting every policy would do. */
  effective: TruthTable;
  /** What the enforced NetworkPolicies alone do. */
  enforced: TruthTable;
  /** The engine's full answer for each pair, keyed "from>to". */
  evaluations: ReadonlyMap<string, FlowEvaluation>;
}

/** Evaluates all 81 pairs for one service through `evaluateFlow`. */
export function probe(state: ClusterState, service: Service, view: View = 'names'): ProbeResult {
  const { protocol, port } = parseService(service);
  const effective = TruthTable.allowAll();
  const enforced = TruthTable.allowAll();
  const evaluations = new Map<string, FlowEvaluation>();
  for (const from of MODEL_PODS)
    for (const to of MODEL_PODS) {
      const evaluation = evaluateFlow(state, { src: flowEnd(from, view, 'src'), dst: flowEnd(to, view, 'dst'), protocol, port });
      evaluations.set(cellKey(from, to), evaluation);
      effective.set(from, to, evaluation.effective.allowed);
      enforced.set(from, to, evaluation.enforced.allowed);
    }
  return { service, view, effective, enforced, evaluations };
}

function allowWord(allowed: boolean): string {
  return allowed ? 'allow' : 'deny';
}

function sideBySide(left: string[], right: string[], leftTitle: string, rightTitle: string): string[] {
  const width = Math.max(leftTitle.length, ...left.map((l) => l.length)) + 4;
  const lines = [`${leftTitle.padEnd(width)}${rightTitle}`];
  for (let i = 0; i < Math.max(left.length, right.length); i++) lines.push(`${(left[i] ?? '').padEnd(width)}${right[i] ?? ''}`);
  return lines;
}

/**
 * A readable account of where `actual` departs from `expected`, or undefined when they
 * agree: one line per differing pair (with the engine's reasons when evaluations are
 * given), then both tables side by side with the differing cells bracketed.
 */
export function mismatchReport(
  title: string,
  expected: TruthTable,
  actual: TruthTable,
  evaluations?: ReadonlyMap<string, FlowEvaluation>,
): string | undefined {
  const diffs = expected.diff(actual);
  if (diffs.length === 0) return undefined;
  const lines = [`${title}: ${diffs.length} of ${MODEL_PODS.length ** 2} pairs differ`];
  for (const d of diffs) {
    lines.push(`  ${d.from} -> ${d.to}: expected ${allowWord(d.expected)}, got ${allowWord(d.actual)}`);
    const evaluation = evaluations?.get(cellKey(d.from, d.to));
    if (!evaluation) continue;
    if (evaluation.verdicts.length === 0) lines.push('      (no policy selects either end)');
    for (const v of evaluation.verdicts) lines.push(`      ${v.direction} ${v.verdict}: ${v.reason}`);
    for (const note of evaluation.notes) lines.push(`      note: ${note}`);
  }
  const marked = new Set(diffs.map((d) => cellKey(d.from, d.to)));
  lines.push('', ...sideBySide(expected.render(), actual.render(marked), 'expected (rows from, columns to)', 'got ([ ] = differs)'));
  return lines.join('\n');
}

// ---- Scenarios ----

/** The namespaced kinds a scenario can be written in. */
export type ScenarioKind = Extract<PolicyKind, 'NetworkPolicy' | 'AuditNetworkPolicy'>;
export const SCENARIO_KINDS: readonly ScenarioKind[] = ['NetworkPolicy', 'AuditNetworkPolicy'];

export interface CheckOptions {
  /** Ways of naming flow ends to probe with; DEFAULT_VIEWS when omitted. */
  views?: readonly View[];
  /**
   * The expected `enforced` table. When omitted: the expected table if every live policy
   * is a NetworkPolicy, allow-all if none is; a mix must say.
   */
  enforced?: TruthTable;
}

/** One run of a scenario against a fresh model, with policies created as `kind`. */
export class Scenario {
  readonly state: ClusterState = buildModel();
  private checks = 0;

  constructor(readonly kind: ScenarioKind) {}

  private upsert(kind: PolicyKind, ref: string, spec: ClusterNetworkPolicySpec): this {
    const result = this.state.upsertPolicy(policyObject(kind, ref, spec));
    const errors = result.problems.filter((p) => p.severity === 'error');
    if (errors.length > 0) throw new Error(`${kind} ${ref} does not compile: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
    return this;
  }

  /** Creates or replaces policy "ns/name" as this run's kind (an upstream create or update). */
  apply(ref: `${ModelNamespace}/${string}`, spec: NetworkPolicySpec): this {
    return this.upsert(this.kind, ref, spec);
  }

  /** Creates or replaces a NetworkPolicy whatever this run's kind: for mixed scenarios. */
  applyEnforced(ref: `${ModelNamespace}/${string}`, spec: NetworkPolicySpec): this {
    return this.upsert('NetworkPolicy', ref, spec);
  }

  /** Creates or replaces an AuditClusterNetworkPolicy. */
  applyCluster(name: string, spec: ClusterNetworkPolicySpec): this {
    return this.upsert('AuditClusterNetworkPolicy', name, spec);
  }

  /** Deletes policy "ns/name" of this run's kind. */
  remove(ref: `${ModelNamespace}/${string}`): this {
    const [ns, name] = ref.split('/') as [string, string];
    this.state.deletePolicy(this.kind, ns, name);
    return this;
  }

  removeCluster(name: string): this {
    this.state.deletePolicy('AuditClusterNetworkPolicy', '', name);
    return this;
  }

  /** Sets a namespace's labels to the model's plus `extra` (so `{}` restores the model's). */
  relabelNamespace(ns: ModelNamespace, extra: Record<string, string>): this {
    this.state.upsertNamespace({ name: ns, labels: modelNamespaceLabels(ns, extra) });
    return this;
  }

  /** Replaces a pod's labels (pass `pod: <letter>` too to keep it). */
  relabelPod(ref: ModelPod, labels: Record<string, string>): this {
    this.state.upsertPod(modelPod(ref, labels));
    return this;
  }

  private defaultEnforced(expected: TruthTable): TruthTable {
    const live = this.state.listPolicies();
    if (live.every((p) => p.enforced)) return expected;
    if (live.every((p) => !p.enforced)) return TruthTable.allowAll();
    throw new Error('this scenario mixes enforced and audit policies: pass the expected enforced table');
  }

  /**
   * Probes one service and throws a readable report unless the engine matches `expected`
   * (with loopback allowed, as the engine always allows it) in every view.
   */
  check(service: Service, expected: TruthTable, options: CheckOptions = {}): this {
    this.checks++;
    const want = expected.clone().allowLoopback();
    const wantEnforced = (options.enforced ?? this.defaultEnforced(want)).clone().allowLoopback();
    const reports: string[] = [];
    for (const view of options.views ?? DEFAULT_VIEWS) {
      const got = probe(this.state, service, view);
      const title = `${this.kind} run, check #${this.checks}, ${service} via ${view}`;
      const effective = mismatchReport(`${title}, effective`, want, got.effective, got.evaluations);
      const sameAsEffective = want.diff(wantEnforced).length === 0 && got.effective.diff(got.enforced).length === 0;
      const enforced = mismatchReport(`${title}, enforced`, wantEnforced, got.enforced, got.evaluations);
      if (effective !== undefined) reports.push(sameAsEffective ? `${effective}\n(enforced differs in the same pairs)` : effective);
      if (enforced !== undefined && !(sameAsEffective && effective !== undefined)) reports.push(enforced);
    }
    if (reports.length > 0) throw new Error(`reachability mismatch\n\n${reports.join('\n\n')}`);
    return this;
  }

  /** `check` on every served protocol and port: for expectations that do not depend on them. */
  checkEvery(expected: TruthTable, options: CheckOptions = {}): this {
    for (const service of ALL_SERVICES) this.check(service, expected, options);
    return this;
  }
}

/** Runs a scenario body once per kind, each on a fresh model. */
export function runScenario(body: (s: Scenario) => void, kinds: readonly ScenarioKind[] = SCENARIO_KINDS): void {
  for (const kind of kinds) body(new Scenario(kind));
}
