/** The verdicts the broker stores from an answer, and what it sends for a flow. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../runtime/logger.js';
import { systemClock } from '../../../runtime/clock.js';
import type { EvaluatorClient } from '../evaluator-client.js';
import { createMetrics } from '../metrics.js';
import type { FlowJudgement, Store, StoredCheckTally, StoredFlow } from '../store/types.js';
import type { EvaluateResult } from '../../../contracts/evaluate.js';
import { auditVerdicts, EvaluationDispatcher, toEvaluateItem } from './dispatcher.js';

describe('auditVerdicts', () => {
  it('stores each answered verdict for the observed direction, its policy with uid and generation', () => {
    const ref = { kind: 'AuditClusterNetworkPolicy' as const, namespace: '', name: 'all', uid: 'u', generation: 3 };
    const answer = { id: 1, src: null, dst: null, verdicts: [{ ref, verdict: 'WouldDeny' as const, reason: 'r' }, { ref: { ...ref, uid: undefined, generation: undefined }, verdict: 'Allow' as const, reason: 's' }] };
    expect(auditVerdicts(answer, 'Ingress')).toEqual([
      { policy: { uid: 'u', kind: 'AuditClusterNetworkPolicy', namespace: '', name: 'all', generation: 3 }, direction: 'Ingress', verdict: 'WouldDeny', reason: 'r' },
      { policy: { uid: '', kind: 'AuditClusterNetworkPolicy', namespace: '', name: 'all', generation: 0 }, direction: 'Ingress', verdict: 'Allow', reason: 's' },
    ]);
  });
});

describe('toEvaluateItem', () => {
  it('sends IPs always and pod identity only when both namespace and pod were stamped', () => {
    const item = toEvaluateItem({
      pending: 4,
      flow: {
        id: 9, bucket: '2026-03-01T10:00:00.000Z', firstSeen: '2026-03-01T10:00:01.000Z', lastSeen: '2026-03-01T10:00:09.000Z',
        src: { ip: '10.0.0.1', port: 5555, kind: 'pod', namespace: 'a', pod: 'p' },
        dst: { ip: '1.1.1.1', port: 443, kind: 'external' },
        protocol: 'TCP', direction: 'Egress', state: 'established', node: 'n', count: 10,
      },
    });
    expect(item).toEqual({
      id: 9, observedAt: '2026-03-01T10:00:09.000Z', count: 4, direction: 'Egress',
      flow: { src: { ip: '10.0.0.1', namespace: 'a', pod: 'p' }, dst: { ip: '1.1.1.1' }, protocol: 'TCP', port: 443 },
    });
  });
});

describe('EvaluationDispatcher.runOnce: enforcement checks', () => {
  const flow: StoredFlow = {
    id: 7, bucket: '2026-01-01T00:00:00.000Z', firstSeen: '2026-01-01T00:00:01.000Z', lastSeen: '2026-01-01T00:00:02.000Z',
    src: { ip: '10.0.0.1', port: 40000, kind: 'pod' }, dst: { ip: '10.0.0.2', port: 8080, kind: 'pod' },
    protocol: 'TCP', direction: 'Ingress', state: 'established', node: 'n', count: 1,
  };
  const judged = async (enforcementChecks: boolean | undefined): Promise<FlowJudgement[]> => {
    const stored: FlowJudgement[][] = [];
    const store = {
      claimPending: () => Promise.resolve({ token: 't', flows: [{ flow, pending: 1 }] }),
      completeClaim: (_claim: unknown, judgements: FlowJudgement[]) => {
        stored.push(judgements);
        return Promise.resolve(0);
      },
    } as unknown as Store;
    const ref = { kind: 'NetworkPolicy' as const, namespace: 'prod', name: 'db', uid: 'u', generation: 2 };
    const audit = { ref: { ...ref, kind: 'AuditNetworkPolicy' as const, name: 'db-audit' }, verdict: 'WouldDeny' as const, reason: 'r' };
    const answer: EvaluateResult = { id: flow.id, src: null, dst: null, verdicts: [audit], enforcement: { predicted: 'Allow', policies: [ref] } };
    const client: EvaluatorClient = { evaluate: () => Promise.resolve(new Map([[flow.id, answer]])) };
    const d = new EvaluationDispatcher({ store, client, clock: systemClock, logger: silentLogger, metrics: createMetrics(), enforcementChecks });
    expect(await d.runOnce()).toBe(1);
    return stored.flat();
  };

  it.each([
    { title: 'kept by default', on: undefined, checks: 1 },
    { title: 'kept when on', on: true, checks: 1 },
    { title: 'none when off (ENFORCEMENT_CHECKS=off), the audit verdicts unchanged', on: false, checks: 0 },
  ])('$title', async ({ on, checks }) => {
    const [j] = await judged(on);
    expect(j?.enforcement).toHaveLength(checks);
    expect(j?.verdicts.map((x) => x.policy.kind)).toEqual(['AuditNetworkPolicy']);
  });
});

describe('EvaluationDispatcher.runOnce: the checks counter', () => {
  it('moves kguardian_broker_enforcement_checks_total by the conversations of each prediction and state', async () => {
    const tallies: StoredCheckTally[] = [
      { predicted: 'Deny', state: 'established', count: 2 },
      { predicted: 'Deny', state: 'established', count: 3 },
      { predicted: 'Allow', state: 'refused', count: 1 },
    ];
    const flow: StoredFlow = {
      id: 1, bucket: '2026-01-01T00:00:00.000Z', firstSeen: '2026-01-01T00:00:01.000Z', lastSeen: '2026-01-01T00:00:01.000Z',
      src: { ip: '10.0.0.1', port: 40000, kind: 'pod' }, dst: { ip: '10.0.0.2', port: 8080, kind: 'pod' },
      protocol: 'TCP', direction: 'Ingress', state: 'established', node: 'n', count: 1,
    };
    const store = {
      claimPending: () => Promise.resolve({ token: 't', flows: [{ flow, pending: 1 }] }),
      completeClaim: (_c: unknown, _j: unknown, _at: unknown, onStored: (v: [], c: StoredCheckTally[]) => void) => {
        onStored([], tallies);
        return Promise.resolve(0);
      },
    } as unknown as Store;
    const client: EvaluatorClient = { evaluate: () => Promise.resolve(new Map([[1, { id: 1, src: null, dst: null, verdicts: [] }]])) };
    const metrics = createMetrics();
    await new EvaluationDispatcher({ store, client, clock: systemClock, logger: silentLogger, metrics }).runOnce();
    const values = (await metrics.enforcementChecks.get()).values.map((v) => [v.labels.predicted, v.labels.state, v.value]).sort();
    expect(values).toEqual([['Allow', 'refused', 1], ['Deny', 'established', 5]]);
  });
});

describe('EvaluationDispatcher.stop', () => {
  afterEach(() => { vi.useRealTimers(); });

  it('returns without waiting out the backoff when the call in flight fails after stop()', async () => {
    vi.useFakeTimers();
    let fail: (err: Error) => void = () => undefined;
    // The database call a worker is in when stop() comes; it fails afterwards.
    const claim = new Promise<never>((_resolve, reject) => { fail = reject; });
    const store = { claimPending: () => claim } as unknown as Store;
    const client = { evaluate: () => Promise.reject(new Error('unused')) } as unknown as EvaluatorClient;
    const d = new EvaluationDispatcher({ store, client, clock: systemClock, logger: silentLogger, metrics: createMetrics(), concurrency: 1 });
    d.start();
    let stopped = false;
    const stopping = d.stop().then(() => { stopped = true; });
    fail(new Error('connection reset'));
    // No time passes: the backoff's sleep sees the stop signal already aborted.
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(true);
    await stopping;
  });
});
