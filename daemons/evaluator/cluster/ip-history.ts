/**
 * Who owned a pod IP when. Pod IPs are reused: a flow recorded an hour ago to 10.244.1.7 went
 * to the pod that held that address then, not to the one holding it now. Each ownership is a
 * span [from, until) per (IP, pod uid); a flow's time picks the span that covers it, and when
 * two overlap (our delete event arrived after the new pod's creation) the newer owner wins,
 * because the API server never hands out an address before its old pod is gone.
 */

export interface Ownership {
  /** "namespace/name". */
  podKey: string;
  namespace: string;
  pod: string;
  uid: string;
  /** Milliseconds since the epoch. */
  from: number;
  /** Undefined while the pod still holds the address. */
  until: number | undefined;
}

/**
 * The owner at a time: an Ownership; `null` when pods held the address but none at that time;
 * `undefined` when no pod ever did (a node, an external address, a Service: the engine decides).
 * No wrapper object: this runs twice per flow.
 */
export type OwnerAt = Ownership | null | undefined;

/**
 * The owner of an address at a time, from its spans sorted by `from` (IpHistory.spansOf): see
 * OwnerAt. Apart from the map lookup, so a caller that keeps an address's spans while the history's
 * version holds skips the lookup.
 */
export function ownerIn(list: readonly Ownership[] | undefined, at: number, skewMs: number): OwnerAt {
  if (!list || list.length === 0) return undefined;
  // Sorted by `from`: the last span covering `at` is the newest owner.
  for (let i = list.length - 1; i >= 0; i--) {
    const o = list[i] as Ownership;
    if (o.from <= at && (o.until === undefined || at < o.until)) return o;
  }
  // A flow stamped just before its pod's creation (clock skew) belongs to the first later owner.
  for (const o of list) if (o.from > at && o.from - at <= skewMs) return o;
  return null;
}

export class IpHistory {
  private readonly byIp = new Map<string, Ownership[]>();
  private readonly byUid = new Map<string, Set<string>>();
  private spans = 0;
  /** Changes with every span claimed, ended or forgotten: what spansOf returned before may be stale. */
  version = 0;

  /** @param skewMs how far before a pod's creation a flow may be stamped and still be its (agent clocks drift). */
  constructor(private readonly skewMs = 5_000) {}

  /** Records that a pod holds `ip` since `from`; holding it already is not a change. */
  claim(ip: string, podKey: string, uid: string, from: number): void {
    let list = this.byIp.get(ip);
    if (!list) this.byIp.set(ip, (list = []));
    if (list.some((o) => o.uid === uid && o.until === undefined)) return;
    const slash = podKey.indexOf('/');
    list.push({ podKey, namespace: podKey.slice(0, slash), pod: podKey.slice(slash + 1), uid, from, until: undefined });
    list.sort((a, b) => a.from - b.from);
    this.version++;
    let ips = this.byUid.get(uid);
    if (!ips) this.byUid.set(uid, (ips = new Set()));
    ips.add(ip);
    this.spans++;
  }

  /** Ends the pod's hold on every address it holds except `keep`. */
  release(uid: string, at: number, keep: ReadonlySet<string> = new Set()): void {
    for (const ip of this.byUid.get(uid) ?? []) {
      if (keep.has(ip)) continue;
      for (const o of this.byIp.get(ip) ?? []) {
        if (o.uid !== uid || o.until !== undefined) continue;
        o.until = Math.max(at, o.from);
        this.version++;
      }
    }
  }

  ownerAt(ip: string, at: number): OwnerAt {
    return ownerIn(this.byIp.get(ip), at, this.skewMs);
  }

  /** The spans of an address, sorted by `from`, as held now (read-only; valid while `version` holds). */
  spansOf(ip: string): readonly Ownership[] | undefined {
    return this.byIp.get(ip);
  }

  /** How far before a pod's creation a flow may be stamped and still be its. */
  get skew(): number {
    return this.skewMs;
  }

  /** Forgets spans that ended before `before`; returns how many. */
  prune(before: number): number {
    let removed = 0;
    for (const [ip, list] of this.byIp) {
      const kept = list.filter((o) => o.until === undefined || o.until >= before);
      if (kept.length === list.length) continue;
      removed += list.length - kept.length;
      for (const o of list) if (!kept.includes(o)) this.forgetUid(o.uid, ip);
      if (kept.length === 0) this.byIp.delete(ip);
      else this.byIp.set(ip, kept);
    }
    this.spans -= removed;
    if (removed > 0) this.version++;
    return removed;
  }

  private forgetUid(uid: string, ip: string): void {
    const ips = this.byUid.get(uid);
    if (!ips) return;
    ips.delete(ip);
    if (ips.size === 0) this.byUid.delete(uid);
  }

  /** Number of ownership spans held. */
  size(): number {
    return this.spans;
  }
}
