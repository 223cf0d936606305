// Workload names from pod names, and the grouped view's and flow map's arithmetic.
import { describe, expect, it } from 'vitest';
import type { StoredVerdict } from '../../../../contracts/web-view.js';
import { edges, groupVerdicts, HISTOGRAM_BUCKETS, workload } from './group.js';

describe('workload', () => {
  it.each([
    { pod: 'web-7f9c8d6b5-abcde', want: 'web' }, // Deployment: ReplicaSet hash and pod suffix
    { pod: 'payments-api-5d8f7c9b4-x2z9q', want: 'payments-api' },
    { pod: 'db-0', want: 'db' }, // StatefulSet ordinal
    { pod: 'node-exporter-x7k2p', want: 'node-exporter' }, // DaemonSet: pod suffix only
    { pod: 'standalone', want: 'standalone' },
  ])('$pod -> $want', ({ pod, want }) => {
    expect(workload(pod)).toBe(want);
  });
});

/** Verdict `id` of a flow from `src` to `dst` on `port`: what, when and how many conversations. */
function v(id: number, src: string, dst: string, port: number, seen: { verdict: StoredVerdict['verdict']; at: string; count?: number }): StoredVerdict {
  const { verdict, at, count = 1 } = seen;
  const end = (pod: string): StoredVerdict['src'] => (pod.includes('/') ? { namespace: pod.split('/')[0] ?? '', pod: pod.split('/')[1] ?? '', ip: '10.0.0.1' } : { namespace: '', pod: '', ip: pod });
  return {
    id,
    observedAt: at,
    evaluatedAt: at,
    flowId: id,
    policy: { uid: 'u', kind: 'AuditNetworkPolicy', namespace: 'prod', name: 'p', generation: 1 },
    direction: 'Ingress',
    verdict,
    src: end(src),
    dst: end(dst),
    port,
    protocol: 'TCP',
    reason: '',
    count,
    state: 'established',
  };
}

describe('groupVerdicts', () => {
  const rows = [
    v(1, 'web/web-7f9c8d6b5-abcde', 'prod/db-0', 5432, { verdict: 'WouldDeny', at: '2026-03-01T10:00:00Z', count: 3 }),
    v(2, 'web/web-7f9c8d6b5-fghij', 'prod/db-1', 5432, { verdict: 'WouldDeny', at: '2026-03-01T11:00:00Z', count: 2 }),
    v(3, 'web/web-7f9c8d6b5-fghij', 'prod/db-1', 5432, { verdict: 'Allow', at: '2026-03-01T12:00:00Z' }),
    v(4, '203.0.113.9', 'prod/db-0', 5432, { verdict: 'WouldDeny', at: '2026-03-01T12:00:00Z' }),
  ];

  it('folds pods into workloads, sums observations by verdict and spreads them over the time range', () => {
    const groups = groupVerdicts(rows);
    expect(groups.map((g) => [g.src, g.dst, g.port, g.wouldDeny, g.allow])).toEqual([
      ['web/web', 'prod/db', 5432, 5, 1],
      ['203.0.113.9', 'prod/db', 5432, 1, 0],
    ]);
    const web = groups[0]?.histogram ?? [];
    expect(web).toHaveLength(HISTOGRAM_BUCKETS);
    expect(web[0]).toBe(3);
    expect(web[HISTOGRAM_BUCKETS / 2]).toBe(2);
    expect(web[HISTOGRAM_BUCKETS - 1]).toBe(1);
    expect(web.reduce((a, b) => a + b, 0)).toBe(6);
  });

  it('makes one edge per source and destination workload, would-deny when any observation is', () => {
    expect(edges(rows)).toEqual([
      { src: '203.0.113.9', dst: 'prod/db', verdict: 'WouldDeny', count: 1 },
      { src: 'web/web', dst: 'prod/db', verdict: 'WouldDeny', count: 6 },
    ]);
    expect(edges([rows[2] as StoredVerdict])[0]?.verdict).toBe('Allow');
  });
});
