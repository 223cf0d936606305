/**
 * An informer that follows a script instead of an API server: start() runs the given list like
 * the client's informer (an 'add' per item) or, while failures remain, reports the next one as an
 * 'error' event and resolves, as the client does after a failed list. For supervisor tests that
 * must not sleep or need a cluster.
 */
import type { Informer, KubernetesListObject, KubernetesObject, ObjectCallback, ErrorCallback } from '@kubernetes/client-node';

type Callback = (arg: never) => void;

export class ScriptedInformer implements Informer<KubernetesObject> {
  readonly handlers = new Map<string, Callback[]>();
  starts = 0;
  stops = 0;

  constructor(
    private readonly list: () => Promise<KubernetesListObject<KubernetesObject>>,
    /** Shared with the other informers of a test: each failed start takes one. */
    private readonly failures: string[] = [],
  ) {}

  on(verb: string, cb: ObjectCallback<KubernetesObject> | ErrorCallback): void {
    this.handlers.set(verb, [...(this.handlers.get(verb) ?? []), cb as Callback]);
  }

  off(): void {}

  emit(verb: string, arg: unknown): void {
    for (const cb of this.handlers.get(verb) ?? []) (cb as (a: unknown) => void)(arg);
  }

  async start(): Promise<void> {
    this.starts++;
    const failure = this.failures.shift();
    if (failure !== undefined) {
      this.emit('error', new Error(failure));
      return;
    }
    try {
      const list = await this.list();
      for (const item of list.items) this.emit('add', item);
    } catch (err) {
      this.emit('error', err);
    }
  }

  stop(): Promise<void> {
    this.stops++;
    return Promise.resolve();
  }
}
