/**
 * The grouped view's arithmetic: verdicts folded into (source workload -> destination
 * workload:port/protocol) groups, each with its observation counts and a time histogram over the
 * rows' whole time range. A workload is a pod name without the suffixes its controller adds
 * (ReplicaSet hash and pod hash, or a StatefulSet ordinal); an end without a pod is its IP.
 */
import type { StoredVerdict } from '../../../../contracts/web-view.js';
import { podOf } from '../../../../contracts/flow-end-label.js';

export const HISTOGRAM_BUCKETS = 24;

export interface Group {
  key: string;
  src: string;
  dst: string;
  port: number;
  protocol: string;
  wouldDeny: number;
  allow: number;
  first: number;
  last: number;
  histogram: number[];
}

export function workload(pod: string): string {
  const deployment = /^(.+)-[a-f0-9]{6,10}-[a-z0-9]{5}$/.exec(pod);
  if (deployment?.[1]) return deployment[1];
  const ordinal = /^(.+)-\d+$/.exec(pod);
  if (ordinal?.[1]) return ordinal[1];
  const single = /^(.+)-[a-z0-9]{5}$/.exec(pod);
  return single?.[1] ?? pod;
}

export function workloadOf(e: StoredVerdict['src']): string {
  const pod = podOf(e);
  return pod ? `${pod.namespace}/${workload(pod.pod)}` : e.ip;
}

export function groupVerdicts(rows: readonly StoredVerdict[]): Group[] {
  const groups = new Map<string, Group & { times: [number, number][] }>();
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of rows) {
    const t = Date.parse(v.observedAt);
    lo = Math.min(lo, t);
    hi = Math.max(hi, t);
    const src = workloadOf(v.src);
    const dst = workloadOf(v.dst);
    const key = `${src}\u0000${dst}\u0000${v.port}\u0000${v.protocol}`;
    let g = groups.get(key);
    if (!g) {
      g = { key, src, dst, port: v.port, protocol: v.protocol, wouldDeny: 0, allow: 0, first: t, last: t, histogram: [], times: [] };
      groups.set(key, g);
    }
    if (v.verdict === 'WouldDeny') g.wouldDeny += v.count;
    else g.allow += v.count;
    g.first = Math.min(g.first, t);
    g.last = Math.max(g.last, t);
    g.times.push([t, v.count]);
  }
  const span = Math.max(1, hi - lo);
  const out: Group[] = [];
  for (const { times, ...g } of groups.values()) {
    const histogram = new Array<number>(HISTOGRAM_BUCKETS).fill(0);
    for (const [t, n] of times) {
      const b = Math.min(HISTOGRAM_BUCKETS - 1, Math.floor(((t - lo) / span) * HISTOGRAM_BUCKETS));
      histogram[b] = (histogram[b] ?? 0) + n;
    }
    out.push({ ...g, histogram });
  }
  return out.sort((a, b) => b.wouldDeny - a.wouldDeny || b.allow - a.allow || a.key.localeCompare(b.key));
}

export interface Edge {
  src: string;
  dst: string;
  /** WouldDeny when any observation on the edge would be denied. */
  verdict: 'WouldDeny' | 'Allow';
  count: number;
}

/** The flow map's edges: one per (source workload, destination workload). */
export function edges(rows: readonly StoredVerdict[]): Edge[] {
  const m = new Map<string, Edge>();
  for (const v of rows) {
    const src = workloadOf(v.src);
    const dst = workloadOf(v.dst);
    const key = `${src}\u0000${dst}`;
    const e = m.get(key) ?? { src, dst, verdict: 'Allow', count: 0 };
    if (v.verdict === 'WouldDeny') e.verdict = 'WouldDeny';
    e.count += v.count;
    m.set(key, e);
  }
  return [...m.values()].sort((a, b) => a.src.localeCompare(b.src) || a.dst.localeCompare(b.dst));
}
