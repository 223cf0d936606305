/**
 * The safety gate's decision for each status shape in gate.ts's table, with and without
 * --force, --allow-untested and --min-quiet.
 */
import { describe, expect, it } from 'vitest';
import type { AuditPolicy, AuditStatus } from '../kube/objects.js';
import { parseDuration } from '../../runtime/duration.js';
import { safetyGate } from './gate.js';
import type { QuietEvidence } from './quiet-history.js';

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

const offender = { source: { ip: '10.0.0.1' }, destination: { namespace: 'prod', pod: 'db-0' }, port: 5432, protocol: 'TCP' as const, direction: 'Ingress' as const, count: 2 };
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
    // --min-quiet is judged from the broker's history: a 15m evaluation window no longer matters.
    { title: '--min-quiet 24h, 15m window, broker quiet for 24h: allowed', p: policy(2, quiet('15m')), opts: { minQuiet: '24h', history: { wouldDeny: 0, observations: 500 } }, allowed: true, problem: undefined },
    { title: '--min-quiet 24h, broker saw would-deny in 24h: refused', p: policy(2, quiet('15m')), opts: { minQuiet: '24h', history: { wouldDeny: 7, observations: 500 } }, allowed: false, problem: "7 flow observations in the last 24h would be denied (the broker's verdict history, any generation of the policy)" },
    { title: '--min-quiet 24h, one would-deny: singular', p: policy(2, quiet('15m')), opts: { minQuiet: '24h', history: { wouldDeny: 1, observations: 5 } }, allowed: false, problem: '1 flow observation in the last 24h would be denied' },
    { title: '--min-quiet 24h, broker unreachable: refused with the next step', p: policy(2, quiet('15m')), opts: { minQuiet: '24h', history: { error: 'cannot reach the broker at http://127.0.0.1:1 (ECONNREFUSED)' } }, allowed: false, problem: "--min-quiet 24h is judged from the broker's verdict history, which could not be read: cannot reach the broker at http://127.0.0.1:1 (ECONNREFUSED). Make the broker reachable (--broker-url" },
    { title: '--min-quiet 24h, broker unreachable, --force: allowed, problem kept', p: policy(2, quiet('15m')), opts: { minQuiet: '24h', force: true, history: { error: 'x' } }, allowed: true, problem: 'could not be read' },
    { title: '--min-quiet without any history read: refused', p: policy(2, quiet('15m')), opts: { minQuiet: '24h' }, allowed: false, problem: "the broker's verdict history was not read" },
    { title: 'the status would-deny still refuses with a quiet broker', p: policy(2, quiet('15m', { flowsWouldDeny: 2 })), opts: { minQuiet: '1h', history: { wouldDeny: 0, observations: 9 } }, allowed: false, problem: '2 flows in the last 15m would be denied' },
    // A status whose count is zero but lists a recent offender is inconsistent; the gate trusts the offender.
    { title: '--min-quiet with an offender seen inside the period: refused', p: policy(2, quiet('24h', { topOffenders: [{ ...offender, lastSeen: ago(30 * MINUTE) }] })), opts: { minQuiet: '1h', history: { wouldDeny: 0, observations: 9 } }, allowed: false, problem: '1 offender was seen within the last 1h' },
    // A window that saw no flow proves nothing: refused, and only --allow-untested lets it through.
    { title: '0 flows evaluated: refused, nothing was tested', p: policy(2, quiet('15m', { flowsEvaluated: 0, flowsAllowed: 0 })), opts: {}, allowed: false, problem: '0 flows evaluated in the last 15m: nothing was tested', overrides: ['--allow-untested'] },
    { title: '0 flows evaluated, --force: still refused', p: policy(2, quiet('15m', { flowsEvaluated: 0, flowsAllowed: 0 })), opts: { force: true }, allowed: false, problem: 'nothing was tested', overrides: ['--allow-untested'] },
    { title: '0 flows evaluated, --allow-untested: allowed, problem kept', p: policy(2, quiet('15m', { flowsEvaluated: 0, flowsAllowed: 0 })), opts: { allowUntested: true }, allowed: true, problem: 'nothing was tested', overrides: ['--allow-untested'] },
    { title: '0 flows without flowsEvaluated: counted from allowed + would-deny', p: policy(2, { observedGeneration: 2, evaluation: { window: '1h', lastEvaluated: ago(MINUTE), flowsAllowed: 0, flowsWouldDeny: 0 } }), opts: {}, allowed: false, problem: '0 flows evaluated in the last 1h', overrides: ['--allow-untested'] },
    // Counts for an older spec say nothing either way: only the lag is reported.
    { title: '0 flows but lagging: the lag alone', p: policy(3, quiet('15m', { flowsEvaluated: 0, flowsAllowed: 0 })), opts: {}, allowed: false, problem: 'lags', overrides: ['--force'] },
    { title: '--allow-untested does not cover would-deny flows', p: policy(2, quiet('15m', { flowsWouldDeny: 3 })), opts: { allowUntested: true }, allowed: false, problem: 'would be denied', overrides: ['--force'] },
    { title: '--min-quiet with an offender seen before the period: allowed', p: policy(2, quiet('24h', { topOffenders: [{ ...offender, lastSeen: ago(90 * MINUTE) }] })), opts: { minQuiet: '1h', history: { wouldDeny: 0, observations: 9 } }, allowed: true, problem: undefined },
  ] as { title: string; p: AuditPolicy; opts: { force?: boolean; allowUntested?: boolean; minQuiet?: string; history?: QuietEvidence }; allowed: boolean; problem: string | undefined; overrides?: string[] }[])('$title', ({ p, opts, allowed, problem, overrides }) => {
    const d = safetyGate(p, { force: opts.force === true, allowUntested: opts.allowUntested, minQuiet: opts.minQuiet ? { text: opts.minQuiet, ms: parseDuration(opts.minQuiet) ?? NaN } : undefined, history: opts.history, now: NOW });
    expect(d.allowed).toBe(allowed);
    if (problem === undefined) expect(d.problems).toEqual([]);
    else expect(d.problems.join('\n')).toContain(problem);
    if (overrides) expect(d.overrides).toEqual(overrides);
  });

  it.each([
    { title: 'Degraded=True warns and does not refuse', status: { ...quiet('15m'), conditions: [{ type: 'Degraded', status: 'True' as const, lastTransitionTime: ago(0), reason: 'PeerIdentityUnknown', message: '2 flows had no pod.' }] }, warning: 'Degraded (PeerIdentityUnknown): 2 flows had no pod. The counts may be low.' },
    { title: 'an evaluation older than its window warns', status: quiet('15m', { lastEvaluated: ago(60 * MINUTE) }), warning: 'the evaluation is stale: last evaluated 1h ago, longer than its 15m window' },
  ])('$title', ({ status, warning }) => {
    const d = safetyGate(policy(2, status), { force: false, now: NOW });
    expect(d.allowed).toBe(true);
    expect(d.warnings).toEqual([warning]);
  });

  it('--min-quiet with a broker that saw no traffic at all warns that nothing was tested', () => {
    const d = safetyGate(policy(2, quiet('15m')), { force: false, minQuiet: { text: '24h', ms: 24 * 60 * MINUTE }, history: { wouldDeny: 0, observations: 0 }, now: NOW });
    expect(d.allowed).toBe(true);
    expect(d.warnings).toEqual(['the broker recorded no traffic for it in the last 24h: quiet, but nothing was tested']);
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
