/**
 * The Lease objects the elector reads and writes, as pure functions of what it knows: the record
 * lease-decision.ts judges, the spec a holder writes (created, renewed or taken over), and the spec
 * that releases the lease. The generated client wants class instances, not object literals.
 */
import { V1Lease, V1LeaseSpec, V1MicroTime, V1ObjectMeta } from '@kubernetes/client-node';
import type { LeaseAction, LeaseRecord } from './lease-decision.js';

/** What a lease read from the API server says, as lease-decision.ts reads it. */
export function toRecord(lease: V1Lease): LeaseRecord {
  const s = lease.spec;
  return {
    holder: s?.holderIdentity,
    durationMs: (s?.leaseDurationSeconds ?? 15) * 1000,
    renewTime: s?.renewTime ? new Date(s.renewTime) : undefined,
    transitions: s?.leaseTransitions ?? 0,
    resourceVersion: lease.metadata?.resourceVersion,
  };
}

// MicroTime fields come back from the API as strings, whatever the generated types say.
const micro = (t: Date | string | number): V1MicroTime => new V1MicroTime(new Date(t).getTime());

export function leaseObject(meta: V1ObjectMeta, spec: V1LeaseSpec): V1Lease {
  return Object.assign(new V1Lease(), { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: meta, spec });
}

/** Who writes, and when. */
export interface Holder {
  identity: string;
  durationMs: number;
  now: number;
}

function holderSpec(h: Holder, transitions: number, acquire: V1MicroTime | undefined): V1LeaseSpec {
  const t = new V1MicroTime(h.now);
  return Object.assign(new V1LeaseSpec(), {
    holderIdentity: h.identity,
    leaseDurationSeconds: Math.ceil(h.durationMs / 1000),
    acquireTime: acquire ?? t,
    renewTime: t,
    leaseTransitions: transitions,
  });
}

/** A new lease this replica holds. */
export function createdLease(h: Holder, at: { namespace: string; name: string }): V1Lease {
  return leaseObject(Object.assign(new V1ObjectMeta(), at), holderSpec(h, 0, undefined));
}

/**
 * `read` renewed (same acquireTime and transitions) or taken over (a new acquireTime, one more
 * transition). Its metadata carries the resourceVersion: the write fails with 409 if anyone wrote since.
 */
export function heldLease(h: Holder, read: V1Lease, action: LeaseAction['kind']): V1Lease {
  const prev = read.spec;
  const renewing = action === 'renew';
  const acquired = renewing && prev?.acquireTime ? micro(prev.acquireTime) : undefined;
  return leaseObject(read.metadata ?? new V1ObjectMeta(), holderSpec(h, (prev?.leaseTransitions ?? 0) + (renewing ? 0 : 1), acquired));
}

/** `held` given up: a one-second lease renewed now, which followers take over at their next read. */
export function releasedLease(held: V1Lease & { spec: V1LeaseSpec }, now: number): V1Lease {
  const released = Object.assign(new V1LeaseSpec(), {
    acquireTime: held.spec.acquireTime ? micro(held.spec.acquireTime) : undefined,
    renewTime: new V1MicroTime(now),
    leaseDurationSeconds: 1,
    leaseTransitions: held.spec.leaseTransitions,
  });
  return leaseObject(held.metadata ?? new V1ObjectMeta(), released);
}
