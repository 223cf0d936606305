/**
 * Keeps one @kubernetes/client-node informer running: the agent's pod and node informers and each
 * of the evaluator's watched kinds use it. The client's informer stops on most errors (a failed
 * list, a cut watch) and reports them as 'error' events; its start() even resolves, without
 * throwing, after a failed list. So an owner must restart it with capped exponential backoff, tell
 * a clean start from a failed one, and be able to stop it at any moment, mid-backoff included
 * (the wait is an abortable sleep, so stop() never waits out a backoff of up to 30 s).
 *
 * Resync: the informer is replaced by a fresh one, which lists everything again. Events of a
 * replaced informer are stale; owners drop them with isCurrent(), and its errors restart nothing.
 */
import type { Informer, KubernetesObject } from '@kubernetes/client-node';
import { abortableSleep, type Sleep } from './abortable-sleep.js';
import { backoffMs } from './backoff.js';

export interface InformerSupervisorOptions<T extends KubernetesObject> {
  /** Builds an informer with its add/update/delete handlers: once at first, again on each resync. */
  make: () => Informer<T>;
  /** Before each restart's wait, with why the informer stopped: log and count here. */
  restarting: (waitMs: number, reason: unknown) => void;
  /** After each start attempt: clean when start() completed with no error reported meanwhile. */
  started?: (clean: boolean) => void;
  /** The wait after the first failure in a row; doubles up to maxBackoffMs. Default 500 ms. */
  initialBackoffMs?: number;
  /** Default 30 s. */
  maxBackoffMs?: number;
  /** Tests pass a sleep that does not wait. */
  sleep?: Sleep;
}

/** What ends a running informer's turn without counting as a failure. */
const RESTART_NOW = Symbol('restart now');

export class InformerSupervisor<T extends KubernetesObject> {
  private informer: Informer<T>;
  private readonly stopping = new AbortController();
  private failures = 0;
  /** Ends the current turn of the loop: with an error (a failure) or RESTART_NOW. */
  private endTurn: (reason: unknown) => void = () => undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly o: InformerSupervisorOptions<T>) {
    this.informer = this.fresh();
  }

  /** Whether `informer` is the one running now (not one replaced by a resync). */
  isCurrent(informer: Informer<T>): boolean {
    return informer === this.informer;
  }

  start(): void {
    this.running ??= this.run();
  }

  /** Stops the informer and the loop; resolves promptly, whatever the loop was waiting for. */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.endTurn(RESTART_NOW);
    await this.informer.stop();
    await this.running;
  }

  /** The source answered: the next failure waits the shortest backoff again. */
  healthy(): void {
    this.failures = 0;
  }

  /** Drops the watch and lists everything afresh (as after a long disconnection). */
  async resync(): Promise<void> {
    await this.disconnect();
    this.reconnect();
  }

  /** Stops watching until reconnect(); what happens meanwhile is found by the fresh informer's list. */
  async disconnect(): Promise<void> {
    const old = this.informer;
    this.informer = this.fresh();
    await old.stop();
  }

  /** Starts the informer put in place by disconnect(), at once (no backoff). */
  reconnect(): void {
    this.endTurn(RESTART_NOW);
  }

  private fresh(): Informer<T> {
    const informer = this.o.make();
    informer.on('error', (err: unknown) => {
      if (informer === this.informer) this.endTurn(err);
    });
    return informer;
  }

  private async run(): Promise<void> {
    const signal = this.stopping.signal;
    const sleep = this.o.sleep ?? abortableSleep;
    while (!signal.aborted) {
      let failed = false;
      const ended = new Promise<unknown>((resolve) => {
        this.endTurn = (reason): void => {
          if (reason !== RESTART_NOW) failed = true;
          resolve(reason);
        };
      });
      try {
        await this.informer.start();
      } catch (err) {
        this.endTurn(err);
      }
      if (signal.aborted) return;
      if (!failed) this.failures = 0;
      this.o.started?.(!failed);
      const reason = await ended;
      if (signal.aborted) return;
      if (reason === RESTART_NOW) continue;
      this.failures++;
      const wait = backoffMs(this.failures, { initialMs: this.o.initialBackoffMs ?? 500, maxMs: this.o.maxBackoffMs ?? 30_000 });
      this.o.restarting(wait, reason);
      await sleep(wait, signal);
    }
  }
}
