// The URL is the view's state: what readState accepts, what it drops, and that writeState's
// output reads back to the same state (a shared link shows the same view).
import { describe, expect, it } from 'vitest';
import type { StoredVerdict } from '../../../../contracts/web-view.js';
import { brokerParams, matchesFilters, readState, writeState, type ViewState } from './state.js';

const payments = { kind: 'AuditNetworkPolicy', namespace: 'prod', name: 'payments' } as const;

describe('readState / writeState', () => {
  it.each<{ title: string; state: ViewState }>([
    { title: 'the policy list', state: { view: 'policies' } },
    { title: 'a policy with the default filters', state: { view: 'policy', policy: payments, tab: 'table', filters: { verdict: 'WouldDeny' } } },
    {
      title: 'every filter set',
      state: {
        view: 'policy',
        policy: payments,
        tab: 'grouped',
        filters: { verdict: 'any', direction: 'Egress', src: 'web/web', dst: '10.0.0.1', port: 8080, protocol: 'UDP', since: '2h', until: '2026-03-01T10:00:00Z', generation: 3, state: 'refused' },
      },
    },
    { title: 'every generation', state: { view: 'policy', policy: payments, tab: 'table', filters: { verdict: 'WouldDeny', allGenerations: true, state: 'attempt' } } },
    { title: 'a cluster-scoped policy', state: { view: 'policy', policy: { kind: 'AuditClusterNetworkPolicy', namespace: '', name: 'deny-all' }, tab: 'map', filters: { verdict: 'Allow' } } },
    // Text filters are user input: characters with a meaning in URLs survive the trip.
    { title: 'a filter with & = # % and spaces', state: { view: 'policy', policy: payments, tab: 'tail', filters: { verdict: 'WouldDeny', src: 'a&b=c #d %e' } } },
  ])('round-trips $title', ({ state }) => {
    const search = writeState(state);
    expect(readState(search)).toEqual(Object.fromEntries(Object.entries(state).filter(([, v]) => v !== undefined)));
    expect(writeState(readState(search))).toBe(search);
  });

  it.each([
    { title: 'an unknown view', search: '?view=admin&name=x&ns=prod', want: { view: 'policies' } },
    { title: 'a policy name that is not a Kubernetes name', search: '?view=policy&ns=prod&name=%3Cscript%3E', want: { view: 'policies' } },
    { title: 'a namespaced policy without namespace', search: '?view=policy&name=payments', want: { view: 'policies' } },
    { title: 'a cluster-scoped policy with a namespace', search: '?view=policy&kind=acnp&ns=prod&name=x', want: { view: 'policies' } },
  ])('falls back to the policy list for $title', ({ search, want }) => {
    expect(readState(search)).toEqual(want);
  });

  // The broker's grammar (contracts/time-bound.ts): a bound it would refuse is dropped, one it takes is kept.
  it.each([
    { value: '15m', kept: true },
    { value: '1h30m', kept: true },
    { value: '1.5h', kept: true },
    { value: '7d', kept: true },
    { value: '1d12h', kept: true },
    { value: '0h15m', kept: true },
    { value: '2026-03-01T10:00:00.5+01:00', kept: true },
    { value: '0s', kept: false },
    { value: '15', kept: false },
    { value: '1w', kept: false },
    { value: '-1h', kept: false },
    { value: '2026-02-30T10:00:00Z', kept: false },
    { value: '2026-03-01 10:00:00Z', kept: false },
    { value: `${'0'.repeat(40)}1h`, kept: false },
  ])('since and until $value: kept $kept', ({ value, kept }) => {
    const s = readState(`?view=policy&ns=prod&name=payments&since=${encodeURIComponent(value)}&until=${encodeURIComponent(value)}`);
    const want = kept ? { since: value, until: value } : {};
    expect(s).toEqual({ view: 'policy', policy: payments, tab: 'table', filters: { verdict: 'WouldDeny', ...want } });
  });

  it('drops filter values it does not know instead of passing them on', () => {
    const s = readState('?view=policy&ns=prod&name=payments&tab=evil&verdict=Maybe&direction=Up&port=99999&protocol=ICMP&since=yesterday&generation=-1&state=reset&generations=some');
    expect(s).toEqual({ view: 'policy', policy: payments, tab: 'table', filters: { verdict: 'WouldDeny' } });
  });
});

describe('filters', () => {
  const v = (over: Partial<StoredVerdict> = {}): StoredVerdict => ({
    id: 1,
    observedAt: '2026-03-01T10:00:00Z',
    evaluatedAt: '2026-03-01T10:00:01Z',
    flowId: 1,
    policy: { uid: 'u', kind: 'AuditNetworkPolicy', namespace: 'prod', name: 'payments', generation: 2 },
    direction: 'Ingress',
    verdict: 'WouldDeny',
    src: { namespace: 'web', pod: 'web-1', ip: '10.0.0.5' },
    dst: { namespace: 'prod', pod: 'payments-0', ip: '10.0.1.9' },
    port: 8080,
    protocol: 'TCP',
    reason: 'r',
    count: 1,
    state: 'established',
    ...over,
  });

  it('passes the broker only the filters it has', () => {
    const p = brokerParams(payments, { verdict: 'WouldDeny', direction: 'Ingress', src: 'web', port: 80, since: '1h', state: 'refused' });
    expect(Object.fromEntries(p)).toEqual({ policy: 'payments', namespace: 'prod', verdict: 'WouldDeny', direction: 'Ingress', since: '1h', state: 'refused', generations: 'latest' });
    expect(brokerParams(payments, { verdict: 'any' }).has('verdict')).toBe(false);
  });

  // As `verdicts` (and --all-generations): an edited policy's older verdicts leave the view by default.
  it.each([
    { title: 'by default, each policy\'s latest generation', filters: {}, want: 'latest' },
    { title: 'every generation when asked', filters: { allGenerations: true as const }, want: null },
    { title: 'one named generation, old or not (filtered in the page)', filters: { generation: 1 }, want: null },
  ])('asks the broker for $title', ({ filters, want }) => {
    expect(brokerParams(payments, { verdict: 'any', ...filters }).get('generations')).toBe(want);
  });

  it.each([
    { title: 'no page filter', filters: {}, row: {}, match: true },
    { title: 'source by pod substring', filters: { src: 'web/we' }, row: {}, match: true },
    { title: 'source by IP', filters: { src: '10.0.0.5' }, row: {}, match: true },
    { title: 'source not matching', filters: { src: 'batch' }, row: {}, match: false },
    { title: 'destination, any case', filters: { dst: 'PROD/PAY' }, row: {}, match: true },
    { title: 'port', filters: { port: 8080 }, row: {}, match: true },
    { title: 'another port', filters: { port: 443 }, row: {}, match: false },
    { title: 'protocol', filters: { protocol: 'UDP' as const }, row: {}, match: false },
    { title: 'generation', filters: { generation: 2 }, row: {}, match: true },
    { title: 'an older generation', filters: { generation: 1 }, row: {}, match: false },
    // A namespace can hold an AuditNetworkPolicy and verdicts of a same-named cluster policy's rows are not its.
    { title: 'another kind of policy with the same name', filters: {}, row: { policy: { uid: 'c', kind: 'AuditClusterNetworkPolicy' as const, namespace: 'prod', name: 'payments', generation: 2 } }, match: false },
  ])('$title: $match', ({ filters, row, match }) => {
    expect(matchesFilters(v(row), payments, { verdict: 'any', ...filters })).toBe(match);
  });
});
