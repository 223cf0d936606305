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
import { ApiException, CoordinationV1Api, type KubeConfig, type V1Lease, type V1LeaseSpec } from '@kubernetes/client-node';
import type { Logger } from '../../../runtime/logger.js';
import { decide, observe, type LeaseAction, type Observation } from './lease-decision.js';
import { createdLease, heldLease, releasedLease, toRecord, type Holder } from './lease-objects.js';

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

const isStatus = (err: unknown, code: number): boolean => err instanceof ApiException && err.code === code;

export function createLeaderElector(kc: KubeConfig, opts: LeaderElectorOptions): LeaderElector {
  return new LeaseElector(kc.makeApiClient(CoordinationV1Api), opts);
}

/**
 * The loop: read, decide (lease-decision.ts), write (lease-objects.ts), and wait `renewMs` as
 * the holder or `retryMs` as a follower.
 */
class LeaseElector implements LeaderElector {
  private readonly now: () => number;
  private readonly renewMs: number;
  private readonly retryMs: number;
  private readonly renewDeadlineMs: number;
  private leading = false;
  private lastRenew = 0;
  private seen: Observation | undefined;
  private current: V1Lease | null = null;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(private readonly api: CoordinationV1Api, private readonly opts: LeaderElectorOptions) {
    this.now = opts.now ?? Date.now;
    this.renewMs = opts.renewMs ?? Math.floor(opts.durationMs / 3);
    this.retryMs = opts.retryMs ?? Math.min(2000, Math.floor(opts.durationMs / 5));
    this.renewDeadlineMs = Math.floor((opts.durationMs * 2) / 3);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.runTick();
  }

  async stop(doRelease = true): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    const wasLeading = this.leading;
    this.setLeading(false, 'stopping');
    if (doRelease && wasLeading) await this.release();
  }

  isLeader(): boolean {
    return this.leading;
  }

  holder(): string | undefined {
    return this.current?.spec?.holderIdentity;
  }

  private get lease(): { namespace: string; name: string } {
    return { namespace: this.opts.namespace, name: this.opts.name };
  }

  private get self(): Holder {
    return { identity: this.opts.identity, durationMs: this.opts.durationMs, now: this.now() };
  }

  private setLeading(value: boolean, why: string): void {
    if (value === this.leading) return;
    this.leading = value;
    const { namespace, name, identity } = this.opts;
    this.opts.logger.info(value ? 'became the leader' : 'stopped leading', { lease: `${namespace}/${name}`, identity, why });
    this.opts.onChange?.(value);
  }

  private async read(): Promise<V1Lease | null> {
    try {
      return await this.api.readNamespacedLease(this.lease);
    } catch (err) {
      if (isStatus(err, 404)) return null;
      throw err;
    }
  }

  private async act(action: LeaseAction, read: V1Lease | null): Promise<void> {
    if (action.kind === 'follow') {
      this.setLeading(false, `held by ${action.holder}`);
      return;
    }
    const { namespace, name } = this.lease;
    this.current = action.kind === 'create' || read === null
      ? await this.api.createNamespacedLease({ namespace, body: createdLease(this.self, this.lease) })
      : await this.api.replaceNamespacedLease({ name, namespace, body: heldLease(this.self, read, action.kind) });
    this.lastRenew = this.now();
    if (action.kind !== 'renew') this.opts.onTransition?.();
    this.setLeading(true, action.kind);
  }

  private async tick(): Promise<void> {
    try {
      const lease = await this.read();
      this.current = lease;
      const record = lease ? toRecord(lease) : null;
      if (record) this.seen = observe(this.seen, record, this.now());
      await this.act(decide(record, this.seen, this.opts.identity, this.now()), lease);
    } catch (err) {
      // A 409 means someone wrote first: the next read tells who leads.
      if (!isStatus(err, 409)) this.opts.logger.warn('lease election step failed; retrying', { error: err, lease: `${this.opts.namespace}/${this.opts.name}` });
      if (this.leading && this.now() - this.lastRenew > this.renewDeadlineMs) this.setLeading(false, 'could not renew the lease in time');
    }
  }

  private runTick(): void {
    this.running = this.tick().finally(() => {
      this.running = undefined;
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.runTick();
    }, this.leading ? this.renewMs : this.retryMs);
  }

  private async release(): Promise<void> {
    const held = this.current;
    if (!held?.spec || held.spec.holderIdentity !== this.opts.identity) return;
    const body = releasedLease(held as V1Lease & { spec: V1LeaseSpec }, this.now());
    try {
      await this.api.replaceNamespacedLease({ ...this.lease, body });
      this.opts.logger.info('released the lease', { lease: `${this.opts.namespace}/${this.opts.name}`, identity: this.opts.identity });
    } catch (err) {
      this.opts.logger.warn('could not release the lease; a follower takes over when it expires', { error: err });
    }
  }
}
