/**
 * The agent's bearer token, read from its file on every call. A projected ServiceAccount token
 * expires and the kubelet replaces the file (an atomic swap of the `..data` symlink) well before
 * that; reading it once at start-up would ship with a dead token after the first rotation. The
 * file is small and read once per request to the broker, so no caching is worth its staleness.
 */
import { readFileSync } from 'node:fs';

export function tokenFromFile(path: string): () => string | undefined {
  return () => {
    try {
      return readFileSync(path, 'utf8').trim() || undefined;
    } catch {
      // Missing for a moment (mid-swap) or unreadable: send without, the broker's 401 is retried.
      return undefined;
    }
  };
}
