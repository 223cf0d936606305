/**
 * The one abortable sleep of the daemons: waits `ms`, or less when `signal` aborts. A signal that
 * is already aborted resolves at once, since `addEventListener('abort')` on an aborted signal never
 * fires and the caller would wait the whole delay after being told to stop.
 */

/** Resolves after `ms`, or as soon as `signal` aborts (at once if it already has). Never rejects. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The signature loops take so tests can inject a sleep that does not wait. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;
