/**
 * Reads JSON from the broker's API (and the ui proxy's two extra answers). The page never holds a
 * token: `kubectl kguardian ui`'s local proxy adds the user's, and the broker checks it per request.
 *
 * A read can be started early (`prime`) and taken later by the getJson that asks for the same
 * URL: the page shell starts everything the first view needs at once, instead of each read
 * waiting for the one before it (the session, then the policy list, then the verdicts), so a
 * page load costs one round of reads, not three. A primed answer is taken once, and only by the
 * first view: `dropPrimed` forgets the rest when the user navigates.
 */

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'ApiError';
  }
}

const primed = new Map<string, Promise<unknown>>();

function urlOf(path: string, params?: URLSearchParams): string {
  const qs = params && params.toString() !== '' ? `?${params.toString()}` : '';
  return `${path}${qs}`;
}

async function read<T>(url: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(url, { headers: { Accept: 'application/json' }, signal: signal ?? null });
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try {
      const body = (await res.json()) as { error?: unknown };
      if (typeof body.error === 'string') message = body.error;
    } catch {
      // Not JSON: keep the status line.
    }
    throw new ApiError(res.status, message);
  }
  return (await res.json()) as T;
}

/** Starts reading `path` now for a getJson of the same URL to take later. */
export function prime(path: string, params?: URLSearchParams): void {
  const url = urlOf(path, params);
  if (primed.has(url)) return;
  const p = read(url);
  // Taken or not, a failure here must not surface as an unhandled rejection; the taker sees it.
  p.catch(() => undefined);
  primed.set(url, p);
}

export function dropPrimed(): void {
  primed.clear();
}

export function getJson<T>(path: string, params?: URLSearchParams, signal?: AbortSignal): Promise<T> {
  const url = urlOf(path, params);
  const early = primed.get(url);
  if (early !== undefined) {
    primed.delete(url);
    return early as Promise<T>;
  }
  return read<T>(url, signal);
}
