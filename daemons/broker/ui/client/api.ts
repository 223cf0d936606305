/**
 * Reads JSON from the broker's API (and the ui proxy's two extra answers). The page never holds a
 * token: `kubectl kguardian ui`'s local proxy adds the user's, and the broker checks it per request.
 */

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'ApiError';
  }
}

export async function getJson<T>(path: string, params?: URLSearchParams, signal?: AbortSignal): Promise<T> {
  const qs = params && params.toString() !== '' ? `?${params.toString()}` : '';
  const res = await fetch(`${path}${qs}`, { headers: { Accept: 'application/json' }, signal: signal ?? null });
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
