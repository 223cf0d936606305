/**
 * Leader election against the real API server: one leader among three candidates, a graceful
 * hand-over (released lease), a crashed leader (stopped without release) replaced after the
 * lease expires, and a lease written by someone else honoured until it expires.
 */
import { CoordinationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { recordingLogger } from '../../../runtime/logger.js';
import { kubeConfig } from '../../../test/kube/client.js';
import { createTestNamespace } from '../../../test/kube/namespace.js';
import { createLeaderElector, type LeaderElector } from './lease-elector.js';

const DURATION_MS = 3000;
let kc: KubeConfig;
let electors: LeaderElector[] = [];

beforeAll(() => {
  kc = kubeConfig();
});

afterEach(async () => {
  await Promise.all(electors.map((e) => e.stop(false)));
  electors = [];
});

function candidate(namespace: string, identity: string, transitions?: { n: number }): LeaderElector {
  const e = createLeaderElector(kc, {
    namespace, name: 'kguardian-evaluator', identity, durationMs: DURATION_MS, retryMs: 200, logger: recordingLogger(),
    onTransition: () => {
      if (transitions) transitions.n++;
    },
  });
  electors.push(e);
  return e;
}

async function until<T>(what: string, f: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const leaders = (es: LeaderElector[]): LeaderElector[] => es.filter((e) => e.isLeader());

describe('Lease leader election', () => {
  it('elects exactly one of three candidates and records it in the Lease', async () => {
    const ns = await createTestNamespace(kc, 'lease');
    const es = ['a', 'b', 'c'].map((id) => candidate(ns, id));
    es.forEach((e) => {
      e.start();
    });
    const leader = await until('a leader', () => leaders(es)[0]);
    // Several renewals later there is still only one.
    await new Promise((r) => setTimeout(r, DURATION_MS));
    expect(leaders(es)).toEqual([leader]);
    const lease = await kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: ns, name: 'kguardian-evaluator' });
    expect(lease.spec?.holderIdentity).toBe(leader.holder());
    expect(lease.spec?.leaseDurationSeconds).toBe(3);
    expect(Date.now() - new Date(String(lease.spec?.renewTime)).getTime()).toBeLessThan(DURATION_MS);
  });

  it('a released lease is taken over at the follower\'s next read', async () => {
    const ns = await createTestNamespace(kc, 'lease');
    const transitions = { n: 0 };
    const a = candidate(ns, 'a', transitions);
    a.start();
    await until('a leads', () => (a.isLeader() ? true : undefined));
    const b = candidate(ns, 'b', transitions);
    b.start();
    await new Promise((r) => setTimeout(r, 500));
    expect(b.isLeader()).toBe(false);
    const stoppedAt = Date.now();
    await a.stop(true);
    await until('b leads', () => (b.isLeader() ? true : undefined));
    // Released: no waiting out the duration.
    expect(Date.now() - stoppedAt).toBeLessThan(DURATION_MS);
    expect(transitions.n).toBe(2);
    const lease = await kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: ns, name: 'kguardian-evaluator' });
    expect(lease.spec?.holderIdentity).toBe('b');
    expect(lease.spec?.leaseTransitions).toBe(1);
  });

  it('a crashed leader (never released) is replaced once the lease has expired, not before', async () => {
    const ns = await createTestNamespace(kc, 'lease');
    const a = candidate(ns, 'a');
    a.start();
    await until('a leads', () => (a.isLeader() ? true : undefined));
    const b = candidate(ns, 'b');
    b.start();
    await new Promise((r) => setTimeout(r, 500));
    const crashedAt = Date.now();
    await a.stop(false);
    await until('b leads', () => (b.isLeader() ? true : undefined));
    const took = Date.now() - crashedAt;
    // b must wait until it has seen the record unchanged for a whole duration...
    expect(took).toBeGreaterThanOrEqual(DURATION_MS - 1000 - 100);
    // ...and not much longer (a generous bound: the machine is shared).
    expect(took).toBeLessThan(DURATION_MS * 3);
  });

  it('a leader that loses its lease to a write by someone else steps down', async () => {
    const ns = await createTestNamespace(kc, 'lease');
    const a = candidate(ns, 'a');
    a.start();
    await until('a leads', () => (a.isLeader() ? true : undefined));
    const api = kc.makeApiClient(CoordinationV1Api);
    const lease = await api.readNamespacedLease({ namespace: ns, name: 'kguardian-evaluator' });
    lease.spec!.holderIdentity = 'intruder';
    await api.replaceNamespacedLease({ namespace: ns, name: 'kguardian-evaluator', body: lease });
    await until('a steps down', () => (a.isLeader() ? undefined : true), DURATION_MS * 3);
    expect(a.holder()).toBe('intruder');
  });
});
