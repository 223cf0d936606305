/**
 * Leader election over a `coordination.k8s.io/v1` Lease, so exactly one evaluator replica writes
 * status and Events while every replica evaluates. The holder renews every `renewMs` (a third of
 * the duration); the others read every `retryMs` and take the lease over once they have watched
 * it stay unchanged for a full duration (lease-decision.ts). Every write carries the
 * resourceVersion read just before, so two candidates racing for an expired lease cannot both
 * win: the loser gets a 409 and reads again.
 *
 * A holder that cannot renew for `renewDeadlineMs` (two thirds of the duration) steps down on its
 * own, before anyone else may take over. API errors are logged and retried, never thrown.
 * stop() releases the lease (clears the holder) so a follower takes over at its next read
 * instead of waiting out the duration.
 */
import { ApiException, CoordinationV1Api, V1Lease, V1LeaseSpec, V1MicroTime, V1ObjectMeta, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../../../runtime/logger.js';
import { decide, observe, type LeaseAction, type LeaseRecord, type Observation } from './lease-decision.js';

export interface LeaderElectorOptions {
  namespace: string;
  name: string;
  identity: string;
  durationMs: number;
  /** How often the holder renews; default durationMs / 3. */
  renewMs?: number;
  /** How often a follower reads the lease; default min(2 s, durationMs / 5). */
  retryMs?: number;
  logger: Logger;
  now?: () => number;
  /** Told about every change of leadership (true: this replica now leads). */
  onChange?: (leading: boolean) => void;
  /** Told when the lease changes hands to this replica (metrics). */
  onTransition?: () => void;
}

export interface LeaderElector {
  start(): void;
  /** Stops the loop; with release (the default) a held lease is given up at once. */
  stop(release?: boolean): Promise<void>;
  isLeader(): boolean;
  /** The holder last seen, this replica included. */
  holder(): string | undefined;
}

function toRecord(lease: V1Lease): LeaseRecord {
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

const isStatus = (err: unknown, code: number): boolean => err instanceof ApiException && err.code === code;

export function createLeaderElector(kc: KubeConfig, opts: LeaderElectorOptions): LeaderElector {
  const api = kc.makeApiClient(CoordinationV1Api);
  const now = opts.now ?? Date.now;
  const renewMs = opts.renewMs ?? Math.floor(opts.durationMs / 3);
  const retryMs = opts.retryMs ?? Math.min(2000, Math.floor(opts.durationMs / 5));
  const renewDeadlineMs = Math.floor((opts.durationMs * 2) / 3);
  const { namespace, name, identity, logger } = opts;
  let leading = false;
  let lastRenew = 0;
  let seen: Observation | undefined;
  let current: V1Lease | null = null;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;

  const setLeading = (value: boolean, why: string): void => {
    if (value === leading) return;
    leading = value;
    logger.info(value ? 'became the leader' : 'stopped leading', { lease: `${namespace}/${name}`, identity, why });
    opts.onChange?.(value);
  };

  // The generated client wants class instances, not object literals.
  const spec = (transitions: number, acquire: V1MicroTime | undefined): V1LeaseSpec => {
    const t = new V1MicroTime(now());
    return Object.assign(new V1LeaseSpec(), {
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(opts.durationMs / 1000),
      acquireTime: acquire ?? t,
      renewTime: t,
      leaseTransitions: transitions,
    });
  };
  const lease = (meta: V1ObjectMeta, s: V1LeaseSpec): V1Lease => Object.assign(new V1Lease(), { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: meta, spec: s });

  async function read(): Promise<V1Lease | null> {
    try {
      return await api.readNamespacedLease({ name, namespace });
    } catch (err) {
      if (isStatus(err, 404)) return null;
      throw err;
    }
  }

  async function act(action: LeaseAction, read: V1Lease | null): Promise<void> {
    if (action.kind === 'follow') {
      setLeading(false, `held by ${action.holder}`);
      return;
    }
    if (action.kind === 'create' || read === null) {
      const meta = Object.assign(new V1ObjectMeta(), { name, namespace });
      current = await api.createNamespacedLease({ namespace, body: lease(meta, spec(0, undefined)) });
    } else {
      const prev = read.spec;
      const renewing = action.kind === 'renew';
      const acquired = renewing && prev?.acquireTime ? micro(prev.acquireTime) : undefined;
      // read.metadata carries the resourceVersion: the write fails with 409 if anyone wrote since.
      const body = lease(read.metadata ?? new V1ObjectMeta(), spec((prev?.leaseTransitions ?? 0) + (renewing ? 0 : 1), acquired));
      current = await api.replaceNamespacedLease({ name, namespace, body });
    }
    lastRenew = now();
    if (action.kind !== 'renew') opts.onTransition?.();
    setLeading(true, action.kind);
  }

  async function tick(): Promise<void> {
    try {
      const lease = await read();
      current = lease;
      const record = lease ? toRecord(lease) : null;
      if (record) seen = observe(seen, record, now());
      await act(decide(record, seen, identity, now()), lease);
    } catch (err) {
      // A 409 means someone wrote first: the next read tells who leads.
      if (!isStatus(err, 409)) logger.warn('lease election step failed; retrying', { error: err, lease: `${namespace}/${name}` });
      if (leading && now() - lastRenew > renewDeadlineMs) setLeading(false, 'could not renew the lease in time');
    }
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().finally(() => {
        running = undefined;
        schedule();
      });
    }, leading ? renewMs : retryMs);
  }

  async function release(): Promise<void> {
    const held = current;
    if (!held?.spec || held.spec.holderIdentity !== identity) return;
    const released = Object.assign(new V1LeaseSpec(), {
      acquireTime: held.spec.acquireTime ? micro(held.spec.acquireTime) : undefined,
      renewTime: new V1MicroTime(now()),
      leaseDurationSeconds: 1,
      leaseTransitions: held.spec.leaseTransitions,
    });
    const body = lease(held.metadata ?? new V1ObjectMeta(), released);
    try {
      await api.replaceNamespacedLease({ name, namespace, body });
      logger.info('released the lease', { lease: `${namespace}/${name}`, identity });
    } catch (err) {
      logger.warn('could not release the lease; a follower takes over when it expires', { error: err });
    }
  }

  return {
    start(): void {
      if (!stopped) return;
      stopped = false;
      running = tick().finally(() => {
        running = undefined;
        schedule();
      });
    },
    async stop(doRelease = true): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await running;
      const wasLeading = leading;
      setLeading(false, 'stopping');
      if (doRelease && wasLeading) await release();
    },
    isLeader: () => leading,
    holder: () => current?.spec?.holderIdentity,
  };
}
