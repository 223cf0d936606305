/**
 * Judges one recorded flow the way the cluster saw it when it happened. Before the engine runs:
 * - an end the agent stamped with namespace and pod keeps that identity;
 * - otherwise its IP is resolved to the pod that owned it at the flow's time (IP history), or
 *   marked as owned by no pod then;
 * - a destination that is a Service ClusterIP and port becomes its backend pod and target
 *   port; with several ready backends and no stamp, the flow is judged against each and the
 *   results merged (backend-merge.ts), saying so.
 * Answers are memoised per resolved flow until the cluster state or the Services change.
 */
import type { EvaluateItem } from '../../broker/evaluator-client.js';
import { mergeBackends, backendLabel } from './backend-merge.js';
import type { ClusterIndex } from './cluster-index.js';
import { canonicalIp, evaluateFlow, flowKey, type Flow, type FlowEndpoint, type FlowEvaluation } from './engine.js';
import type { Ownership } from './ip-history.js';
import type { ServiceTarget } from './service-index.js';

/** Namespace of the stand-in pod for "no pod owned this IP then"; not a valid namespace name, so never real. */
const UNOWNED = '~unowned~';
const MAX_MEMO_KEYS = 4096;

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

// Flows of one flush share timestamps; IPv6 text has many spellings of one address.
const timeOf = boundedMemo((s) => Date.parse(s));
const ipv6Key = boundedMemo((s) => canonicalIp(s) ?? s);

function ipKey(ip: string): string {
  return ip.includes(':') ? ipv6Key(ip) : ip;
}

function isStamped(end: FlowEndpoint): boolean {
  return end.namespace !== undefined && end.pod !== undefined;
}

/** The engine calls an unknown stamped pod "pod NS/NAME is not known": say what it really means. */
function explainUnowned(e: FlowEvaluation, ips: readonly string[]): FlowEvaluation {
  const fix = (text: string): string => {
    let out = text;
    for (const ip of ips) out = out.replaceAll(`pod ${UNOWNED}/${ip} is not known`, `${ip} was owned by no known pod at the flow's time`);
    return out;
  };
  return { ...e, verdicts: e.verdicts.map((v) => ({ ...v, reason: fix(v.reason) })), notes: e.notes.map(fix) };
}

export class FlowJudge {
  /**
   * Two generations instead of one Map with oldest-first eviction: deleting a Map's first key
   * over and over leaves holes V8 rescans on every `keys().next()`, which made a full memo
   * quadratic. A hit in the old generation is carried into the young one.
   */
  private young = new Map<string, FlowEvaluation>();
  private old = new Map<string, FlowEvaluation>();
  private readonly stamped = new WeakMap<Ownership, FlowEndpoint>();
  private stateVersion = -1;
  private servicesVersion = -1;
  hits = 0;
  misses = 0;

  constructor(
    private readonly index: ClusterIndex,
    private readonly capacity = 100_000,
  ) {}

  size(): number {
    return this.young.size + this.old.size;
  }

  private remember(key: string, e: FlowEvaluation): void {
    if (this.young.size >= this.capacity / 2) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, e);
  }

  judge(item: EvaluateItem): FlowEvaluation {
    const { state, services } = this.index;
    if (state.version !== this.stateVersion || services.version !== this.servicesVersion) {
      this.young = new Map();
      this.old = new Map();
      this.stateVersion = state.version;
      this.servicesVersion = services.version;
    }
    const at = timeOf(item.observedAt);
    const f = item.flow;
    const src = this.identify(f.src, at);
    const dst = this.identify(f.dst, at);
    const flow: Flow = src === f.src && dst === f.dst ? f : { src, dst, protocol: f.protocol, port: f.port };
    const key = flowKey(flow);
    const cached = this.young.get(key);
    if (cached) {
      this.hits++;
      return cached;
    }
    const older = this.old.get(key);
    if (older) {
      this.hits++;
      this.remember(key, older);
      return older;
    }
    this.misses++;
    let result = this.compute(flow, at);
    const unowned = [src, dst].filter((e) => e.namespace === UNOWNED).map((e) => e.pod ?? '');
    if (unowned.length > 0) result = explainUnowned(result, unowned);
    this.remember(key, result);
    return result;
  }

  /** An unstamped end resolved through IP history; the same object when nothing changes. */
  private identify(end: FlowEndpoint, at: number): FlowEndpoint {
    if (end.ip === undefined || isStamped(end)) return end;
    const ip = ipKey(end.ip);
    const owner = this.index.history.ownerAt(ip, at);
    if (owner === undefined) return end;
    if (owner === null) return { ip: end.ip, namespace: UNOWNED, pod: ip };
    // The same flow end comes back all day: reuse one endpoint object per owner and spelling.
    let stamped = this.stamped.get(owner);
    if (stamped?.ip !== end.ip) {
      stamped = { ip: end.ip, namespace: owner.namespace, pod: owner.pod };
      this.stamped.set(owner, stamped);
    }
    return stamped;
  }

  private compute(flow: Flow, at: number): FlowEvaluation {
    const address = flow.dst.ip === undefined ? undefined : ipKey(flow.dst.ip);
    const target = address === undefined ? undefined : this.index.services.lookup(address, flow.protocol, flow.port);
    if (!target || address === undefined) return evaluateFlow(this.index.state, flow);
    return this.toService(flow, target, address, at);
  }

  private toService(flow: Flow, target: ServiceTarget, address: string, at: number): FlowEvaluation {
    const where = `${address}:${flow.port}/${flow.protocol}`;
    const { backends } = target;
    if (isStamped(flow.dst)) {
      // The agent saw which pod answered: judge that one, on its target port when it is a backend.
      const b = backends.find((x) => x.pod?.namespace === flow.dst.namespace && x.pod?.pod === flow.dst.pod);
      const judged = b ? { ...flow, dst: { ...flow.dst, ip: b.ip }, port: b.port } : flow;
      const e = evaluateFlow(this.index.state, judged);
      const note = b
        ? `destination ${where} is Service ${target.service}; judged as the backend the agent saw, ${backendLabel(b)}`
        : `destination ${where} is Service ${target.service}, but the pod the agent saw is not one of its ready backends; judged as that pod on port ${flow.port}`;
      return { ...e, notes: [...e.notes, note] };
    }
    if (backends.length === 0) {
      const e = evaluateFlow(this.index.state, flow);
      return { ...e, notes: [...e.notes, `destination ${where} is Service ${target.service}, which has no ready backend; judged as the Service address itself`] };
    }
    const evaluations = backends.map((backend) => {
      const dst = backend.pod ? { ip: backend.ip, namespace: backend.pod.namespace, pod: backend.pod.pod } : this.identify({ ip: backend.ip }, at);
      return { backend, evaluation: evaluateFlow(this.index.state, { ...flow, dst, port: backend.port }) };
    });
    const [only] = evaluations;
    if (evaluations.length === 1 && only) {
      const e = only.evaluation;
      return { ...e, notes: [...e.notes, `destination ${where} is Service ${target.service}; judged as its one ready backend, ${backendLabel(only.backend)}`] };
    }
    return mergeBackends(target, address, evaluations);
  }
}
