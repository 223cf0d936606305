/**
 * One informer per watched kind, kept running by runtime/informer-supervisor.ts (restarts with
 * capped exponential backoff, prompt stop, resync); this logs and counts each restart, and never
 * lets a bad object or a failing handler escape.
 *
 * Relists: each list is reconciled against the objects this watch has delivered, so an object
 * deleted while the watch was down is removed (the client does this only for its own cache,
 * and not at all for a fresh informer). Unchanged objects (same resourceVersion) are not
 * delivered again, so a relist never rebuilds the model.
 */
import { makeInformer, type Informer, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { Sleep } from '../../../runtime/abortable-sleep.js';
import { InformerSupervisor } from '../../../runtime/informer-supervisor.js';
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
  /** The wait between restarts; the real abortable sleep unless a test passes one that does not wait. */
  delay?: Sleep;
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Builds the informer; the client's makeInformer unless a test passes another. */
  makeInformer?: (path: string, list: KindSpec['list']) => Informer<KubernetesObject>;
}

function keyOf(obj: KubernetesObject): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

export class KindWatch {
  private readonly supervisor: InformerSupervisor<KubernetesObject>;
  /** The last object delivered per key: what a relist compares against, and the tombstone of a delete. */
  private readonly known = new Map<string, KubernetesObject>();
  private stopped = false;
  private synced = false;
  private listedOnce = false;
  private readonly firstSync: Promise<void>;
  private resolveSync: () => void = () => undefined;
  lastEventAt = 0;

  constructor(
    private readonly kc: KubeConfig,
    private readonly spec: KindSpec,
    private readonly o: KindWatchOptions,
  ) {
    this.firstSync = new Promise((resolve) => (this.resolveSync = resolve));
    this.supervisor = new InformerSupervisor({
      make: () => this.makeInformer(),
      started: () => {
        if (this.listedOnce && !this.synced && !this.stopped) {
          this.synced = true;
          this.resolveSync();
        }
      },
      restarting: (wait, reason) => {
        this.o.observer.restarted(this.spec.kind);
        this.o.logger.warn(`evaluator: ${this.spec.kind} watch stopped, restarting in ${wait} ms`, { kind: this.spec.kind, error: reason });
      },
      ...(o.backoffMs !== undefined ? { initialBackoffMs: o.backoffMs } : {}),
      ...(o.maxBackoffMs !== undefined ? { maxBackoffMs: o.maxBackoffMs } : {}),
      ...(o.delay ? { sleep: o.delay } : {}),
    });
  }

  get kind(): string {
    return this.spec.kind;
  }

  isSynced(): boolean {
    return this.synced;
  }

  /** Starts watching; resolves once the first list has been delivered (or on stop). */
  start(): Promise<void> {
    this.supervisor.start();
    return this.firstSync;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.resolveSync();
    await this.supervisor.stop();
  }

  /** Drops the watch and lists everything afresh (as after a long disconnection). */
  resync(): Promise<void> {
    return this.supervisor.resync();
  }

  /** Stops watching until reconnect(); what happens meanwhile is found by the relist. */
  disconnect(): Promise<void> {
    return this.supervisor.disconnect();
  }

  reconnect(): void {
    this.supervisor.reconnect();
  }

  private makeInformer(): Informer<KubernetesObject> {
    const list = (): Promise<KubernetesListObject<KubernetesObject>> => this.list();
    const informer = this.o.makeInformer ? this.o.makeInformer(this.spec.path, list) : makeInformer(this.kc, this.spec.path, list);
    const deliver = (obj: KubernetesObject): void => {
      if (this.supervisor.isCurrent(informer)) this.delivered(obj);
    };
    informer.on('add', deliver);
    informer.on('update', deliver);
    informer.on('delete', (obj) => {
      if (this.supervisor.isCurrent(informer)) this.deleted(keyOf(obj));
    });
    return informer;
  }

  private async list(): Promise<KubernetesListObject<KubernetesObject>> {
    const result = await this.spec.list();
    const listed = new Set(result.items.map(keyOf));
    for (const key of [...this.known.keys()]) if (!listed.has(key)) this.deleted(key);
    this.listedOnce = true;
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
    this.supervisor.healthy();
    this.o.observer.event(this.spec.kind);
  }

  private guard(what: string, key: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.o.logger.error(`evaluator: failed to ${what} ${this.spec.kind} ${key}, skipped`, { error: err });
    }
  }
}
