import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { OVERFLOW, PolicyVerdictMetrics } from './policy-metrics.js';
import type { StoredVerdictTally } from './store/types.js';

const T0 = Date.UTC(2026, 2, 1, 10, 0, 0);
const MIN = 60_000;

function tally(name: string, count: number, o: Partial<{ namespace: string; kind: 'AuditNetworkPolicy' | 'AuditClusterNetworkPolicy'; direction: 'Ingress' | 'Egress'; verdict: 'Allow' | 'WouldDeny' }> = {}): StoredVerdictTally {
  return {
    verdict: {
      policy: { uid: `u-${name}`, kind: o.kind ?? 'AuditNetworkPolicy', namespace: o.namespace ?? 'prod', name, generation: 1 },
      direction: o.direction ?? 'Ingress',
      verdict: o.verdict ?? 'WouldDeny',
      reason: 'test',
    },
    count,
  };
}

function setup(maxPolicies = 10, windowMinutes = 5): { m: PolicyVerdictMetrics; registry: Registry; at: (ms: number) => void } {
  let now = T0;
  const registry = new Registry();
  const m = new PolicyVerdictMetrics(registry, { maxPolicies, windowMinutes, now: () => now });
  return { m, registry, at: (ms) => (now = T0 + ms) };
}

/** The samples of one metric, keyed by their labels as printed. */
async function series(registry: Registry, name: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const line of (await registry.metrics()).split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const sp = line.lastIndexOf(' ');
    out[line.slice(name.length, sp)] = Number(line.slice(sp + 1));
  }
  return out;
}

const TOTAL = 'kguardian_broker_policy_verdicts_total';
const WINDOW = 'kguardian_broker_policy_verdicts_window';
const labels = (ns: string, policy: string, rest = 'kind="AuditNetworkPolicy",direction="Ingress",verdict="WouldDeny"'): string =>
  `{namespace="${ns}",policy="${policy}",${rest}}`;

describe('PolicyVerdictMetrics', () => {
  it('counts conversations (each verdict weighs its count) by namespace, policy, kind, direction and verdict', async () => {
    const { m, registry } = setup();
    m.record([tally('web', 3), tally('web', 2), tally('web', 4, { verdict: 'Allow' }), tally('web', 1, { direction: 'Egress' })]);
    m.record([tally('all', 7, { kind: 'AuditClusterNetworkPolicy', namespace: '' })]);
    expect(await series(registry, TOTAL)).toEqual({
      [labels('prod', 'web')]: 5,
      [labels('prod', 'web', 'kind="AuditNetworkPolicy",direction="Ingress",verdict="Allow"')]: 4,
      [labels('prod', 'web', 'kind="AuditNetworkPolicy",direction="Egress",verdict="WouldDeny"')]: 1,
      [labels('', 'all', 'kind="AuditClusterNetworkPolicy",direction="Ingress",verdict="WouldDeny"')]: 7,
    });
  });

  it('keeps only the last window in the window gauge, while the counter keeps adding up', async () => {
    const { m, registry, at } = setup(10, 5);
    m.record([tally('web', 3)]);
    at(2 * MIN);
    m.record([tally('web', 4)]);
    expect((await series(registry, WINDOW))[labels('prod', 'web')]).toBe(7);
    at(5 * MIN + 1); // the first minute left the window
    expect((await series(registry, WINDOW))[labels('prod', 'web')]).toBe(4);
    at(6 * MIN);
    m.record([tally('web', 1)]); // slot 6 % 5 = 1 reused: minute 1 was empty anyway
    expect((await series(registry, WINDOW))[labels('prod', 'web')]).toBe(5);
    expect((await series(registry, TOTAL))[labels('prod', 'web')]).toBe(8);
  });

  it('drops the series of a policy with no verdict for a whole window (a deleted policy)', async () => {
    const { m, registry, at } = setup(10, 5);
    m.record([tally('gone', 2), tally('live', 1)]);
    at(3 * MIN);
    m.record([tally('live', 1)]);
    at(5 * MIN);
    expect(Object.keys(await series(registry, TOTAL))).toEqual([labels('prod', 'live')]);
    expect(Object.keys(await series(registry, WINDOW))).toEqual([labels('prod', 'live')]);
  });

  it('gives at most maxPolicies policies series of their own; the rest share the overflow series', async () => {
    const { m, registry, at } = setup(2, 5);
    m.record([tally('a', 1), tally('b', 1), tally('c', 5), tally('d', 2, { verdict: 'Allow' }), tally('a', 1)]);
    expect(await series(registry, TOTAL)).toEqual({
      [labels('prod', 'a')]: 2,
      [labels('prod', 'b')]: 1,
      [labels(OVERFLOW, OVERFLOW)]: 5,
      [labels(OVERFLOW, OVERFLOW, 'kind="AuditNetworkPolicy",direction="Ingress",verdict="Allow"')]: 2,
    });
    expect(await series(registry, 'kguardian_broker_policy_metrics_policies')).toEqual({});
    expect((await registry.getSingleMetricAsString('kguardian_broker_policy_metrics_policies')).split('\n').at(-1)).toBe('kguardian_broker_policy_metrics_policies 2');
    // a and b go idle; c takes a place of its own once one is free.
    at(5 * MIN);
    m.record([tally('c', 1)]);
    expect(await series(registry, TOTAL)).toEqual({ [labels('prod', 'c')]: 1 });
  });

  it('with maxPolicies 0, counts everything under the overflow series', async () => {
    const { m, registry } = setup(0);
    m.record([tally('a', 3)]);
    expect(await series(registry, TOTAL)).toEqual({ [labels(OVERFLOW, OVERFLOW)]: 3 });
  });
});
