/**
 * The JavaScript half of a replay page (replay-pages.ts has the SQL half): the read's owed groups
 * become the distinct flows the evaluator is asked about, and once judged, the verdict rows to
 * store and the flow rows to visit again. Pure functions: the counting rules stay testable
 * without a database.
 */
import type { ReplayPolicy } from '../../../contracts/replay.js';
import type { OwedGroup, PageTally, ReplayFlow, ReplayJudgement } from './replay-types.js';
import { endIdentity, type VerdictValues } from './verdict-insert.js';

/** Separates the parts of a key; ingest validation keeps it out of every part. */
const US = '\u001f';

/** The identity of a flow: what its evaluation depends on, apart from time. */
export function flowIdentity(f: Omit<ReplayFlow, 'key' | 'lastSeen' | 'judged'>): string {
  return [f.direction, f.src.ip, f.src.namespace, f.src.pod, f.dst.ip, f.dst.namespace, f.dst.pod, f.port, f.protocol].join(US);
}

/** The grouping key: the identity, plus the minute when an end has no stamped identity (null otherwise). */
export function flowKey(identity: string, minute: number | null): string {
  return minute === null ? identity : `${identity}${US}${minute}`;
}

/** One flow per key among the groups that owe something: owed counts summed, the latest lastSeen. */
export function distinctFlows(groups: readonly OwedGroup[]): ReplayFlow[] {
  const byKey = new Map<string, ReplayFlow>();
  for (const g of groups) {
    if (g.owed <= 0) continue;
    const seen = byKey.get(g.flow.key);
    if (seen === undefined) {
      byKey.set(g.flow.key, { ...g.flow, judged: g.owed });
      continue;
    }
    seen.judged += g.owed;
    if (g.flow.lastSeen > seen.lastSeen) seen.lastSeen = g.flow.lastSeen;
  }
  return [...byKey.values()];
}

/** A verdict row to store: groups of one flow identity, bucket and verdict merged. */
export interface ReplayVerdictRow {
  flowRef: number;
  observedAt: number;
  flow: ReplayFlow;
  /** Namespace and pod of each end: stamped, else resolved by the evaluator, else ''. */
  src: [string, string];
  dst: [string, string];
  verdict: string;
  reason: string;
  count: number;
  /** The connection state of the rows it sums. */
  state: string;
}

export interface Settled {
  rows: ReplayVerdictRow[];
  /** Flow row ids to visit again, ascending. */
  revisit: number[];
}

/**
 * Joins a tally to the judgements. A group whose flow has no judgement (the evaluator left it
 * unanswered) lists its owing rows for a later visit; a null judgement (the policy does not
 * concern the flow) stores nothing. Claimed rows, and rows stored under their own flow_id
 * (flowRef), are visited again.
 */
export function settle(tally: PageTally, judgements: readonly ReplayJudgement[]): Settled {
  const known = new Map(judgements.map((j) => [j.key, j]));
  const revisit = new Set<number>(tally.claimed);
  const rows = new Map<string, ReplayVerdictRow>();
  for (const g of tally.groups) {
    if (g.flowRef !== 0) revisit.add(g.flowRef);
    if (g.owed <= 0) continue;
    const j = known.get(g.flow.key);
    if (j === undefined) {
      for (const id of g.owingIds.split(',')) revisit.add(Number(id));
      continue;
    }
    const v = j.verdict;
    if (v === null) continue;
    const src = endIdentity(g.flow.src, j.resolved?.src);
    const dst = endIdentity(g.flow.dst, j.resolved?.dst);
    // Minutes of an unstamped end merge only while the same pod held its address.
    const k = [g.flowRef, g.slot, g.identity, g.state, ...src, ...dst, v.verdict, v.reason].join(US);
    const row = rows.get(k);
    if (row === undefined) {
      rows.set(k, { flowRef: g.flowRef, observedAt: g.lastSeen, flow: g.flow, src, dst, verdict: v.verdict, reason: v.reason, count: g.owed, state: g.state });
      continue;
    }
    row.count += g.owed;
    row.observedAt = Math.max(row.observedAt, g.lastSeen);
  }
  return { rows: [...rows.values()], revisit: [...revisit].sort((a, b) => a - b) };
}

export function verdictValues(r: ReplayVerdictRow, p: ReplayPolicy, now: Date): VerdictValues {
  const f = r.flow;
  return [new Date(r.observedAt), now, r.flowRef, p.uid, p.kind, p.namespace, p.name, p.generation, f.direction, r.verdict,
    ...r.src, f.src.ip, ...r.dst, f.dst.ip, f.port, f.protocol, r.reason, r.count, r.state];
}
