/**
 * One informer per watched kind, supervised. The client's informer stops on most errors; this
 * restarts it with capped exponential backoff through an injectable delay (tests never sleep),
 * logs and counts each restart, and never lets a bad object or a failing handler escape.
 *
 * Relists: each list is reconciled against the objects this watch has delivered, so an object
 * deleted while the watch was down is removed (the client does this only for its own cache,
 * and not at all for a fresh informer). Unchanged objects (same resourceVersion) are not
 * delivered again, so a relist never rebuilds the model.
 */
import { makeInformer, type Informer, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import { backoffMs } from '../../../runtime/backoff.js';
import type { Logger } from '../../../runtime/logger.js';

export interface KindSpec {
  /** "Pod", "AuditNetworkPolicy", ... for logs and metric labels. */
  kind: string;
  /** The watch path, e.g. /api/v1/pods. */
  path: string;
  list: () => Promise<KubernetesListObject<KubernetesObject>>;
  apply: (obj: KubernetesObject) => void;
  remove: (obj: KubernetesObject) => void;
}

export interface WatchObserver {
  /** An object was delivered or a list completed. */
  event(kind: string): void;
  listed(kind: string): void;
  restarted(kind: string): void;
}

export interface KindWatchOptions {
  observer: WatchObserver;
  logger: Logger;
  delay: (ms: number) => Promise<void>;
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Builds the informer; the client's makeInformer unless a test passes another. */
  makeInformer?: (path: string, list: KindSpec['list']) => Informer<KubernetesObject>;
}

const RESYNC = Symbol('resync');

function keyOf(obj: KubernetesObject): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

export class KindWatch {
  private informer: Informer<KubernetesObject>;
  /** The last object delivered per key: what a relist compares against, and the tombstone of a delete. */
  private readonly known = new Map<string, KubernetesObject>();
  private stopped = false;
  private synced = false;
  private listedOnce = false;
  private failures = 0;
  private ended: ((reason: unknown) => void) | undefined;
  private readonly firstSync: Promise<void>;
  private resolveSync: () => void = () => undefined;
  private running: Promise<void> | undefined;
  lastEventAt = 0;

  constructor(
    private readonly kc: KubeConfig,
    private readonly spec: KindSpec,
    private readonly o: KindWatchOptions,
  ) {
    this.firstSync = new Promise((resolve) => (this.resolveSync = resolve));
    this.informer = this.makeInformer();
  }

  get kind(): string {
    return this.spec.kind;
  }

  isSynced(): boolean {
    return this.synced;
  }

  /** Starts watching; resolves once the first list has been delivered (or on stop). */
  start(): Promise<void> {
    this.running ??= this.run();
    return this.firstSync;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.resolveSync();
    this.ended?.(RESYNC);
    await this.informer.stop();
    await this.running;
  }

  /** Drops the watch and lists everything afresh (as after a long disconnection). */
  async resync(): Promise<void> {
    await this.disconnect();
    this.reconnect();
  }

  /** Stops watching until reconnect(); what happens meanwhile is found by the relist. */
  async disconnect(): Promise<void> {
    const old = this.informer;
    this.informer = this.makeInformer();
    await old.stop();
  }

  reconnect(): void {
    this.ended?.(RESYNC);
  }

  private makeInformer(): Informer<KubernetesObject> {
    const list = (): Promise<KubernetesListObject<KubernetesObject>> => this.list();
    const informer = this.o.makeInformer ? this.o.makeInformer(this.spec.path, list) : makeInformer(this.kc, this.spec.path, list);
    const deliver = (obj: KubernetesObject): void => {
      if (informer !== this.informer) return;
      this.delivered(obj);
    };
    informer.on('add', deliver);
    informer.on('update', deliver);
    informer.on('delete', (obj) => {
      if (informer === this.informer) this.deleted(keyOf(obj));
    });
    informer.on('error', (err: unknown) => {
      if (informer === this.informer) this.ended?.(err);
    });
    return informer;
  }

  private async list(): Promise<KubernetesListObject<KubernetesObject>> {
    const result = await this.spec.list();
    const listed = new Set(result.items.map(keyOf));
    for (const key of [...this.known.keys()]) if (!listed.has(key)) this.deleted(key);
    this.listedOnce = true;
    this.failures = 0;
    this.touch();
    this.o.observer.listed(this.spec.kind);
    return result;
  }

  private delivered(obj: KubernetesObject): void {
    const key = keyOf(obj);
    const before = this.known.get(key);
    this.touch();
    const rv = obj.metadata?.resourceVersion;
    if (before && rv !== undefined && before.metadata?.resourceVersion === rv) return;
    this.known.set(key, obj);
    this.guard('apply', key, () => {
      this.spec.apply(obj);
    });
  }

  private deleted(key: string): void {
    const last = this.known.get(key);
    if (!last) return;
    this.known.delete(key);
    this.touch();
    this.guard('remove', key, () => {
      this.spec.remove(last);
    });
  }

  private touch(): void {
    this.lastEventAt = Date.now();
    this.failures = 0;
    this.o.observer.event(this.spec.kind);
  }

  private guard(what: string, key: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.o.logger.error(`evaluator: failed to ${what} ${this.spec.kind} ${key}, skipped`, { error: err });
    }
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const ended = new Promise<unknown>((resolve) => (this.ended = resolve));
      try {
        await this.informer.start();
      } catch (err) {
        this.ended?.(err);
      }
      if (this.listedOnce && !this.synced && !this.stopped) {
        this.synced = true;
        this.resolveSync();
      }
      const reason = await ended;
      if (this.stopped) return;
      if (reason === RESYNC) continue;
      this.failures++;
      const wait = backoffMs(this.failures, { initialMs: this.o.backoffMs ?? 500, maxMs: this.o.maxBackoffMs ?? 30_000 });
      this.o.observer.restarted(this.spec.kind);
      this.o.logger.warn(`evaluator: ${this.spec.kind} watch stopped, restarting in ${wait} ms`, { kind: this.spec.kind, error: reason });
      await this.o.delay(wait);
    }
  }
}
