/**
 * The safety gate's decision for each status shape in gate.ts's table, with and without
 * --force and --min-quiet.
 */
import { describe, expect, it } from 'vitest';
import type { AuditPolicy, AuditStatus } from '../kube/objects.js';
import { parseDuration } from './duration.js';
import { safetyGate } from './gate.js';

const NOW = new Date('2026-05-01T12:00:00Z');
const MINUTE = 60_000;
const ago = (ms: number): string => new Date(NOW.getTime() - ms).toISOString();

function policy(generation: number, status?: AuditStatus): AuditPolicy {
  return {
    apiVersion: 'kguardian.dev/v1alpha1',
    kind: 'AuditNetworkPolicy',
    metadata: { name: 'p', namespace: 'prod', generation },
    spec: { podSelector: {} },
    ...(status ? { status } : {}),
  };
}

const offender = { source: { ip: '10.0.0.1' }, destination: { namespace: 'prod', pod: 'db-0' }, port: 5432, protocol: 'TCP', direction: 'Ingress', count: 2 };
const quiet = (window: string, extra: Partial<AuditStatus['evaluation']> = {}): AuditStatus => ({
  observedGeneration: 2,
  evaluation: { window, lastEvaluated: ago(MINUTE), flowsEvaluated: 10, flowsAllowed: 10, flowsWouldDeny: 0, ...extra },
});

describe('safetyGate', () => {
  it.each([
    { title: 'synced and quiet: allowed', p: policy(2, quiet('15m')), opts: {}, allowed: true, problem: undefined },
    { title: 'no status at all: refused', p: policy(1), opts: {}, allowed: false, problem: 'has not evaluated it yet' },
    { title: 'observedGeneration lags generation: refused', p: policy(3, quiet('15m')), opts: {}, allowed: false, problem: 'status.observedGeneration 2 lags metadata.generation 3' },
    { title: 'observedGeneration ahead is not a lag', p: policy(1, quiet('15m')), opts: {}, allowed: true, problem: undefined },
    { title: 'synced but nothing counted yet: refused', p: policy(2, { observedGeneration: 2 }), opts: {}, allowed: false, problem: 'status.evaluation is empty' },
    { title: 'would-deny flows: refused', p: policy(2, quiet('15m', { flowsWouldDeny: 3 })), opts: {}, allowed: false, problem: '3 flows in the last 15m would be denied' },
    { title: 'one would-deny flow: singular', p: policy(2, quiet('15m', { flowsWouldDeny: 1 })), opts: {}, allowed: false, problem: '1 flow in the last 15m would be denied' },
    { title: '--force lets would-deny through, problem kept', p: policy(2, quiet('15m', { flowsWouldDeny: 3 })), opts: { force: true }, allowed: true, problem: 'would be denied' },
    { title: '--force lets a lag through', p: policy(5, quiet('15m')), opts: { force: true }, allowed: true, problem: 'lags' },
    { title: '--min-quiet 24h with a 15m window: refused', p: policy(2, quiet('15m')), opts: { minQuiet: '24h' }, allowed: false, problem: '--min-quiet 24h needs an evaluation window of at least 24h, but the evaluator\'s window is 15m' },
    { title: '--min-quiet 24h with a 24h window and no denies: allowed', p: policy(2, quiet('24h')), opts: { minQuiet: '24h' }, allowed: true, problem: undefined },
    { title: '--min-quiet 1h with a 1h30m window: allowed', p: policy(2, quiet('1h30m')), opts: { minQuiet: '1h' }, allowed: true, problem: undefined },
    // A status whose count is zero but lists a recent offender is inconsistent; the gate trusts the offender.
    { title: '--min-quiet with an offender seen inside the period: refused', p: policy(2, quiet('24h', { topOffenders: [{ ...offender, lastSeen: ago(30 * MINUTE) }] })), opts: { minQuiet: '1h' }, allowed: false, problem: '1 offender was seen within the last 1h' },
    { title: '--min-quiet with an offender seen before the period: allowed', p: policy(2, quiet('24h', { topOffenders: [{ ...offender, lastSeen: ago(90 * MINUTE) }] })), opts: { minQuiet: '1h' }, allowed: true, problem: undefined },
  ])('$title', ({ p, opts, allowed, problem }) => {
    const d = safetyGate(p, { force: 'force' in opts, minQuiet: 'minQuiet' in opts && opts.minQuiet ? { text: opts.minQuiet, ms: parseDuration(opts.minQuiet) ?? NaN } : undefined, now: NOW });
    expect(d.allowed).toBe(allowed);
    if (problem === undefined) expect(d.problems).toEqual([]);
    else expect(d.problems.join('\n')).toContain(problem);
  });

  it.each([
    { title: 'Degraded=True warns and does not refuse', status: { ...quiet('15m'), conditions: [{ type: 'Degraded', status: 'True' as const, lastTransitionTime: ago(0), reason: 'PeerIdentityUnknown', message: '2 flows had no pod.' }] }, warning: 'Degraded (PeerIdentityUnknown): 2 flows had no pod. The counts may be low.' },
    { title: 'an evaluation older than its window warns', status: quiet('15m', { lastEvaluated: ago(60 * MINUTE) }), warning: 'the evaluation is stale: last evaluated 1h ago, longer than its 15m window' },
  ])('$title', ({ status, warning }) => {
    const d = safetyGate(policy(2, status), { force: false, now: NOW });
    expect(d.allowed).toBe(true);
    expect(d.warnings).toEqual([warning]);
  });
});

describe('parseDuration', () => {
  it.each([
    { text: '15m', ms: 15 * MINUTE },
    { text: '1h30m', ms: 90 * MINUTE },
    { text: '1.5h', ms: 90 * MINUTE },
    { text: '7d', ms: 7 * 24 * 60 * MINUTE },
    { text: '500ms', ms: 500 },
    { text: '0', ms: 0 },
    { text: '', ms: undefined },
    { text: '24', ms: undefined },
    { text: '1hour', ms: undefined },
    { text: 'h1', ms: undefined },
  ])('$text -> $ms', ({ text, ms }) => {
    expect(parseDuration(text)).toBe(ms);
  });
});
