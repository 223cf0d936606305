import { describe, expect, it } from 'vitest';
import { distinctFlows, flowIdentity, flowKey, settle } from './replay-tally.js';
import type { OwedGroup, ReplayJudgement } from './replay-types.js';

const ends = (port: number, stamped = true) => ({
  direction: 'Egress' as const,
  src: { ip: '10.0.0.1', namespace: stamped ? 'shop' : '', pod: stamped ? 'web' : '' },
  dst: { ip: '10.0.0.2', namespace: 'shop', pod: 'db' },
  port,
  protocol: 'TCP' as const,
});

/** A group of `owed` observations of the flow to `port`, in the 10-minute slot `slot`, last seen at `t` ms. */
function group(port: number, owed: number, over: Partial<OwedGroup> & { minute?: number; t?: number } = {}): OwedGroup {
  const e = ends(port, over.minute === undefined);
  const identity = flowIdentity(e);
  const t = over.t ?? 1000;
  return {
    flowRef: 0, slot: 0, identity, lastSeen: t, owed, owingIds: String(port), state: 'established',
    flow: { ...e, key: flowKey(identity, over.minute ?? null), lastSeen: new Date(t).toISOString(), judged: owed },
    ...over,
  };
}

const deny = (g: OwedGroup, reason = 'no rule'): ReplayJudgement => ({ key: g.flow.key, verdict: { verdict: 'WouldDeny', reason } });

describe('distinctFlows', () => {
  it('asks once per key, summing what every group of it owes and keeping the latest time; groups owing nothing are not asked', () => {
    const flows = distinctFlows([group(80, 2, { t: 5000 }), group(80, 3, { slot: 600_000, t: 9000 }), group(81, 0, { flowRef: 7 }), group(82, 1, { minute: 60_000 })]);
    expect(flows.map((f) => [f.port, f.judged, f.lastSeen])).toEqual([[80, 5, new Date(9000).toISOString()], [82, 1, new Date(1000).toISOString()]]);
  });
});

describe('settle', () => {
  const table: { name: string; groups: OwedGroup[]; claimed?: number[]; judge: (g: OwedGroup[]) => ReplayJudgement[]; rows: [number, number, string, number][]; revisit: number[] }[] = [
    {
      name: 'one verdict row per flow, bucket and verdict, counts summed',
      groups: [group(80, 2, { t: 5000 }), group(81, 4)],
      judge: (g) => g.map((x) => deny(x)),
      rows: [[80, 2, 'WouldDeny', 5000], [81, 4, 'WouldDeny', 1000]],
      revisit: [],
    },
    {
      name: 'minutes of an unstamped flow are judged apart but stored together when their verdicts agree',
      groups: [group(80, 1, { minute: 0, t: 100 }), group(80, 2, { minute: 60_000, t: 61_000 }), group(80, 5, { minute: 120_000 })],
      judge: (g) => [deny(g[0]!), deny(g[1]!), { key: g[2]!.flow.key, verdict: { verdict: 'Allow', reason: 'rule 0' } }],
      rows: [[80, 3, 'WouldDeny', 61_000], [80, 5, 'Allow', 1000]],
      revisit: [],
    },
    {
      name: 'different buckets and different reasons make different rows',
      groups: [group(80, 1), group(80, 1, { slot: 600_000 }), group(81, 1)],
      judge: (g) => [deny(g[0]!), deny(g[1]!), deny(g[2]!, 'other')],
      rows: [[80, 1, 'WouldDeny', 1000], [80, 1, 'WouldDeny', 1000], [81, 1, 'WouldDeny', 1000]],
      revisit: [],
    },
    {
      name: 'a flow left unjudged stores nothing and lists its owing rows',
      groups: [group(80, 2, { owingIds: '11,12' }), group(81, 1)],
      judge: (g) => [deny(g[1]!)],
      rows: [[81, 1, 'WouldDeny', 1000]],
      revisit: [11, 12],
    },
    {
      name: 'a flow the policy does not concern stores nothing and is not visited again',
      groups: [group(80, 2)],
      judge: (g) => [{ key: g[0]!.flow.key, verdict: null }],
      rows: [],
      revisit: [],
    },
    {
      name: 'claimed rows and rows stored under their own id are visited again, in id order',
      groups: [group(80, 2, { flowRef: 30 }), group(81, 0, { flowRef: 20, owingIds: '' })],
      claimed: [25, 5],
      judge: (g) => [deny(g[0]!)],
      rows: [[80, 2, 'WouldDeny', 1000]],
      revisit: [5, 20, 25, 30],
    },
  ];
  it.each(table)('$name', ({ groups, claimed, judge, rows, revisit }) => {
    const out = settle({ groups, claimed: claimed ?? [] }, judge(groups));
    expect(out.rows.map((r) => [r.flow.port, r.count, r.verdict, r.observedAt])).toEqual(rows);
    expect(out.revisit).toEqual(revisit);
  });

  it('names an unstamped end after the pod the evaluator resolved; minutes resolved to different pods stay apart', () => {
    const [a, b, c] = [group(80, 1, { minute: 0 }), group(80, 2, { minute: 60_000 }), group(80, 4, { minute: 120_000 })];
    const as = (g: OwedGroup, pod: string | null): ReplayJudgement =>
      ({ ...deny(g), resolved: { src: pod === null ? null : { namespace: 'shop', pod }, dst: { namespace: 'x', pod: 'ignored' } } });
    const out = settle({ groups: [a, b, c], claimed: [] }, [as(a, 'web-1'), as(b, 'web-1'), as(c, 'web-2')]);
    expect(out.rows.map((r) => [r.src, r.dst, r.count])).toEqual([
      [['shop', 'web-1'], ['shop', 'db'], 3],
      [['shop', 'web-2'], ['shop', 'db'], 4],
    ]);
    const none = settle({ groups: [a], claimed: [] }, [as(a, null)]);
    expect(none.rows.map((r) => r.src)).toEqual([['', '']]);
  });

  it('judges a flow once whatever its states, but stores each state in its own verdict row', () => {
    const [ok, refused] = [group(80, 2), group(80, 3, { state: 'refused' })];
    expect(distinctFlows([ok, refused]).map((f) => f.judged)).toEqual([5]);
    const out = settle({ groups: [ok, refused], claimed: [] }, [deny(ok)]);
    expect(out.rows.map((r) => [r.state, r.count])).toEqual([['established', 2], ['refused', 3]]);
  });

  it('keeps the flow_id of a row visited again on its verdict row', () => {
    const g = group(80, 2, { flowRef: 30 });
    expect(settle({ groups: [g], claimed: [] }, [deny(g)]).rows.map((r) => r.flowRef)).toEqual([30]);
  });
});
