/**
 * Judges one recorded flow the way the cluster saw it when it happened. Before the engine runs:
 * - an end the agent stamped with namespace and pod keeps that identity;
 * - otherwise its IP is resolved to the pod that owned it at the flow's time (IP history), or
 *   marked as owned by no pod then;
 * - a destination that is a Service ClusterIP and port becomes its backend pod and target
 *   port; with several ready backends and no stamp, the flow is judged against each and the
 *   results merged (backend-merge.ts), saying so.
 * Answers are memoised per resolved flow, from its second sighting (sightings.ts), until the
 * cluster state or the Services change.
 */
import type { EvaluateItem } from '../../../contracts/evaluate.js';
import { mergeBackends, backendLabel } from './backend-merge.js';
import type { ClusterIndex } from './cluster-index.js';
import {
  canonicalIp,
  evaluateFlow,
  evaluateResolved,
  GenerationalMemo,
  type EvaluateOptions,
  type Flow,
  type FlowEndpoint,
  type FlowEvaluation,
  type NamedEnd,
  type Protocol,
  type ResolvedEndpoint,
} from './engine.js';
import { ownerIn, type OwnerAt, type Ownership } from './ip-history.js';
import { observedTime } from './observed-time.js';
import type { ServiceTarget } from './service-index.js';
import type { Judgement } from './model-types.js';
import { Sightings } from './sightings.js';

const MAX_MEMO_KEYS = 4096;
/**
 * Reasons for audit verdicts only: a NetworkPolicy's verdict feeds the enforcement prediction,
 * which names policies but quotes no sentence (contracts/evaluate-answer.ts).
 */
const ENGINE = { reasons: 'audit' } as const;
/** A flow seen once answers for its observed direction and is not kept: the other lists nothing. */
const ONE_DIRECTION = { Egress: { reasons: 'audit', direction: 'Egress' }, Ingress: { reasons: 'audit', direction: 'Ingress' } } as const;
/**
 * Distinct flow ends numbered at once (2^17): a memo key is the number
 * ((src * MAX_ENDS + dst) * 4 + protocol) * 65536 + port, below 2^52, so exact in a double.
 */
const MAX_ENDS = 131_072;

function protocolIndex(p: Protocol): number {
  return p === 'TCP' ? 0 : p === 'UDP' ? 1 : p === 'SCTP' ? 2 : -1;
}

/** A flow end as judged, numbered: one object per distinct (ip, namespace, pod). */
interface NumberedEnd {
  end: FlowEndpoint;
  id: number;
  /**
   * The end as the engine identifies it, kept while the cluster state's version is `version`:
   * a new flow from or to a known end skips the lookups. Only for an end with a valid address,
   * whose identification does not depend on the other end (an end named by pod alone borrows
   * the other end's address family).
   */
  resolved: ResolvedEndpoint | undefined;
  version: number;
  keepsResolution: boolean;
}

/**
 * What the judge keeps per address text it resolved through IP history: the address's spans as
 * of a history version (re-read when the history changes), and the numbered end for each owner
 * met, for no owner, and for an address no pod ever held. One map lookup names a flow end.
 */
interface AddressEnds {
  historyVersion: number;
  spans: readonly Ownership[] | undefined;
  /**
   * The usual case, one pod holding the address since `heldSince` and still: a flow from then
   * on (less the clock skew allowed) is that pod's, without reading the spans. NaN otherwise.
   */
  heldSince: number;
  holder: NumberedEnd | undefined;
  /** Owners met, and their numbered ends at the same index (usually one: an address is rarely reused). */
  owners: Ownership[];
  owned: NumberedEnd[];
  unowned: NumberedEnd | undefined;
  unrecorded: NumberedEnd | undefined;
}

function boundedMemo<V>(compute: (k: string) => V): (k: string) => V {
  const memo = new Map<string, V>();
  return (k) => {
    const hit = memo.get(k);
    if (hit !== undefined || memo.has(k)) return hit as V;
    const v = compute(k);
    if (memo.size >= MAX_MEMO_KEYS) memo.clear();
    memo.set(k, v);
    return v;
  };
}

// IPv6 text has many spellings of one address.
const ipv6Key = boundedMemo((s) => canonicalIp(s) ?? s);

function ipKey(ip: string): string {
  return ip.includes(':') ? ipv6Key(ip) : ip;
}

function isStamped(end: NamedEnd): end is NamedEnd & { namespace: string; pod: string } {
  return end.namespace !== undefined && end.pod !== undefined;
}

/**
 * The engine's end for an address, by what IP history says of it at the flow's time: the pod
 * that held it; no pod (null), an UnownedAddress that the engine judges by its address alone,
 * whoever holds it now; nothing recorded (undefined), the address as given, which the engine
 * looks up in the cluster as it is now (a node, an external address, a Service).
 */
function endAt(ip: string, owner: OwnerAt): FlowEndpoint {
  if (owner === undefined) return { ip };
  if (owner === null) return { kind: 'unowned', ip };
  return { ip, namespace: owner.namespace, pod: owner.pod };
}

export class FlowJudge {
  /**
   * Memo keys are numbers made of the two ends' numbers, the protocol and the port, not text: a
   * text key is built, flattened and hashed for every flow, which cost more than everything
   * else a repeated flow needs. An end resolved through IP history is numbered once per owner
   * (kept with the owner), any other end once per distinct (ip, namespace, pod) text.
   */
  private readonly memo: GenerationalMemo<number, Judgement>;
  /** A flow enters the memo on its second sighting: one seen once is judged and let go. */
  private readonly sightings = new Sightings();
  private ends = new Map<string, NumberedEnd>();
  private addresses = new Map<string, AddressEnds>();
  private stateVersion = -1;
  private servicesVersion = -1;
  /** Flows judged without the memo: seen once, or their port or protocol is not one a key can hold. */
  private unmemoised = 0;

  constructor(
    private readonly index: ClusterIndex,
    capacity = 100_000,
    /** Ends numbered before all are renumbered (tests lower it); at most MAX_ENDS. */
    private readonly maxEnds = MAX_ENDS,
  ) {
    this.memo = new GenerationalMemo(capacity);
  }

  get hits(): number {
    return this.memo.hits;
  }

  get misses(): number {
    return this.memo.misses + this.unmemoised;
  }

  size(): number {
    return this.memo.size();
  }

  judge(item: EvaluateItem): FlowEvaluation {
    return this.judgement(item).evaluation;
  }

  /**
   * The flow's evaluation with room for its encoded answers, memoised together. With
   * `observedOnly`, a flow seen once (not kept) lists only the verdicts of the item's direction:
   * what its answer holds (contracts/evaluate-answer.ts); a kept one lists both, for the other end's
   * observation.
   */
  judgement(item: EvaluateItem, observedOnly = false): Judgement {
    const { state, services } = this.index;
    if (state.version !== this.stateVersion || services.version !== this.servicesVersion) {
      this.memo.clear();
      this.stateVersion = state.version;
      this.servicesVersion = services.version;
    }
    // A judgement numbers at most four ends (each end: its address's holder and the end itself);
    // renumbering between them would mix numberings.
    if (this.ends.size > Math.min(this.maxEnds, MAX_ENDS) - 4) this.renumber();
    const at = observedTime(item.observedAt);
    const f = item.flow;
    const src = this.identify(f.src, at);
    const dst = this.identify(f.dst, at);
    const protocol = protocolIndex(f.protocol);
    // Anything else is refused by the route's validation; judged here all the same, just not memoised.
    const memoised = protocol >= 0 && Number.isInteger(f.port) && f.port >= 0 && f.port < 65_536;
    const key = memoised ? ((src.id * MAX_ENDS + dst.id) * 4 + protocol) * 65_536 + f.port : -1;
    const kept = memoised && this.sightings.seenBefore(key);
    if (kept) {
      const cached = this.memo.get(key);
      if (cached) return cached;
    } else {
      this.unmemoised++;
    }
    const flow: Flow = { src: src.end, dst: dst.end, protocol: f.protocol, port: f.port };
    const evaluation = this.compute(flow, at, { src, dst }, !kept && observedOnly ? ONE_DIRECTION[item.direction] : ENGINE);
    if (!kept) return { evaluation, answers: undefined };
    const result: Judgement = { evaluation, answers: [undefined, undefined, undefined, undefined] };
    this.memo.set(key, result);
    return result;
  }

  /** Forgets every end's number, and so every memoised answer (keys are made of numbers). */
  private renumber(): void {
    this.ends = new Map();
    this.addresses = new Map();
    this.memo.clear();
  }

  /**
   * The one numbered end for this (ip, namespace, pod), its name copied: a request's end may hold
   * members a newer broker sends, which the engine must not see.
   */
  private numbered(ip: string | undefined, namespace: string | undefined, pod: string | undefined): NumberedEnd {
    const text = `${ip ?? ''}|${namespace ?? ''}/${pod ?? ''}`;
    const hit = this.ends.get(text);
    if (hit !== undefined) return hit;
    const end: NamedEnd = {};
    if (ip !== undefined) end.ip = ip;
    if (namespace !== undefined) end.namespace = namespace;
    if (pod !== undefined) end.pod = pod;
    return this.number(text, end);
  }

  /** The one numbered end for `ip` owned by no pod at the flow's time. */
  private numberedUnowned(ip: string): NumberedEnd {
    // '|' alone: a namespace or pod name never holds it, so this text is never a named end's.
    const text = `${ip}|`;
    return this.ends.get(text) ?? this.number(text, endAt(ip, null));
  }

  private number(text: string, end: FlowEndpoint): NumberedEnd {
    const n: NumberedEnd = { end, id: this.ends.size, resolved: undefined, version: -1, keepsResolution: end.ip !== undefined && canonicalIp(end.ip) !== undefined };
    this.ends.set(text, n);
    return n;
  }

  /**
   * A request's end as the engine judges it: a stamped end (or one named by its pod alone) as
   * given, any other through IP history at the flow's time, where "no pod then" is an UnownedAddress.
   */
  private identify(end: NamedEnd, at: number): NumberedEnd {
    if (end.ip === undefined || isStamped(end)) return this.numbered(end.ip, end.namespace, end.pod);
    const { history } = this.index;
    const ip = end.ip;
    let a = this.addresses.get(ip);
    if (a === undefined) {
      a = { historyVersion: -1, spans: undefined, heldSince: NaN, holder: undefined, owners: [], owned: [], unowned: undefined, unrecorded: undefined };
      this.addresses.set(ip, a);
    }
    if (a.historyVersion !== history.version) this.reread(a, ip);
    // ownerIn's answer for one open span: its owner from `from` on, and `skew` before it.
    if (at >= a.heldSince && a.holder !== undefined) return a.holder;
    const owner = ownerIn(a.spans, at, history.skew);
    if (owner === undefined) return (a.unrecorded ??= this.numbered(ip, undefined, undefined));
    if (owner === null) return (a.unowned ??= this.numberedUnowned(ip));
    // The same flow end comes back all day: keep its numbered end with the owner.
    return this.ownedEnd(a, ip, owner);
  }

  /** An address's spans as the IP history holds them now, and its one open owner's end, if so. */
  private reread(a: AddressEnds, ip: string): void {
    const { history } = this.index;
    const spans = history.spansOf(ipKey(ip));
    a.spans = spans;
    a.historyVersion = history.version;
    const only = spans?.length === 1 ? spans[0] : undefined;
    if (only !== undefined && only.until === undefined) {
      a.heldSince = only.from - history.skew;
      a.holder = this.ownedEnd(a, ip, only);
    } else {
      a.heldSince = NaN;
      a.holder = undefined;
    }
  }

  /** The numbered end of an address's owner, kept with the address. */
  private ownedEnd(a: AddressEnds, ip: string, owner: Ownership): NumberedEnd {
    const i = a.owners.indexOf(owner);
    if (i >= 0) return a.owned[i] as NumberedEnd;
    const n = this.numbered(ip, owner.namespace, owner.pod);
    a.owners.push(owner);
    a.owned.push(n);
    return n;
  }

  /** An address resolved through IP history (a Service backend without a pod), not numbered. */
  private resolved(ip: string, at: number): FlowEndpoint {
    return endAt(ip, this.index.history.ownerAt(ipKey(ip), at));
  }

  private compute(flow: Flow, at: number, ends: { src: NumberedEnd; dst: NumberedEnd }, options: EvaluateOptions): FlowEvaluation {
    const address = flow.dst.ip === undefined ? undefined : ipKey(flow.dst.ip);
    const target = address === undefined ? undefined : this.index.services.lookup(address, flow.protocol, flow.port);
    if (target && address !== undefined) return this.toService(flow, target, address, at);
    if (!ends.src.keepsResolution || !ends.dst.keepsResolution) return evaluateFlow(this.index.state, flow, options);
    return evaluateResolved({ src: this.resolution(ends.src), dst: this.resolution(ends.dst) }, flow, options);
  }

  /** The engine's identification of an end with a valid address, kept until the cluster state changes. */
  private resolution(n: NumberedEnd): ResolvedEndpoint {
    const { state } = this.index;
    if (n.resolved === undefined || n.version !== state.version) {
      n.resolved = state.resolve(n.end, undefined);
      n.version = state.version;
    }
    return n.resolved;
  }

  private toService(flow: Flow, target: ServiceTarget, address: string, at: number): FlowEvaluation {
    const where = `${address}:${flow.port}/${flow.protocol}`;
    const { backends } = target;
    const seen = flow.dst;
    if (seen.kind !== 'unowned' && isStamped(seen)) {
      // The agent saw which pod answered: judge that one, on its target port when it is a backend.
      const b = backends.find((x) => x.pod?.namespace === seen.namespace && x.pod?.pod === seen.pod);
      const judged = b ? { ...flow, dst: { ...seen, ip: b.ip }, port: b.port } : flow;
      const e = evaluateFlow(this.index.state, judged, ENGINE);
      const note = b
        ? `destination ${where} is Service ${target.service}; judged as the backend the agent saw, ${backendLabel(b)}`
        : `destination ${where} is Service ${target.service}, but the pod the agent saw is not one of its ready backends; judged as that pod on port ${flow.port}`;
      return { ...e, notes: [...e.notes, note] };
    }
    if (backends.length === 0) {
      const e = evaluateFlow(this.index.state, flow, ENGINE);
      return { ...e, notes: [...e.notes, `destination ${where} is Service ${target.service}, which has no ready backend; judged as the Service address itself`] };
    }
    const evaluations = backends.map((backend) => {
      const dst = backend.pod ? { ip: backend.ip, namespace: backend.pod.namespace, pod: backend.pod.pod } : this.resolved(backend.ip, at);
      return { backend, evaluation: evaluateFlow(this.index.state, { ...flow, dst, port: backend.port }, ENGINE) };
    });
    const [only] = evaluations;
    if (evaluations.length === 1 && only) {
      const e = only.evaluation;
      return { ...e, notes: [...e.notes, `destination ${where} is Service ${target.service}; judged as its one ready backend, ${backendLabel(only.backend)}`] };
    }
    return mergeBackends(target, address, evaluations);
  }
}
